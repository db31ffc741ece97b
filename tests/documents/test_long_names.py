"""A document's name over 200 characters is refused with its length, never cut without a word:
on the send page (typed, or taken from the file's name), and by the service itself."""

import html
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import services
from documents.models import Dispatch, DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

LONG = ("Compte rendu opératoire détaillé de la cholécystectomie " * 7).strip()  # 391 characters


def _post(client: Client, identity: Identity, kind: DocumentType, **rows: object) -> object:
    data: dict[str, object] = {
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "token": uuid.uuid4().hex,
        "copy_to_patient": "on",
        "documents-0-file": SimpleUploadedFile("ordo.pdf", pdf_bytes(), "application/pdf"),
        "documents-0-name": "Ordonnance",
        "documents-0-document_type": str(kind.pk),
        "documents-1-file": SimpleUploadedFile("cr.pdf", pdf_bytes(), "application/pdf"),
        "documents-1-name": LONG,
        "documents-1-document_type": str(kind.pk),
    } | rows
    extra = {key: rows.pop(key) for key in list(rows) if key.startswith("HTTP_")}
    data = {key: value for key, value in data.items() if not key.startswith("HTTP_")}
    return client.post(reverse("documents:send", args=[identity.uuid]), data, **extra)


def test_a_typed_name_over_200_characters_is_refused_with_its_length(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    assert len(LONG) == 391
    response = _post(clinician_client, identity_a, prescription_type)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    message = (
        "Le nom d'un document ne peut pas dépasser 200 caractères (celui-ci en a 391)\u00a0: "
        "raccourcissez-le."
    )
    assert message in body
    assert body.count(message) == 1  # beside the field, once
    assert f'value="{LONG}"' in body and 'value="Ordonnance"' in body  # nothing typed is lost
    assert "choisissez à nouveau les fichiers" in body  # without the page's script, said
    assert not Dispatch.objects.exists()
    # With the page's script (it keeps the chosen files on the page), the same refusal only.
    kept = _post(clinician_client, identity_a, prescription_type, HTTP_X_KEEPS_FILES="1")
    assert kept.status_code == 400
    body = html.unescape(kept.content.decode())
    assert message in body and "choisissez à nouveau" not in body


def test_a_name_of_exactly_200_characters_is_kept_whole(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    name = LONG[:200].strip() + "x" * (200 - len(LONG[:200].strip()))
    response = _post(clinician_client, identity_a, prescription_type, **{"documents-1-name": name})
    assert response.status_code == 302
    assert Dispatch.objects.get().documents.filter(name=name).exists()


def test_without_a_name_a_file_name_over_200_characters_is_refused_too(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    filename = LONG[:240].strip() + ".pdf"  # Django cuts an uploaded file's name at 255
    assert len(filename) == 244
    response = _post(
        clinician_client,
        identity_a,
        prescription_type,
        **{
            "documents-1-file": SimpleUploadedFile(filename, pdf_bytes(), "application/pdf"),
            "documents-1-name": "",
        },
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "ne peut pas dépasser 200 caractères (celui-ci en a 244)" in body
    assert not Dispatch.objects.exists()


def test_the_name_field_counts_in_the_page_instead_of_cutting(
    clinician_client: Client, identity_a: Identity, patient_a: User
) -> None:
    page = clinician_client.get(reverse("documents:send", args=[identity_a.uuid])).content.decode()
    field = next(tag for tag in page.split("<input") if 'name="documents-0-name"' in tag)
    assert "maxlength" not in field  # the browser would cut a pasted name without a word
    assert 'data-max-length="200"' in field
    assert "static/js/names.js" in page or "js/names." in page


def test_the_service_refuses_a_long_name_rather_than_cutting_it(
    clinician: User, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    for name, filename in ((LONG, "cr.pdf"), ("", LONG[:240] + ".pdf")):
        upload = SimpleUploadedFile(filename, pdf_bytes(), "application/pdf")
        with pytest.raises(services.DispatchError, match="ne peut pas dépasser 200 caractères"):
            services.dispatch_documents(
                identity=identity_a,
                documents=[
                    services.NewDocument(name=name, document_type=prescription_type, upload=upload)
                ],
                sender=clinician,
                copy_to_patient=True,
                token=uuid.uuid4().hex,
            )
    assert not Dispatch.objects.exists()
