"""Settings of the portal, read from the environment.

With no variable set, the portal runs in its embedded default: SQLite and private files under
``var/``, Celery tasks executed in-process after commit, emails and SMS captured in a dev outbox.
``DJANGO_ENV=production`` switches to the production shape and refuses to start with an insecure
value. ``.env.example`` documents every variable read here.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from portal.production import refuse_insecure_production

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

# --- Mode -------------------------------------------------------------------------------------
ENVIRONMENT = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"  # noqa: S105 (refused in production)  # nosec B105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# How many reverse proxies in front of the portal append to X-Forwarded-For; 0 trusts none
# and uses the connection's address. Read by audit.services.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# The public address of the portal, used in the links of emails and SMS.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Brand ------------------------------------------------------------------------------------
# Another region deploys the same code under its own names.
PORTAL_NAME = env_str("PORTAL_NAME", "MaSantéConnectée")
PRINTER_NAME = env_str("PRINTER_NAME", "MonSisra")
# Days a print job waits in "Impressions en attente" before it is deleted.
PRINTER_JOB_DAYS = env_int("PRINTER_JOB_DAYS", 7, minimum=1)
PORTAL_OPERATOR = env_str("PORTAL_OPERATOR", "GCS SARA")
PORTAL_CONTACT_EMAIL = env_str("PORTAL_CONTACT_EMAIL", "contact@masanteconnectee.localhost")

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "phonenumber_field",
    "django_otp",
    "accounts.apps.TOTPDevicesConfig",  # django_otp.plugins.otp_totp, named in French
    "accounts",
    "portal",
    "identities",
    "documents",
    "teleconsult",
    "printer",
    "notifications",
    "audit",
]

MIDDLEWARE = [
    # First: answers the health probe before host validation and HTTPS redirection.
    "portal.middleware.health_probe",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an oversized request gets a 413, control characters a 400.
    "portal.middleware.refuse_oversized_requests",
    "portal.middleware.refuse_control_characters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page of a logged-in person: Cache-Control: no-store, private.
    "portal.middleware.no_store_when_logged_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.session_limits",
    "accounts.middleware.DomainErrorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.brand",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
_DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            _DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must work on a fresh checkout: its folder may not exist yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache; never the truth ---------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# The cache gets its own Redis database: clearing it must never wipe the task queue.
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
# Without Redis, tasks run in-process; services enqueue with transaction.on_commit, so they still
# run after the business transaction has committed.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT = "portal.broker:Transport" if REDIS_URL.startswith("redis:") else None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/Paris"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 30, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60, minimum=1)
# A task is acknowledged once done, and given back to the queue if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Retry countdowns stay below visibility_timeout; a worker takes its -Q queues in order (urgent).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep the worker's database connection between tasks (Celery closes it after each one
# otherwise); portal/celery.py still applies CONN_MAX_AGE and the health checks around tasks.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BEAT_SCHEDULE = {
    "sweep-notifications": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": 60.0,
    },
    "sweep-held-dispatches": {
        "task": "documents.tasks.sweep_held_dispatches",
        "schedule": 60.0,
    },
    "expire-print-jobs": {
        "task": "printer.tasks.expire_print_jobs",
        "schedule": crontab(minute=23),
    },
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must exceed CELERY_TASK_SOFT_TIME_LIMIT.")

# --- Files: private storage, never served by a public URL ---------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# No URL serves this prefix: documents go out only through authorised views. (It must be a
# string: Django's test live server reads it.)
MEDIA_URL = "/private-media-never-served/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise finds files in their source folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGE = env_choice("STORAGE", "filesystem", ("filesystem", "s3"))
_default_storage: dict[str, Any]
if STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "file_overwrite": False,
            "default_acl": None,
            "max_memory_size": 262_144,  # a file read back spills to disk past 256 kB
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Files past 256 kB go to temporary files as they arrive (portal/uploads.py), checked from disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 262_144, minimum=0)
FILE_UPLOAD_TEMP_DIR = str(env_str("FILE_UPLOAD_TEMP_DIR") or VAR_DIR / "uploads")
FILE_UPLOAD_HANDLERS = ["portal.uploads.InMemory", "portal.uploads.CappedTemporaryFile"]
FILE_UPLOAD_PERMISSIONS, FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o600, 0o700


# --- Antivirus ----------------------------------------------------------------------------------
def _clamd_url(url: str) -> str:
    """Empty, unix:///path or tcp://host:port; anything else stops the start-up."""
    try:
        parts = urlsplit(url)
        valid = (parts.scheme == "unix" and not parts.netloc and parts.path) or (
            parts.scheme == "tcp" and parts.hostname and parts.port
        )
    except ValueError:  # a port that is not a number
        valid = False
    if url and not valid:
        raise ImproperlyConfigured(
            f"ANTIVIRUS_URL={url!r} must be unix:///path/to/clamd.sock or tcp://host:port."
        )
    return url


