"""A clinician logs in and finds their desk, as the guide's screens expect."""

import base64
import re

import pytest

from portal.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_clinician_logs_in_and_sees_their_desk(
    live_server: object, page: object, clinician: User, password: str, screenshot: object
) -> None:
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/connexion/")
    assert page.locator("h1").inner_text() == "Connexion professionnel de santé"
    screenshot(page, "login")

    log_in(page, live_server, "claire@portail.test", password)
    assert page.locator("h1").inner_text() == "Bonjour Claire MARTIN"
    for title in ("Mes téléconsultations", "Impressions en attente", "Envoyer un document"):
        assert page.get_by_role("heading", name=title).is_visible()
    screenshot(page, "home")
    # Our CSP forbids inline scripts and styles: nothing on the page may have tripped it.
    assert page.console_errors == []

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/connexion/")


def test_a_wrong_password_is_explained_in_french(
    live_server: object, page: object, clinician: User
) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse email").fill("claire@portail.test")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Connexion").click()
    assert page.get_by_role("alert").inner_text() == "Adresse email ou mot de passe incorrect."


def test_the_desk_fits_a_phone_and_keyboard_users_can_skip_to_content(
    live_server: object, browser: object, clinician: User, password: str, screenshot: object
) -> None:
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server, "claire@portail.test", password)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "home-phone")
    context.close()


def test_a_first_login_sets_up_the_app_and_shows_the_recovery_codes_once(
    live_server: object, page: object, clinician: User, password: str, screenshot: object
) -> None:
    from django_otp.oath import TOTP

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse email").fill("claire@portail.test")
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/connexion/application/")
    assert page.locator(".qr svg").is_visible()
    screenshot(page, "login-enrol")
    secret = page.locator("code").first.inner_text()
    key = base64.b32decode(secret)
    page.get_by_label("Code affiché par l'application").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/connexion/codes-de-secours/")
    assert page.locator(".recovery-codes li").count() == 10
    screenshot(page, "login-recovery-codes")
    page.get_by_role("link", name="Je les ai conservés : continuer").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/connexion/codes-de-secours/")
    page.wait_for_url(f"{live_server.url}/")  # shown once only
    assert page.console_errors == []


def test_the_session_warns_a_minute_before_its_idle_end(
    live_server: object, page: object, clinician: User, password: str, settings: object
) -> None:
    # One minute idle: the warning (one minute before the end) comes at once.
    settings.PORTAL_IDLE_MINUTES = 1
    log_in(page, live_server, "claire@portail.test", password)
    dialog = page.locator("#session-warning")
    dialog.get_by_text("vous serez déconnecté dans une minute").wait_for(timeout=5000)
    with page.expect_response(re.compile(r"/session/prolonger/$")) as kept:
        dialog.get_by_role("button", name="Rester connecté").click()
    assert kept.value.status == 204
    assert page.console_errors == []
