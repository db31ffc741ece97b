"""Uploads: a file too large or of the wrong type is refused in the browser before anything is
sent, in French beside its row; a sending shows its progress."""

import pytest

from documents.models import DocumentType
from identities.models import Identity
from portal.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _choose(page: object, name: str, size: int, mime: str) -> None:
    page.locator("[data-dropzone]").wait_for(state="visible")
    page.evaluate(
        """([name, size, mime]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(size)], name, {type: mime}));
            const zone = document.querySelector("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        [name, size, mime],
    )


def test_a_file_too_large_or_of_the_wrong_type_is_refused_before_sending(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    log_in(page, live_server, clinician.email, password)
    posts.clear()
    page.goto(f"{live_server.url}/documents/envoyer/{identity_a.uuid}/")
    page.wait_for_load_state("load")

    _choose(page, "Scanner.pdf", 25 * 1024 * 1024, "application/pdf")
    page.get_by_text("Scanner.pdf : le fichier dépasse 20 Mo.").wait_for()
    _choose(page, "Tableau.xlsx", 1000, "application/vnd.ms-excel")
    page.get_by_text("Tableau.xlsx : seuls les fichiers PDF, JPEG et PNG").wait_for()
    files = page.locator("input[type=file]")
    assert all(
        files.nth(i).evaluate("input => input.files.length") == 0 for i in range(files.count())
    )
    error = page.locator("[data-document-row] [role=alert]").first
    assert error.is_visible()
    assert posts == []  # nothing was uploaded
    assert page.locator("progress").count() == 1 and page.locator("progress").is_hidden()


def test_a_file_the_server_refuses_is_named_and_the_chosen_files_stay_chosen(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    from tests.e2e.test_send_document import _drop_file

    log_in(page, live_server, clinician.email, password)
    page.goto(f"{live_server.url}/documents/envoyer/{identity_a.uuid}/")
    page.wait_for_load_state("load")
    _drop_file(page, "[data-dropzone]", "Déguisé.pdf", b"MZ\x90\x00 not a pdf")
    page.get_by_label("Type de document").first.select_option(
        label="Ordonnance (prescription de produits de santé)"
    )
    page.get_by_role("button", name="Valider").click()
    page.locator("[data-upload-errors]").get_by_text("Déguisé.pdf").wait_for()
    assert "choisissez de nouveau" not in page.locator("[data-upload-errors]").inner_text()
    chosen = page.locator("input[type=file]").first.evaluate("input => input.files[0].name")
    assert chosen == "Déguisé.pdf"
    assert page.url.endswith(f"/documents/envoyer/{identity_a.uuid}/")


def test_a_long_name_is_counted_in_the_browser_not_cut_nor_sent(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    log_in(page, live_server, clinician.email, password)
    posts.clear()
    page.goto(f"{live_server.url}/documents/envoyer/{identity_a.uuid}/")
    page.wait_for_load_state("load")
    _choose(page, "ordo.pdf", 1000, "application/pdf")
    name = page.locator("input[name='documents-0-name']")
    long_name = "Compte rendu opératoire détaillé " * 8  # 264 characters, pasted at once
    name.fill(long_name)
    assert len(name.input_value()) == len(long_name)  # not cut by the browser
    message = "Le nom d'un document ne peut pas dépasser 200 caractères (celui-ci en a 263)"
    page.get_by_text(message).wait_for()
    assert name.get_attribute("aria-invalid") == "true"
    page.get_by_role("button", name="Valider").click()
    page.wait_for_timeout(300)
    assert posts == []  # not sent while too long
    assert page.get_by_text(message).count() == 1  # said once
    name.fill("Compte rendu")
    assert page.get_by_text(message).count() == 0
