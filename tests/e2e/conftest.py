"""Browser tests: Debian's Chromium driven by Playwright (no downloaded browser)."""

import functools
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


# --- Logging professionals in, in one place ------------------------------------------------
def log_in(page: object, live_server: object, email: str, password: str, then: str = "/") -> None:
    """Log a professional in through the real pages: the password, then the code of the app.

    The one way browser tests log a clinician or an admin in. The account gets the tests'
    authenticator key (tests.factories.TOTP_KEY) if it has none, and its code is computed here.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.models import User
    from tests.factories import enrol_authenticator, totp_code

    device = enrol_authenticator(User.objects.get(email__iexact=email))
    # A second login in the same 30 s would replay the code: forget the last one used.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.goto(f"{live_server.url}/connexion/?next={then}")
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/connexion/code/")
    page.get_by_label("Code affiché par votre application d'authentification").fill(totp_code())
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}{then}")


# --- Each journey page: screenshots at 1280x800 and 390x844, width, axe-core ----------------
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Every page checked in this run, for the figure printed at the end.
CHECKED: list[tuple[str, int, int]] = []


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;true"


def axe_violations(page: object) -> list[dict]:
    """The serious and critical violations axe-core finds on the page (WCAG 2.x A and AA)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: scripts/bootstrap --test installs axe-core (npm ci).")
    # Through the DevTools protocol: the page's CSP (script-src 'self') refuses injected tags.
    page.evaluate(_axe_source())
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def journey_page() -> object:
    """``journey_page(page, name)``: both screenshots, no sideways scrolling on a phone, and 0
    serious or critical axe-core violation, on the page as it is now."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _check(page: object, name: str) -> None:
        page.wait_for_load_state("load")
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        violations = axe_violations(page)
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        CHECKED.append((name, len(violations), width))
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert violations == [], f"{name}: {violations}"
        assert width <= PHONE["width"], f"{name} is {width} px wide on a 390 px phone"

    return _check


def pytest_terminal_summary(terminalreporter: object) -> None:
    if CHECKED:
        serious = sum(count for _name, count, _width in CHECKED)
        terminalreporter.write_line(
            f"journey pages checked: {len(CHECKED)}; axe-core serious or critical violations: "
            f"{serious}; widest at 390 px: {max(width for *_rest, width in CHECKED)} px"
        )
