"""Logging out of Pro Santé Connect too (RP-initiated logout), against the real oidc-provider.

The provider's browser is a ``requests.Session`` that keeps the provider's session cookie, so
"a new login prompts again" is the provider's own answer (its login-prompt counter).
"""

import re
import socket
import time
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts import psc_logout
from portal.models import User
from tests.accounts.psc_provider import (
    POST_LOGOUT,
    at_the_provider,
    back,
    configure,
    text,
)
from tests.factories import login_as

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
LOGOUT = reverse("portal:logout")
BOTH = "Vous êtes déconnecté du portail et de Pro Santé Connect."
UNCHECKED = "Le retour de Pro Santé Connect n'a pas pu être vérifié"
UNREACHABLE = "Pro Santé Connect n'a pas pu être joint"


def _prompts(issuer: str) -> int:
    return requests.get(f"{issuer}/__prompts", timeout=5).json()["login"]


def _log_in(client: Client, issuer: str, browser: requests.Session) -> None:
    response = back(client, at_the_provider(client, issuer, browser=browser))
    assert response["Location"] == "/", response["Location"]


def _confirm_at_the_provider(browser: requests.Session, url: str) -> str:
    """The provider's logout page asks "sign out?": answer yes; gives where it sends back."""
    page = browser.get(url, allow_redirects=False, timeout=5)
    assert page.status_code == 200, page.text
    form = unescape(page.text)
    action = re.search(r'<form[^>]*action="([^"]+)"', form).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', form).group(1)
    answer = browser.post(
        urljoin(url, action), data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def _messages(response: object, client: Client) -> str:
    assert response["Location"] == LOGIN
    return unescape(text(response, client))


# --- What the session keeps --------------------------------------------------------------


def test_a_psc_login_keeps_the_id_token_on_the_server_only(
    client: Client, psc: dict, claire: User
) -> None:
    _log_in(client, psc["issuer"], requests.Session())
    token = client.session[psc_logout.ID_TOKEN]
    assert token.count(".") == 2  # a JWT, for id_token_hint
    assert "oidc_access_token" not in client.session
    assert "signed_cookies" not in django_settings.SESSION_ENGINE
    assert all(token not in morsel.value for morsel in client.cookies.values())


def test_a_failed_psc_login_keeps_no_token(client: Client, psc: dict, claire: User) -> None:
    back(client, at_the_provider(client, psc["issuer"], rpps="10009999990"))
    assert psc_logout.ID_TOKEN not in client.session


# --- Logging out of the portal, then of the provider --------------------------------------


def test_logout_ends_the_portal_session_then_goes_to_the_providers_logout(
    client: Client, psc: dict, claire: User
) -> None:
    _log_in(client, psc["issuer"], requests.Session())
    token = client.session[psc_logout.ID_TOKEN]
    response = client.post(LOGOUT)
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{psc['issuer']}/session/end"
    query = {key: value[0] for key, value in parse_qs(url.query).items()}
    assert query["id_token_hint"] == token
    assert query["post_logout_redirect_uri"] == POST_LOGOUT
    assert len(query["state"]) >= 32
    assert query["client_id"] == "portail-test"
    assert "_auth_user_id" not in client.session
    assert psc_logout.ID_TOKEN not in client.session
    assert client.get("/").status_code == 302  # the desk is closed already


def test_the_providers_session_is_really_ended(client: Client, psc: dict, claire: User) -> None:
    browser = requests.Session()
    prompts = _prompts(psc["issuer"])
    _log_in(client, psc["issuer"], browser)
    assert _prompts(psc["issuer"]) == prompts + 1
    back_url = _confirm_at_the_provider(browser, client.post(LOGOUT)["Location"])
    assert back_url.startswith(POST_LOGOUT)
    assert BOTH in _messages(back(client, back_url), client)
    # A new login at the provider asks who is there again.
    _log_in(client, psc["issuer"], browser)
    assert _prompts(psc["issuer"]) == prompts + 2
    assert client.session["_auth_user_id"] == str(claire.pk)


def test_without_the_providers_logout_a_new_login_does_not_prompt(
    client: Client, psc: dict, claire: User
) -> None:
    """The check above means something: the provider's session alone logs in again."""
    browser = requests.Session()
    _log_in(client, psc["issuer"], browser)
    prompts = _prompts(psc["issuer"])
    client.logout()
    _log_in(client, psc["issuer"], browser)
    assert _prompts(psc["issuer"]) == prompts


def test_the_endpoint_may_be_a_setting(
    client: Client, settings: object, psc: dict, claire: User
) -> None:
    _log_in(client, psc["issuer"], requests.Session())
    settings.PSC_END_SESSION_ENDPOINT = f"{psc['issuer']}/session/end?ui=portail"
    settings.PSC_ISSUER = "http://127.0.0.1:9"  # no discovery needed
    location = client.post(LOGOUT)["Location"]
    assert location.startswith(f"{psc['issuer']}/session/end?ui=portail&")
    assert "id_token_hint=" in location and "state=" in location


# --- The way back: the state ---------------------------------------------------------------


def _logged_out_at_the_provider(client: Client, issuer: str) -> str:
    browser = requests.Session()
    _log_in(client, issuer, browser)
    return _confirm_at_the_provider(browser, client.post(LOGOUT)["Location"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url.replace("state=", "state=forged"),
        lambda url: url.split("?")[0],
        lambda url: url.split("?")[0] + "?state=",
    ],
    ids=["altered state", "no state", "empty state"],
)
def test_a_bad_or_missing_state_is_not_taken_for_the_providers_logout(
    client: Client, psc: dict, claire: User, tamper: object
) -> None:
    back_url = _logged_out_at_the_provider(client, psc["issuer"])
    body = _messages(back(client, tamper(back_url)), client)
    assert UNCHECKED in body and BOTH not in body
    assert "_auth_user_id" not in client.session
    # The state was single-use: the right one now fails too.
    assert UNCHECKED in _messages(back(client, back_url), client)


def test_a_state_from_another_browser_is_refused(client: Client, psc: dict, claire: User) -> None:
    back_url = _logged_out_at_the_provider(client, psc["issuer"])
    other = Client()
    assert UNCHECKED in _messages(back(other, back_url), other)
    assert BOTH in _messages(back(client, back_url), client)  # still good in its own browser


def test_a_late_return_is_refused(client: Client, psc: dict, claire: User) -> None:
    back_url = _logged_out_at_the_provider(client, psc["issuer"])
    with time_machine.travel(time.time() + psc_logout.STATE_SECONDS + 5):
        assert UNCHECKED in _messages(back(client, back_url), client)


def test_the_way_back_logs_nobody_out_nor_speaks_to_a_logged_in_user(
    clinician_client: Client, psc: dict
) -> None:
    response = clinician_client.get(reverse("portal:psc_logged_out"), {"state": "x"})
    assert response["Location"] == LOGIN
    assert "_auth_user_id" in clinician_client.session
    assert clinician_client.get("/").status_code == 200


def test_the_way_back_is_not_found_without_psc(client: Client, settings: object) -> None:
    settings.PSC_ENABLED = False
    assert client.get(reverse("portal:psc_logged_out"), {"state": "x"}).status_code == 404


# --- When the provider fails ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_provider_still_logs_out_of_the_portal_and_says_so(
    client: Client, settings: object, psc: dict, claire: User
) -> None:
    _log_in(client, psc["issuer"], requests.Session())
    settings.PSC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    response = client.post(LOGOUT)
    body = _messages(response, client)
    assert UNREACHABLE in body
    assert "_auth_user_id" not in client.session


