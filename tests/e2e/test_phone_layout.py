"""At 390 px, lists are stacked cards with every field visible, and no page scrolls sideways:
the search results, "Documents reçus", an identity with a long email, the duplicate warning."""

import pytest

from documents.models import DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send
from tests.e2e.conftest import PHONE, log_in
from tests.identities.conftest import make_identity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _visible_on_screen(page: object, text: str) -> None:
    box = page.get_by_text(text, exact=True).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], text


def test_search_results_and_received_documents_are_cards_on_a_phone(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    recipient_clinician: User,
    recipient: Professional,
    prescription_type: DocumentType,
) -> None:
    found = make_identity("Teleconsultation", "Bobby", "24/08/1989", sex="M")
    send(found, clinician, prescription_type, copy_to_patient=False, professionals=[recipient])
    log_in(page, live_server, clinician.email, password)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dossier/rechercher/")
    page.get_by_label("Nom", exact=True).press_sequentially("telec", delay=30)
    page.locator("#results tbody tr").first.wait_for()
    _fits(page)
    for text in ["24/08/1989", "CHABEUIL (26120)"]:
        _visible_on_screen(page, text)

    page.context.clear_cookies()
    log_in(page, live_server, recipient_clinician.email, password)
    page.goto(f"{live_server.url}/documents/recus/")
    _fits(page)
    labels = page.eval_on_selector_all(
        "tbody tr:first-child td",
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)",
    )
    assert any("Reçu le" in label for label in labels)  # each field says what it is
    _visible_on_screen(page, "Claire MARTIN")


def test_a_long_email_and_the_duplicate_warning_fit_a_phone(
    live_server: object, page: object, clinician: User, password: str
) -> None:
    identity: Identity = make_identity("Teleconsultation", "Bobby", "24/08/1989", sex="M")
    identity.email = "bobby.teleconsultation.tres-long-nom@hopital-regional-exemple.fr"
    identity.save(update_fields=["email"])
    log_in(page, live_server, clinician.email, password)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dossier/{identity.uuid}/")
    _fits(page)
    page.goto(
        f"{live_server.url}/dossier/creer/?birth_name=TELECONSULTATION&first_name=BOBBY"
        "&birth_date=24/08/1989"
    )
    page.get_by_label("M", exact=True).check()
    page.get_by_label("CP et ville de naissance").press_sequentially("chabeu", delay=30)
    page.get_by_role("option", name="CHABEUIL (26120)").click()
    page.get_by_label("Conformément aux Conditions Générales d'Utilisation").check()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Doublons probables").wait_for()
    _fits(page)
    _visible_on_screen(page, "24/08/1989")
