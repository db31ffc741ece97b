"""A clinician sends a document from the patient's record to the patient and a pharmacy; the
pharmacist finds it in "Documents reçus"."""

import base64
import re

import pytest

from documents import services
from documents.models import Dispatch, DocumentType, Organisation, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _drop_file(page: object, selector: str, name: str, content: bytes) -> None:
    """Drop a file on the zone as a user would drag it from their desktop."""
    # The zone shows once documents.js has run: before, a drop would find no listener.
    page.locator(selector).wait_for(state="visible")
    page.evaluate(
        """([selector, name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "application/pdf"}));
            const zone = document.querySelector(selector);
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        [selector, name, base64.b64encode(content).decode()],
    )


@pytest.fixture
def pharmacist(db: None) -> Professional:
    pharmacy = services.register_organisation(
        finess="260001235", name="PHARMACIE DU CENTRE", kind=Organisation.Kind.PHARMACY
    )
    return services.register_professional(
        rpps="10001000032",
        last_name="MARTIN",
        first_name="Sophie",
        profession="21",
        organisation=pharmacy,
        email="pharmacie.centre@mssante.fr",
    )


def test_send_a_document_then_the_recipient_reads_it(
    live_server: object,
    page: object,
    browser: object,
    clinician: User,
    password: str,
    identity_a: Identity,
    patient_a: User,
    pharmacist: Professional,
    recipient: Professional,
    prescription_type: DocumentType,
    screenshot: object,
    journey_page: object,
) -> None:
    log_in(page, live_server, clinician.email, password)
    journey_page(page, "clinician-home")
    page.goto(f"{live_server.url}/dossier/{identity_a.uuid}/")
    journey_page(page, "identity-record")
    page.get_by_role("link", name="Envoyer un document").click()
    page.get_by_text("Patient concerné").wait_for()
    page.wait_for_load_state("load")  # the drop zone's script listens once the page has loaded

    _drop_file(page, "[data-dropzone]", "Ordonnance à envoyer.pdf", pdf_bytes())
    name = page.get_by_label("Nom", exact=True).first
    assert name.input_value() == "Ordonnance à envoyer"  # the file's name, to rename if needed
    name.fill("Ordonnance patient perret")
    page.get_by_label("Type de document").first.select_option(
        label="Ordonnance (prescription de produits de santé)"
    )
    _drop_file(page, "[data-dropzone]", "Compte rendu.pdf", pdf_bytes(2))
    page.get_by_label("Type de document").nth(1).select_option(
        label="Ordonnance (prescription de produits de santé)"
    )

    page.get_by_label("Rechercher un professionnel").press_sequentially("pharmacie", delay=30)
    suggestion = page.locator("#correspondent-suggestions").get_by_text("MARTIN Sophie")
    suggestion.click()
    chosen = page.locator("#chosen-correspondents")
    chosen.get_by_text("PHARMACIE DU CENTRE").wait_for()
    page.get_by_label("Rechercher un professionnel").fill("bernard")
    page.locator("#correspondent-suggestions").get_by_text("BERNARD Sophie").click()
    assert chosen.locator("input:checked").count() == 2
    assert page.get_by_label("Copie au patient").is_checked()
    screenshot(page, "send-document")
    journey_page(page, "send-document")
    page.get_by_role("button", name="Valider").click()

    page.get_by_role("heading", name="Récapitulatif de l'envoi").wait_for()
    dispatch = Dispatch.objects.get()
    assert page.url.endswith(f"/documents/envois/{dispatch.uuid}/")
    assert sorted(
        dispatch.deliveries.values_list("professional__last_name", flat=True), key=str
    ) == ["BERNARD", "MARTIN", None]
    recap = page.locator("#deliveries").inner_text()
    assert "pharmacie.centre@mssante.fr" in recap and "sophie@portail.test" in recap
    assert sorted(dispatch.documents.values_list("name", flat=True)) == [
        "Compte rendu",
        "Ordonnance patient perret",
    ]
    screenshot(page, "send-recap")
    journey_page(page, "send-recap")
    assert page.console_errors == []

    # The recipient with an account finds it in "Documents reçus" and opens it.
    context = browser.new_context(locale="fr-FR")
    other = context.new_page()
    log_in(other, live_server, "sophie@portail.test", password)
    other.get_by_role("link", name="Documents reçus et mes envois").click()
    row = other.locator("tbody tr").first
    screenshot(other, "received-documents")
    journey_page(other, "received-documents")
    assert "Ordonnance patient perret" in row.inner_text()
    assert "TELECONSULTATION Bobby" in row.inner_text()
    with other.expect_response(re.compile(r"/documents/[0-9a-f-]{36}/$")) as opened:
        other.get_by_role("link", name="Ordonnance patient perret").click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    context.close()
    assert dispatch.deliveries.get(professional=recipient).first_read_at is not None
