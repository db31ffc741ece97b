"""The settings production refuses to start with: a misconfigured deployment stops at once.

``portal/settings.py`` calls ``refuse_insecure_production`` with its own names when
``DJANGO_ENV=production``; the deploy check and tests/portal/test_settings.py exercise it.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured


def refuse_insecure_production(settings: dict[str, Any], *, dev_secret_key: str) -> None:
    """Raise ``ImproperlyConfigured`` naming every insecure or missing production value."""
    problems = []
    if settings["DEBUG"]:
        problems.append("DJANGO_DEBUG must be false")
    if settings["SECRET_KEY"] == dev_secret_key or len(settings["SECRET_KEY"]) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a random value of 50 characters or more")
    if settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append("DATABASE_URL must point to PostgreSQL, not SQLite")
    if not settings["ALLOWED_HOSTS"]:
        problems.append("DJANGO_ALLOWED_HOSTS must list the portal's host names")
    using_twilio = settings["SMS_BACKEND"].endswith(".TwilioBackend")
    if not using_twilio:
        problems.append("SMS_BACKEND must be twilio")
    if using_twilio and not (settings["TWILIO_ACCOUNT_SID"] and settings["TWILIO_AUTH_TOKEN"]):
        problems.append("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set")
    if using_twilio and not (settings["TWILIO_MESSAGING_SERVICE_SID"] or settings["TWILIO_FROM"]):
        problems.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM must be set")
    if not settings["REDIS_URL"]:
        problems.append("REDIS_URL must be set: production tasks run on Celery workers")
    if settings["CELERY_TASK_ALWAYS_EAGER"]:
        problems.append("CELERY_TASK_ALWAYS_EAGER must be false")
    if settings["TELECONSULT_VIDEO_STAND_IN"]:
        problems.append("TELECONSULT_VIDEO_STAND_IN must be false: it is a local imitation")
    if not settings["SITE_URL"].startswith("https://"):
        problems.append("SITE_URL must be the portal's public https:// address")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")
