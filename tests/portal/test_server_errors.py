"""Server errors reach someone when configured, and the 500 page says only what is true."""

import json
import os
import subprocess
import sys
from html import unescape

import pytest
from django.test import RequestFactory

from portal import views
from tests.portal.test_settings import PRODUCTION_ENV


def _settings_in_production(**env: str) -> dict:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and not key.startswith(("DJANGO_", "CELERY_"))
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'lang_secure': s.LANGUAGE_COOKIE_SECURE, 'admins': s.ADMINS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DJANGO_SETTINGS_MODULE": "portal.settings"} | PRODUCTION_ENV | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_language_cookie_is_secure_in_production() -> None:
    assert _settings_in_production()["lang_secure"] is True


def test_admins_are_read_from_the_environment() -> None:
    values = _settings_in_production(DJANGO_ADMINS="ops@example.fr,dev@example.fr")
    assert [email for _name, email in values["admins"]] == ["ops@example.fr", "dev@example.fr"]


@pytest.mark.parametrize(("admins", "told"), [([], False), ([("ops", "ops@example.fr")], True)])
def test_the_500_page_says_the_team_was_told_only_when_it_was(
    settings: object, admins: list, told: bool
) -> None:
    settings.ADMINS = admins
    response = views.server_error(RequestFactory().get("/"))
    body = unescape(response.content.decode())
    assert response.status_code == 500
    assert ("L'équipe a été prévenue" in body) is told


def test_the_project_uses_the_honest_page() -> None:
    from portal import urls

    assert urls.handler500 == "portal.views.server_error"
