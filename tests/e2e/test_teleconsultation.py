"""The guide's "PROCEDURE VIA L'OUTIL DE TELECONSULTATION", both screens, in Chromium.

The clinician plans a teleconsultation with Bobby (his portal created on the way, invited by
email and SMS), the patient opens the join link of the dev outbox, the clinician hangs up in
the (stand-in) video room and finalises: two files dropped on the zone, a correspondent, 25 €,
four stars. Then: one alert email to the patient, the receipt's text, the patient's documents.
"""

import datetime
import importlib
import re
import subprocess
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from accounts.models import User
from documents.models import DocumentType, Professional
from notifications.models import DevMessage
from portal.models import PortalAccess
from teleconsult import services
from teleconsult.models import Teleconsultation
from tests.documents.conftest import pdf_bytes
from tests.e2e.conftest import log_in
from tests.e2e.test_send_document import _drop_file
from tests.factories import IdentityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dev_outbox(settings: object, live_server: object) -> None:
    settings.DEV_OUTBOX = True
    settings.SITE_URL = live_server.url
    settings.TELECONSULT_VIDEO_STAND_IN = True
    settings.MAILERS = {"default": {"BACKEND": "notifications.backends.email.OutboxEmailBackend"}}
    settings.SMS_BACKEND = "notifications.backends.sms.OutboxBackend"


