"""Who may read a document: the authorisation matrix of download, and the patient's list."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from documents.models import Delivery, Document, DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send
from tests.factories import ClinicianFactory, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> Document:
    return send(identity_a, clinician, prescription_type, professionals=[recipient]).documents.get()


@pytest.fixture
def personas(
    patient_a: User,
    patient_b: User,
    guardian_of_a: User,
    clinician: User,
    recipient_clinician: User,
    db: None,
) -> dict[str, User | None]:
    return {
        "patient A": patient_a,
        "guardian of A": guardian_of_a,
        "patient B": patient_b,
        "author clinician": clinician,
        "recipient clinician": recipient_clinician,
        "unrelated clinician": ClinicianFactory(email="other@portail.test"),
        "anonymous": None,
    }


MATRIX = {
    "patient A": 200,
    "guardian of A": 200,
    "patient B": 404,
    "author clinician": 200,
    "recipient clinician": 200,
    "unrelated clinician": 404,
    "anonymous": 404,
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_the_download_matrix(
    client: Client, personas: dict[str, User | None], document: Document, persona: str
) -> None:
    if personas[persona] is not None:
        login_as(client, personas[persona])
    response = client.get(reverse("documents:download", args=[document.uuid]))
    assert response.status_code == MATRIX[persona]
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


# The sending pages: professionals only (a patient gets a 404, anonymous goes to log in); a
# recap is its sender's only. Columns: send page for patient A, the recap, "Documents reçus",
# "Mes envois".
PAGES_MATRIX = {
    "patient A": (404, 404, 404, 404),
    "guardian of A": (404, 404, 404, 404),
    "patient B": (404, 404, 404, 404),
    "author clinician": (200, 200, 200, 200),
    "recipient clinician": (200, 404, 200, 200),
    "unrelated clinician": (200, 404, 200, 200),
    "anonymous": (302, 302, 302, 302),
}


@pytest.mark.parametrize("persona", list(PAGES_MATRIX))
def test_the_sending_pages_matrix(
    client: Client,
    personas: dict[str, User | None],
    document: Document,
    identity_a: Identity,
    persona: str,
) -> None:
    if personas[persona] is not None:
        login_as(client, personas[persona])
    urls = (
        reverse("documents:send", args=[identity_a.uuid]),
        reverse("documents:recap", args=[document.dispatch.uuid]),
        reverse("documents:received"),
        reverse("documents:sent"),
    )
    assert tuple(client.get(url).status_code for url in urls) == PAGES_MATRIX[persona]


def test_the_download_is_safe_to_open(client: Client, patient_a: User, document: Document) -> None:
    login_as(client, patient_a)
    response = client.get(reverse("documents:download", args=[document.uuid]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=UTF-8''Ordonnance%20patient.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_reading_is_traced_and_marks_the_document_read(
    client: Client, patient_a: User, document: Document
) -> None:
    login_as(client, patient_a)
    assert Delivery.objects.get(portal__isnull=False).first_read_at is None
    b"".join(client.get(reverse("documents:download", args=[document.uuid])).streaming_content)
    assert Delivery.objects.get(portal__isnull=False).first_read_at is not None
    assert AccessLog.objects.filter(
        action="document.read", actor=patient_a, object_id=str(document.uuid)
    ).exists()


def test_a_file_changed_on_disk_is_not_served(
    client: Client, patient_a: User, document: Document
) -> None:
    with document.file.storage.open(document.file.name, "wb") as handle:
        handle.write(b"%PDF-1.7 tampered")
    login_as(client, patient_a)
    assert client.get(reverse("documents:download", args=[document.uuid])).status_code == 404
    assert AccessLog.objects.filter(action="document.read", outcome="failure").exists()


def test_a_revoked_guardian_loses_access_on_the_next_request(
    client: Client, guardian_of_a: User, document: Document
) -> None:
    from django.utils import timezone

    login_as(client, guardian_of_a)
    url = reverse("documents:download", args=[document.uuid])
    assert client.get(url).status_code == 200
    guardian_of_a.portal_accesses.update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


def test_the_patient_space_lists_documents_newest_first(
    client: Client,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
) -> None:
    report = DocumentType.objects.get(code="11488-4")
    send(identity_a, clinician, prescription_type, name="Ordonnance de mars")
    send(identity_a, clinician, report, name="Compte rendu de consultation")
    login_as(client, patient_a)
    body = client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid])).content.decode()
    assert body.index("Compte rendu de consultation") < body.index("Ordonnance de mars")
    assert "Ordonnance (prescription de produits de santé)" in body
    assert "envoyé par Dr Claire MARTIN le" in body
    assert body.count("Nouveau") == 2


def test_the_list_of_200_documents_takes_at_most_5_queries(
    client: Client,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    django_assert_max_num_queries: object,
) -> None:
    for number in range(200):
        send(identity_a, clinician, prescription_type, name=f"Document {number}")
    login_as(client, patient_a)
    url = reverse("portal:portal_home", args=[identity_a.portal.uuid])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as captured:
        body = client.get(url).content.decode()
    document_queries = [q for q in captured.captured_queries if "documents_" in q["sql"]]
    assert len(document_queries) <= 5
    assert body.count("Document ") >= 200


def test_a_document_also_sent_to_a_professional_is_listed_once(
    client: Client, patient_a: User, identity_a: Identity, document: Document
) -> None:
    from documents import services

    listed = services.portal_documents(portal=identity_a.portal)
    assert [d.uuid for d in listed] == [document.uuid]
    login_as(client, patient_a)
    body = client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid])).content.decode()
    assert body.count(reverse("documents:download", args=[document.uuid])) == 1
