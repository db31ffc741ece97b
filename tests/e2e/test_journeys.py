"""The journeys of the guide a new user makes, on a desktop and on a 390 px phone: the patient reads
a document from the email's link and sees who opened it, a parent goes from one child's space to
the other's, an admin merges two duplicates and the documents follow."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import guardian_of_a, send  # noqa: F401
from tests.e2e.conftest import PHONE, log_in
from tests.e2e.test_patient_portal import dev_outbox  # noqa: F401
from tests.factories import PASSWORD, IdentityFactory, login_as
from tests.portal.conftest import child_of_a, open_portal  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _outbox_code(page: object, live_server: object) -> str:
    page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    text = page.locator("tbody tr", has_text="votre code est").first.inner_text()
    return re.search(r"votre code est (\d{6})", text).group(1)


def test_the_patient_opens_the_emails_link_on_a_phone_and_sees_who_read_the_document(
    live_server: object,
    browser: object,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    recipient: Professional,
    recipient_clinician: User,
    prescription_type: DocumentType,
    dev_outbox: None,  # noqa: F811
    journey_page: object,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type, professionals=[recipient])
    send(identity_a, clinician, prescription_type, name="Compte rendu de consultation")
    colleague = Client()
    login_as(colleague, recipient_clinician)
    document = dispatch.documents.get()
    assert colleague.get(reverse("documents:download", args=[document.uuid])).status_code == 200

    phone = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/notifications/dev/boite-d-envoi/")
    alert = page.locator("tr", has_text="Un nouveau document est disponible").first.inner_text()
    link = re.search(r"(http://\S+/espace/connexion/\?next=\S+/)", alert).group(1)
    page.goto(link)  # the patients' login, not the professionals'
    journey_page(page, "patient-login-from-email")
    page.get_by_label("Adresse email").fill("bobby@teleconsultation.com")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r".*/espace/code/"))
    code = _outbox_code(page, live_server)
    page.goto(f"{live_server.url}/espace/code/")
    page.get_by_label("Code reçu par SMS").fill(code)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/espace/{identity_a.portal.uuid}/")
    page.set_viewport_size(PHONE)
    journey_page(page, "patient-documents")
    with page.expect_response(re.compile(r"/documents/[0-9a-f-]{36}/$")) as opened:
        page.get_by_role("link", name="Ordonnance patient").click()
    assert opened.value.status == 200

    page.goto(f"{live_server.url}/espace/{identity_a.portal.uuid}/historique/")
    history = page.locator(".access-history").inner_text()
    assert "BERNARD Sophie (Médecin)" in history and "Vous" in history
    assert "Ordonnance patient" in history
    journey_page(page, "patient-history")
    phone.close()


def test_a_parent_switches_between_two_childrens_spaces(
    live_server: object,
    page: object,
    clinician: User,
    identity_a: Identity,
    child_of_a: Identity,  # noqa: F811
    guardian_of_a: User,  # noqa: F811
    journey_page: object,
) -> None:
    open_portal(
        child_of_a,
        by=clinician,
        email="parent@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    session = Client()
    session.force_login(guardian_of_a)
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/espace/")
    journey_page(page, "parent-spaces")
    page.get_by_role("link", name=re.compile("TELECONSULTATION Lea")).click()
    page.get_by_role("heading", name="Lea TELECONSULTATION").wait_for()
    journey_page(page, "parent-child-space")
    page.get_by_role("link", name="Aller à l'espace de Bobby").click()
    page.get_by_role("heading", name="Bobby TELECONSULTATION").wait_for()


def test_an_admin_merges_two_duplicates_and_the_documents_follow(
    live_server: object,
    page: object,
    admin_user: User,
    password: str,
    clinician: User,
    recipient: Professional,
    prescription_type: DocumentType,
    journey_page: object,
) -> None:
    survivor: Identity = IdentityFactory(birth_name="DOUBLON", first_name="JEANNE")
    duplicate: Identity = IdentityFactory(birth_name="DOUBLONS", first_name="JEANNE")
    dispatch = send(
        duplicate, clinician, prescription_type, copy_to_patient=False, professionals=[recipient]
    )
    log_in(page, live_server, admin_user.email, password, then="/admin/")
    journey_page(page, "admin-home")
    page.goto(f"{live_server.url}/admin/identities/identity/")
    page.locator(f"input[name=_selected_action][value='{survivor.pk}']").check()
    page.locator(f"input[name=_selected_action][value='{duplicate.pk}']").check()
    page.locator("select[name=action]").select_option("merge_duplicates")
    page.locator("button[name=index]").click()
    journey_page(page, "admin-merge")
    page.get_by_role("button", name="Fusionner").click()
    page.get_by_text("a été fusionnée").or_(page.get_by_text("fusionné")).first.wait_for()
    journey_page(page, "admin-merged")
    dispatch.refresh_from_db()
    assert dispatch.identity_id == survivor.pk
    assert dispatch.documents.get().identity_id == survivor.pk
