"""A professional or an admin who has not passed the second factor reaches no page of theirs.

The test walks every URL name of the project, so a page added later is covered too.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.models import User
from tests.factories import enrol_authenticator, login_as

pytestmark = pytest.mark.django_db

# Pages anyone may open: the logins, public notices, the patients' own pages (a 404 for a
# professional anyway), webhooks and the printer's IPP endpoint (they carry their own secret).
PUBLIC = {
    "portal:login",
    "portal:login_code",
    "portal:login_enrol",
    "portal:recovery_codes",
    "portal:keep_alive",
    "portal:legal",
    "portal:health",
    "portal:patient_login",
    "portal:patient_code",
    "portal:resend_code",
    "portal:activate",
    "portal:logout",
    "portal:patient_logout",
    "admin:logout",
    "set_language",
    "notifications:dev_outbox",  # development only (DEBUG), no account involved
    "teleconsult:stand_in_room",  # the video stand-in of development, patients join it too
}
SAMPLES = {"uuid": str(uuid.uuid4()), "int": "1", "str": "x", "slug": "x", "path": "x"}


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = entry.namespace or namespace
            space = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            routes += _routes(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            routes.append((name, prefix + str(entry.pattern)))
    return routes


def _url(pattern: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], pattern)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return "/" + path


ROUTES = sorted(
    (name, "/admin/portal/" if name == "admin:app_list" else _url(pattern))
    for name, pattern in _routes(get_resolver().url_patterns)
    if name not in PUBLIC and not name.startswith("notifications:twilio")
)
PROFESSIONAL_ROUTES = [route for route in ROUTES if not route[0].startswith("admin:")]
ADMIN_ROUTES = [route for route in ROUTES if route[0].startswith("admin:")]


def _reaches(response: object) -> bool:
    """Did the page open? A redirect to the login, a 404/403/405 or a 401 did not."""
    if response.status_code in (301, 302):
        logins = ("/connexion/", "/espace/connexion/", "/admin/login/")
        return not response["Location"].startswith(logins)
    return response.status_code < 300


@pytest.fixture
def unverified_clinician_client(client: Client, clinician: User) -> Client:
    enrol_authenticator(clinician)
    client.force_login(clinician)  # the password's session, without the second factor
    return client


@pytest.mark.parametrize(
    ("name", "url"), PROFESSIONAL_ROUTES, ids=[r[0] for r in PROFESSIONAL_ROUTES]
)
def test_a_clinician_without_the_second_factor_reaches_no_professional_page(
    unverified_clinician_client: Client, name: str, url: str
) -> None:
    for method in ("get", "post"):
        response = getattr(unverified_clinician_client, method)(url)
        assert not _reaches(response), f"{method.upper()} {url} ({name}): {response.status_code}"
        unverified_clinician_client.force_login(User.objects.get(email="claire@portail.test"))


@pytest.mark.parametrize(("name", "url"), ADMIN_ROUTES, ids=[r[0] for r in ADMIN_ROUTES])
def test_an_admin_without_the_second_factor_reaches_no_admin_page(
    client: Client, admin_user: User, name: str, url: str
) -> None:
    enrol_authenticator(admin_user)
    client.force_login(admin_user)
    response = client.get(url)
    assert not _reaches(response), f"GET {url} ({name}): {response.status_code}"


def test_the_same_clinician_with_both_factors_opens_the_desk(
    client: Client, clinician: User
) -> None:
    login_as(client, clinician)
    assert client.get("/").status_code == 200


def test_the_same_admin_with_both_factors_opens_the_admin(client: Client, admin_user: User) -> None:
    login_as(client, admin_user)
    assert client.get("/admin/").status_code == 200
