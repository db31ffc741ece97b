"""Browser tests: Debian's Chromium driven by Playwright (no downloaded browser)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The personas of the documents tests: patient A with a portal, a recipient with an account.
from tests.documents.conftest import (  # noqa: F401
    identity_a,
    patient_a,
    prescription_type,
    recipient,
    recipient_clinician,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (fixtures) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/bootstrap --test installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def screenshot() -> object:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _take(page: object, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


def log_in_clinician(
    page: object,
    live_server: object,
    password: str,
    email: str = "claire@portail.test",
    *,
    then: str = "/",
) -> None:
    """Log a professional in through the real pages: the password, then the code of the app.

    The one way browser tests log a professional in. The account gets the tests' authenticator
    key (tests.factories.TOTP_KEY) if it has none, and its code is computed here.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.models import User
    from tests.factories import enrol_authenticator, totp_code

    device = enrol_authenticator(User.objects.get(email__iexact=email))
    # A second login in the same 30 s would replay the code: forget the last one used.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/connexion/code/")
    page.get_by_label("Code affiché par votre application d'authentification").fill(totp_code())
    page.get_by_role("button", name="Valider").click()
    if then:
        page.wait_for_url(f"{live_server.url}{then}")
