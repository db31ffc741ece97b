"""From the professional's "Création d'un compte" to the patient's space, in Chromium.

The patient reads the activation email and the SMS codes in the dev outbox page, as a
developer trying the product would.
"""

import re

import pytest

from identities.models import Identity
from portal.models import User
from tests.e2e.conftest import log_in
from tests.factories import IdentityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PATIENT_PASSWORD = "mon-espace-sante-2026"


@pytest.fixture
def dev_outbox(settings: object, live_server: object) -> None:
    settings.DEV_OUTBOX = True
    settings.SITE_URL = live_server.url
    settings.MAILERS = {"default": {"BACKEND": "notifications.backends.email.OutboxEmailBackend"}}
    settings.SMS_BACKEND = "notifications.backends.sms.OutboxBackend"


def _latest_code(page: object, live_server: object) -> str:
    page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    text = page.locator("tbody tr").first.inner_text()
    return re.search(r"votre code est (\d{6})", text).group(1)


def test_a_patient_activates_their_space_and_logs_in_with_an_sms_code(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    dev_outbox: None,
    screenshot: object,
    journey_page: object,
) -> None:
    identity: Identity = IdentityFactory(
        birth_name="TELECONSULTATION", first_name="BOBBY", email="", mobile=""
    )

    # The professional creates the portal from the identity's page.
    log_in(page, live_server, clinician.email, password)
    page.goto(f"{live_server.url}/dossier/{identity.uuid}/")
    page.get_by_role("link", name="Créer un portail MaSantéConnectée").click()
    assert page.get_by_role("heading", name="Création d'un compte").is_visible()
    page.get_by_label("Email du signataire").fill("bobby@teleconsultation.com")
    page.get_by_label("Téléphone portable du signataire").fill("06 01 02 30 40")
    page.get_by_label("J'ai informé le patient et obtenu son consentement.").check()
    screenshot(page, "portal-create")
    journey_page(page, "portal-create")
    page.get_by_role("button", name="Créer le portail MaSantéConnectée").click()
    page.get_by_text("Le compte est créé").wait_for()
    page.get_by_role("button", name="Se déconnecter").click()

    # The patient opens the activation link of the email.
    page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    email = page.locator("tr", has_text="Activez votre espace MaSantéConnectée").inner_text()
    page.goto(re.search(r"(http://\S+/espace/activation/\S+/)", email).group(1))
    journey_page(page, "patient-activate")
    page.get_by_label("Choisissez un mot de passe").fill(PATIENT_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PATIENT_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    code_page = page.url
    code = _latest_code(page, live_server)
    page.goto(code_page)
    page.get_by_label("Code reçu par SMS").fill(code)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Mes documents").wait_for()
    screenshot(page, "patient-space")
    journey_page(page, "patient-space")

    # Later: email and password, then a new code by SMS.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/espace/connexion/")
    journey_page(page, "patient-login")
    page.get_by_label("Adresse email").fill("bobby@teleconsultation.com")
    page.get_by_label("Mot de passe").fill(PATIENT_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r".*/espace/code/"))
    screenshot(page, "patient-code")
    journey_page(page, "patient-code")
    second = _latest_code(page, live_server)
    page.goto(f"{live_server.url}/espace/code/")
    page.get_by_label("Code reçu par SMS").fill(second)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Mes documents").wait_for()
    assert "Bobby TELECONSULTATION" in page.locator("h1").inner_text()
    assert page.console_errors == []
