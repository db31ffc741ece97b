"""A clinician prints a letter to MonSisra for a patient the directory does not know yet:
the wizard creates the identity, then the patient's portal from the summary, and sends it.
The patient gets one email alert and finds the document in their space."""

import re
import urllib.request

import pytest

from documents.models import Dispatch, DocumentType
from identities.models import Identity
from notifications.models import DevMessage
from portal.models import User
from printer import ipp, server, services
from tests.e2e.conftest import log_in
from tests.e2e.test_patient_portal import PATIENT_PASSWORD, _latest_code, dev_outbox  # noqa: F401
from tests.printer.conftest import ipp_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


LETTER = """<html><body style="font-family: DejaVu Sans; font-size: 12pt; margin: 2cm">
<p>Dr Claire MARTIN<br>Médecin généraliste<br>26120 CHABEUIL</p>
<h1 style="font-size: 16pt">Ordonnance</h1>
<p>M. Jean DUCABLE, né le 12/03/1956</p>
<ol><li>Paracétamol 1 g : 1 comprimé 3 fois par jour pendant 5 jours</li>
<li>Ibuprofène 400 mg : 1 comprimé le soir pendant 3 jours</li></ol>
<p style="margin-top: 3cm">Le 30/11/2026</p></body></html>"""


def _letter_pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string=LETTER).write_pdf()


def _print(live_server: object, token: str, name: str) -> None:
    """What the computer's print dialog does: a Print-Job to the clinician's address."""
    body = ipp_request(
        server.PRINT_JOB,
        extra=[("job-name", ipp.NAME, name), ("document-format", ipp.MIME_TYPE, "application/pdf")],
    )
    request = urllib.request.Request(  # noqa: S310 (the live server)
        f"{live_server.url}{services.printer_path(token)}",
        data=body + _letter_pdf(),
        headers={"Content-Type": "application/ipp"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (live server)
        reply, _data = ipp.decode(response.read())
    assert reply.code == 0


def test_print_then_send_to_a_new_patient_with_a_new_portal(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    prescription_type: DocumentType,
    dev_outbox: None,  # noqa: F811
    screenshot: object,
    journey_page: object,
) -> None:
    _print(live_server, services.create_printer_token(user=clinician), "Courrier Ducable.docx")
    log_in(page, live_server, clinician.email, password)

    # The desk's card shows the job; opening it starts the wizard.
    page.get_by_role("link", name="Courrier Ducable.docx").click()
    page.get_by_label("Type de document").select_option(
        label="Ordonnance (prescription de produits de santé)"
    )
    preview = page.locator(".print-preview")
    for _ in range(50):  # Ghostscript draws it: wait until the browser has it
        if preview.evaluate("image => image.complete && image.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert preview.evaluate("image => image.naturalWidth") > 0
    screenshot(page, "print-wizard-type")
    journey_page(page, "print-wizard-type")
    page.get_by_role("button", name="Valider").click()

    # Patient: nobody matches, so a new identity, and back to the wizard.
    page.get_by_label("Nom", exact=True).press_sequentially("Ducable", delay=20)
    page.get_by_label("Prénom", exact=True).press_sequentially("Jean Raoul", delay=20)
    page.get_by_text("Aucun dossier ne correspond à votre recherche.").wait_for()
    page.get_by_role(
        "link",
        name="PERSONNE NE CORRESPOND À MA RECHERCHE, JE SOUHAITE CRÉER UNE NOUVELLE IDENTITÉ",
    ).click()
    page.wait_for_url(re.compile(r".*/dossier/creer/.*"))
    assert page.get_by_label("Nom de naissance *", exact=True).input_value() == "DUCABLE"
    page.get_by_label("Date de naissance JJ/MM/AAAA *", exact=True).fill("12/03/1956")
    page.get_by_label("M", exact=True).check()
    page.get_by_label("CP et ville de naissance").press_sequentially("chabeu", delay=30)
    page.get_by_role("option", name="CHABEUIL (26120)").click()
    page.get_by_label("Conformément aux Conditions Générales d'Utilisation").check()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("button", name="Choisir ce patient").click()

    # Recipients: none, the patient only.
    page.get_by_role("button", name="sans sélectionner de destinataires").click()

    # Summary: no portal yet; create it on the page that asks email and mobile, come back.
    assert page.get_by_label("Copie au patient").is_disabled()
    page.get_by_role("link", name="Créer le compte du patient").click()
    page.get_by_label("Email du signataire").fill("jean.ducable@example.org")
    page.get_by_label("Téléphone portable du signataire").fill("06 01 02 30 40")
    page.get_by_label("J'ai informé le patient et obtenu son consentement.").check()
    page.get_by_role("button", name="Créer le portail MaSantéConnectée").click()
    page.get_by_role("heading", name="Récapitulatif").wait_for()
    assert page.get_by_label("Copie au patient").is_checked()
    screenshot(page, "print-wizard-summary")
    journey_page(page, "print-wizard-summary")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Récapitulatif de l'envoi").wait_for()

    dispatch = Dispatch.objects.get()
    identity = Identity.objects.get(birth_name="DUCABLE")
    assert (dispatch.identity, dispatch.source, dispatch.copy_to_patient) == (
        identity,
        "printer",
        True,
    )
    assert dispatch.documents.get().name == "Courrier Ducable.docx"
    alerts = DevMessage.objects.filter(subject__icontains="document")
    assert alerts.count() == 1
    assert not services.waiting_jobs(clinician).exists()
    assert page.console_errors == []

    # The patient activates their space and finds the document there.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    email = page.locator("tr", has_text="Activez votre espace MaSantéConnectée").inner_text()
    page.goto(re.search(r"(http://\S+/espace/activation/\S+/)", email).group(1))
    page.get_by_label("Choisissez un mot de passe").fill(PATIENT_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PATIENT_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    code_page = page.url
    code = _latest_code(page, live_server)
    page.goto(code_page)
    page.get_by_label("Code reçu par SMS").fill(code)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Mes documents").wait_for()
    assert page.get_by_text("Courrier Ducable.docx").count() >= 1