# ClamAV's daemon: unix:///run/clamav/clamd.ctl or tcp://clamav:3310. Empty: files are not
# scanned. When it is set and clamd does not answer, sendings wait; they never go out unscanned.
ANTIVIRUS_URL = _clamd_url(env_str("ANTIVIRUS_URL"))
# Seconds without an answer from clamd (connecting, sending or reading) before giving up.
ANTIVIRUS_TIMEOUT = env_int("ANTIVIRUS_TIMEOUT", 30, minimum=1)

# --- Email ------------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "notifications.backends.email.OutboxEmailBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587, minimum=1),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=True),
        "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{PORTAL_NAME} <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS ----------------------------------------------------------------------------------------
SMS_BACKENDS = {
    "console": "notifications.backends.sms.ConsoleBackend",
    "locmem": "notifications.backends.sms.LocmemBackend",
    "outbox": "notifications.backends.sms.OutboxBackend",
    "twilio": "notifications.backends.sms.TwilioBackend",
}
SMS_BACKEND = SMS_BACKENDS[
    env_choice("SMS_BACKEND", "twilio" if PRODUCTION else "outbox", SMS_BACKENDS)
]
# Countries whose mobiles may receive SMS (calling codes): metropolitan France and overseas.
# Anything else is refused where it is typed: SMS to premium foreign ranges cost money.
SMS_ALLOWED_COUNTRY_CODES = [
    int(code)
    for code in env_list(
        "SMS_ALLOWED_COUNTRY_CODES",
        ["33", "262", "269", "590", "594", "596", "508", "681", "687", "689"],
    )
]
# Actions of one professional that send SMS (portal creation, invitation, lost phone), per hour.
SMS_ACTIONS_PER_HOUR = env_int("SMS_ACTIONS_PER_HOUR", 30, minimum=1)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_FROM = env_str("TWILIO_FROM")
TWILIO_TIMEOUT = env_int("TWILIO_TIMEOUT", 10, minimum=1)
# Twilio's API base URL; changed only to point the real client at a local test server.
TWILIO_API_BASE = env_str("TWILIO_API_BASE")
# Where Twilio posts delivery reports (signed with the auth token); empty: no reports.
TWILIO_STATUS_CALLBACK = env_str(
    "TWILIO_STATUS_CALLBACK", f"{SITE_URL}/notifications/twilio/statut/" if PRODUCTION else ""
)
# A failed send's first retry delay (doubling, capped at 600 s); queues: see portal/workers.py.
NOTIFICATIONS_RETRY_BASE_SECONDS = env_float("NOTIFICATIONS_RETRY_BASE_SECONDS", 30, minimum=0)
NOTIFICATIONS_QUEUE, NOTIFICATIONS_URGENT_QUEUE = "notifications", "notifications-urgent"
# The dev outbox page (emails and SMS as sent) exists only with DEBUG.
DEV_OUTBOX = DEBUG