def test_plan_join_and_finalise_a_teleconsultation(
    live_server: object,
    page: object,
    browser: object,
    clinician: User,
    password: str,
    recipient: Professional,
    prescription_type: DocumentType,
    dev_outbox: None,
    screenshot: object,
    journey_page: object,
) -> None:
    importlib.import_module("teleconsult.migrations.0002_receipt_document_type").seed(
        django_apps, None
    )
    clinician.professional_profile.default_amount = Decimal(25)
    clinician.professional_profile.save(update_fields=["default_amount"])
    IdentityFactory(
        birth_name="TELECONSULTATION",
        first_name="BOBBY",
        birth_first_names="BOBBY",
        birth_date=datetime.date(1989, 8, 24),
        sex="M",
        email="",
        mobile="",
    )

    # Planning: search the patient, create his portal, invite him, finish.
    log_in(page, live_server, clinician.email, password)
    page.goto(f"{live_server.url}/teleconsultation/creer/")
    page.get_by_role("heading", name="Patient").wait_for()
    page.get_by_label("Nom", exact=True).press_sequentially("TELECONSULTATION", delay=10)
    page.get_by_label("Prénom").press_sequentially("Bobby", delay=10)
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator("#patient-results tbody tr", has_text="TELECONSULTATION")
    assert "24/08/1989" in row.inner_text()
    row.get_by_role("link", name=re.compile("Choisir")).click()
    page.get_by_text("BOBBY TELECONSULTATION").wait_for()
    page.get_by_label("Email", exact=True).fill("bobby@teleconsultation.com")
    page.get_by_label("Mobile", exact=True).fill("0601023040")
    page.get_by_label("Inviter par email").check()
    page.get_by_label("Inviter par sms").check()
    assert page.get_by_text("Créer un portail MaSantéConnectée accessible par le :").is_visible()
    assert page.locator("select[name=quality]").input_value() == "titulaire"
    page.get_by_label("J'ai informé le patient et obtenu son consentement.").check()
    soon = timezone.localtime() + datetime.timedelta(minutes=10)
    page.get_by_label("Date *", exact=True).fill(soon.strftime("%Y-%m-%d"))
    page.get_by_label("Heure").fill(soon.strftime("%H:%M"))
    assert page.get_by_label("Durée (minutes)").input_value() == "15"
    screenshot(page, "teleconsultation-plan")
    journey_page(page, "teleconsultation-plan")
    page.get_by_role("button", name="Terminer la planification").click()
    page.get_by_text("La téléconsultation est planifiée.").wait_for()
    teleconsultation = Teleconsultation.objects.get()
    assert PortalAccess.objects.get(portal__identity=teleconsultation.identity).quality == (
        "titulaire"
    )
    sent = page.locator("#sent-messages").inner_text()
    assert "bobby@teleconsultation.com" in sent and "+33601023040" in sent

    # The patient opens the link of his invitation (dev outbox): the room.
    patient_context = browser.new_context(locale="fr-FR")
    patient_page = patient_context.new_page()
    patient_page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    invitation = patient_page.locator("tr", has_text="Votre téléconsultation du").first.inner_text()
    link = re.search(r"(http://\S+/teleconsultation/rejoindre/\S+/)", invitation).group(1)
    patient_page.goto(link)
    assert teleconsultation.room_name in patient_page.url
    patient_page.get_by_role("heading", name="Salle vidéo").wait_for()
    patient_context.close()

    # The clinician hangs up in the room: the finalisation appears.
    page.reload()
    page.locator("[data-stand-in-room]").wait_for()
    assert page.locator("#finalisation").is_hidden()
    page.get_by_role("button", name="Raccrocher").click()
    page.locator("#finalisation").wait_for(state="visible")
    page.get_by_title("4 étoiles").click()  # the fourth star
    assert page.get_by_label("4 étoiles").is_checked()
    page.keyboard.press("ArrowRight")  # the stars are radio buttons: the keyboard moves them
    assert not page.get_by_label("4 étoiles").is_checked()
    page.keyboard.press("ArrowLeft")
    assert page.get_by_label("4 étoiles").is_checked()
    page.get_by_label("Commentaire libre").fill("Bonne qualité")
    _drop_file(page, "[data-dropzone]", "ordonnance.pdf", pdf_bytes())
    # Files chosen, not validated: leaving asks first (the clinician stays here).
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Mes téléconsultations").first.click(no_wait_after=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.locator("#finalisation").is_visible()
    _drop_file(page, "[data-dropzone]", "scan-cr.pdf", pdf_bytes(2))
    types = page.get_by_label("Type de document")
    types.nth(0).select_option(label="Ordonnance (prescription de produits de santé)")
    page.get_by_label("Nom", exact=True).nth(1).fill("Compte rendu de la téléconsultation")
    types.nth(1).select_option(label="Compte rendu de télémédecine")
    page.get_by_label("Rechercher un professionnel").press_sequentially("bernard", delay=20)
    page.locator("#correspondent-suggestions").get_by_text("BERNARD Sophie").click()
    assert page.locator("#chosen-correspondents input:checked").count() == 1
    assert page.get_by_label("Montant payé par le patient (€)").input_value() == "25"
    assert page.get_by_text("N'oubliez pas de Valider").is_visible()
    screenshot(page, "teleconsultation-finalise")
    journey_page(page, "teleconsultation-finalise")
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("La téléconsultation est finalisée.").wait_for()
    screenshot(page, "teleconsultation-recap")
    journey_page(page, "teleconsultation-recap")
    assert page.console_errors == []

    teleconsultation.refresh_from_db()
    assert teleconsultation.status == Teleconsultation.Status.FINALISED
    assert teleconsultation.rating == 4
    assert teleconsultation.amount == Decimal(25)
    documents = {d.name: d for d in teleconsultation.dispatch.documents.all()}
    receipt_name = f"Reçu de téléconsultation {teleconsultation.receipt_number}"
    assert set(documents) == {"ordonnance", "Compte rendu de la téléconsultation", receipt_name}
    alerts = DevMessage.objects.filter(
        channel="email", recipient="bobby@teleconsultation.com", subject__icontains="document"
    )
    assert alerts.count() == 1
    assert DevMessage.objects.filter(recipient=recipient.email).count() == 1
    text = subprocess.run(
        ["pdftotext", documents[receipt_name].file.path, "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Téléconsultation" in text and "25,00 €" in text
    assert teleconsultation.receipt_number in text
    assert clinician.professional_profile.rpps in text
    assert "TELECONSULTATION Bobby" in text
    assert services.format_euros(Decimal(25)) == "25,00 €"

    # The patient finds the three documents in his space.
    patient = User.objects.get(email="bobby@teleconsultation.com")
    session = Client()
    session.force_login(patient)
    patient_context = browser.new_context(locale="fr-FR")
    patient_context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    patient_page = patient_context.new_page()
    patient_page.goto(f"{live_server.url}/espace/")
    patient_page.get_by_role("heading", name="Mes documents").wait_for()
    space = patient_page.locator("main").inner_text()
    for name in documents:
        assert name in space, name
    screenshot(patient_page, "teleconsultation-patient-space")
    journey_page(patient_page, "teleconsultation-patient-space")
    patient_context.close()
