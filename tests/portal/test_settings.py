"""Settings come from the environment; a bad value stops the process and names the variable."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_choice, env_int, env_list

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "a-long-random-value-for-the-production-test-only",
    "DJANGO_ALLOWED_HOSTS": "portail.example.fr",
    "DATABASE_URL": "postgres://portal@db.example.fr/portal",
    "REDIS_URL": "redis://redis.example.fr:6379/0",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "ACtest",
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_FROM": "Portail",
    "SITE_URL": "https://portail.example.fr",
}


def _start_django(**env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter, as a server process would at start-up."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key != "CELERY_TASK_ALWAYS_EAGER"
    }
    clean.pop("DJANGO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_env_bool_names_the_variable_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_env_int_names_the_variable_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER=0 must be at least 1"):
        env_int("SOME_NUMBER", 1, minimum=1)


def test_env_readers_parse_good_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A_FLAG", "Yes")
    monkeypatch.setenv("A_LIST", " a.fr, b.fr ,,")
    monkeypatch.setenv("A_CHOICE", "S3")
    assert env_bool("A_FLAG") is True
    assert env_list("A_LIST") == ["a.fr", "b.fr"]
    assert env_choice("A_CHOICE", "filesystem", ("filesystem", "s3")) == "s3"


def test_a_bad_boolean_stops_the_start_and_names_the_variable() -> None:
    result = _start_django(DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='perhaps' is not a boolean" in result.stderr


def test_a_bad_database_url_stops_the_start_and_names_the_variable() -> None:
    result = _start_django(DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0
    assert "DATABASE_URL is not a valid database URL" in result.stderr


def test_an_unknown_sms_backend_stops_the_start() -> None:
    result = _start_django(SMS_BACKEND="pigeon")
    assert result.returncode != 0
    assert "SMS_BACKEND='pigeon' must be one of" in result.stderr


def test_production_starts_with_secure_values() -> None:
    result = _start_django(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be false"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be set"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "DATABASE_URL must point to PostgreSQL"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"SMS_BACKEND": "console"}, "SMS_BACKEND must be twilio"),
        ({"TWILIO_AUTH_TOKEN": ""}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"TWILIO_FROM": ""}, "TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM must be set"),
        ({"CELERY_TASK_ALWAYS_EAGER": "true"}, "CELERY_TASK_ALWAYS_EAGER must be false"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "SITE_URL must be the portal's public https://"),
    ],
)
def test_production_refuses_an_insecure_value(override: dict[str, str], complaint: str) -> None:
    result = _start_django(**(PRODUCTION_ENV | override))
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert complaint in result.stderr


def test_settings_use_argon2_first() -> None:
    import portal.settings as module  # the module itself: tests swap the hasher for speed

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert module.LANGUAGE_CODE == "fr"