# --- Pro Santé Connect (accounts.psc, mozilla-django-oidc) -----------------------------------
# The button "Se connecter avec Pro Santé Connect" shows when PSC_CLIENT_ID is set. PSC's
# discovery is not at the standard path: endpoints are set one by one (sandbox: .env.example);
# the logout's is read from {issuer}/.well-known/wallet-openid-configuration unless set.
PSC_CLIENT_ID = env_str("PSC_CLIENT_ID")
PSC_ENABLED = bool(PSC_CLIENT_ID)
PSC_ISSUER = env_str("PSC_ISSUER")
PSC_ACR = "eidas1"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.psc.ProSanteConnectBackend",
]
OIDC_RP_CLIENT_ID = PSC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = env_str("PSC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("PSC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str(
    "PSC_TOKEN_ENDPOINT", f"{PSC_ISSUER}/protocol/openid-connect/token" if PSC_ISSUER else ""
)
OIDC_OP_USER_ENDPOINT = env_str("PSC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("PSC_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid scope_all"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": PSC_ACR}
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:psc_callback"
PSC_END_SESSION_ENDPOINT = env_str("PSC_END_SESSION_ENDPOINT")
if PSC_ENABLED and not (PSC_ISSUER and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT):
    raise ImproperlyConfigured(
        "PSC_CLIENT_ID needs PSC_ISSUER and the PSC_*_ENDPOINT variables (see .env.example)."
    )

# --- Patient portal ---------------------------------------------------------------------------
# How long an activation link stays valid.
PORTAL_ACTIVATION_HOURS = env_int("PORTAL_ACTIVATION_HOURS", 72, minimum=1)
# Version of the consent wording shown to professionals; recorded with every consent.
PORTAL_CONSENT_WORDING_VERSION = env_str("PORTAL_CONSENT_WORDING_VERSION", "2026-11")
# Everyone (patients, professionals, admins) is logged out after this much inactivity;
# SESSION_COOKIE_AGE is the absolute limit.
PORTAL_IDLE_MINUTES = env_int("PORTAL_IDLE_MINUTES", 30, minimum=1)

OTP_TOTP_ISSUER = PORTAL_NAME
# Wrong codes are throttled per account and per address by accounts.services.login, for every
# login form alike; django-otp's own per-device delay would refuse a right code after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0

# Admins never see a person's authenticator secret or its QR code (the config pages of django-otp,
# which also fail with a 500 on an unknown device).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Teleconsultation video ---------------------------------------------------------------------
# The room of a teleconsultation: "{room}" is replaced by an unguessable name (a region may run
# its own Jitsi Meet server). The clinician's page drives it through Jitsi's IFrame API, loaded
# from TELECONSULT_VIDEO_API_SCRIPT (default: external_api.js at the room's origin; empty for a
# provider without that API: the room then opens in a new tab).
TELECONSULT_VIDEO_URL = env_str("TELECONSULT_VIDEO_URL", "https://meet.jit.si/{room}")
if "{room}" not in TELECONSULT_VIDEO_URL or not TELECONSULT_VIDEO_URL.startswith("https://"):
    raise ImproperlyConfigured("TELECONSULT_VIDEO_URL must be an https:// URL containing {room}.")
_VIDEO_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(TELECONSULT_VIDEO_URL))
TELECONSULT_VIDEO_API_SCRIPT = env_str(
    "TELECONSULT_VIDEO_API_SCRIPT", f"{_VIDEO_ORIGIN}/external_api.js"
)
# Development and tests reach no video server: a local stand-in of external_api.js (same API,
# same hang-up events) and a stand-in room page are served instead. Refused in production.
TELECONSULT_VIDEO_STAND_IN = env_bool("TELECONSULT_VIDEO_STAND_IN", default=not PRODUCTION)
# How long before its start the patient's link opens, and how long after its end it stays open.
TELECONSULT_JOIN_EARLY_MINUTES = env_int("TELECONSULT_JOIN_EARLY_MINUTES", 15, minimum=0)
TELECONSULT_JOIN_LATE_MINUTES = env_int("TELECONSULT_JOIN_LATE_MINUTES", 30, minimum=0)

# --- Audit trail --------------------------------------------------------------------------------
# Traces of access to health data are kept at least 6 months (PGSSI-S); longer by default.
AUDIT_MIN_RETENTION_DAYS = 183
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3 * 365, minimum=AUDIT_MIN_RETENTION_DAYS)

# --- Passwords and sessions ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 12 * 3600  # absolute limit: 12 hours
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Hardening ----------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # The video room's origin only (the teleconsultation page embeds it); nothing else is framed.
    "frame-src": [CSP.SELF if TELECONSULT_VIDEO_STAND_IN else _VIDEO_ORIGIN],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind the load balancer that terminates TLS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer probes the health URL over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
FORMAT_MODULE_PATH = ["portal.formats"]  # "30/11/2026 à 17:25"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# --- Server errors ------------------------------------------------------------------------------
# Who gets an email for each server error (Django's mail_admins); empty: errors are only logged.
# The report leaves out every GET and POST value (they may hold health data).
ADMINS = [(email.split("@")[0], email) for email in env_list("DJANGO_ADMINS")]
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.errors.NoRequestDataFilter"

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # At INFO, twilio logs every request and response (a dozen lines per SMS) and WeasyPrint
    # (with fontTools) each step of every receipt it renders.
    "loggers": {
        name: {"level": "WARNING"} for name in ("twilio.http_client", "weasyprint", "fontTools")
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
        ).upper(),
    },
}

# --- Production refuses insecure values (portal/production.py lists them) ----------------------
if PRODUCTION:
    refuse_insecure_production(globals(), dev_secret_key=_DEV_SECRET_KEY)