def test_a_provider_without_a_logout_endpoint_still_logs_out_of_the_portal(
    client: Client, settings: object, provider_without_logout: dict, claire: User
) -> None:
    configure(settings, provider_without_logout["issuer"])
    _log_in(client, provider_without_logout["issuer"], requests.Session())
    body = _messages(client.post(LOGOUT), client)
    assert UNREACHABLE in body
    assert "_auth_user_id" not in client.session


# --- Everyone else logs out as before ------------------------------------------------------


def test_logout_is_a_post_with_its_csrf_token(psc: dict, claire: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    _log_in(browser, psc["issuer"], requests.Session())
    assert browser.get(LOGOUT).status_code == 405
    assert browser.post(LOGOUT).status_code == 403
    assert "_auth_user_id" in browser.session


def test_a_password_logged_clinician_logs_out_as_before(
    clinician_client: Client, psc: dict
) -> None:
    response = clinician_client.post(LOGOUT)
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in clinician_client.session
    body = unescape(clinician_client.get(LOGIN).content.decode())
    assert all(message not in body for message in (BOTH, UNCHECKED, UNREACHABLE))


def test_a_patient_logs_out_as_before(client: Client, patient: User, psc: dict) -> None:
    login_as(client, patient)
    response = client.post(reverse("portal:patient_logout"))
    assert response["Location"] == reverse("portal:patient_login")
    assert "_auth_user_id" not in client.session


def test_an_admin_logged_in_with_psc_leaves_psc_from_the_admin_too(
    client: Client, psc: dict, claire: User
) -> None:
    claire.is_staff = True
    claire.save(update_fields=["is_staff"])
    _log_in(client, psc["issuer"], requests.Session())
    response = client.post(reverse("admin:logout"))
    assert response["Location"].startswith(f"{psc['issuer']}/session/end?")
    assert "_auth_user_id" not in client.session


def test_a_password_logged_admin_leaves_the_admin_as_before(
    admin_client: Client, psc: dict
) -> None:
    response = admin_client.post(reverse("admin:logout"))
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in admin_client.session
