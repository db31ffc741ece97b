"""Finalising a teleconsultation with a document's name over 200 characters: refused beside the
field with its length, the rest kept, nothing finalised nor sent, never cut."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import Dispatch, DocumentType
from teleconsult.models import Teleconsultation
from tests.documents.conftest import pdf_bytes
from tests.teleconsult.conftest import token

pytestmark = pytest.mark.django_db

LONG = "Compte rendu de téléconsultation " * 10  # 329 characters, stripped


def test_a_long_document_name_is_refused_and_the_form_kept(
    clinician_client: Client, planned: Teleconsultation, prescription_type: DocumentType
) -> None:
    data = {
        "token": token(),
        "rating": "4",
        "comment": "Bonne connexion",
        "amount": "25",
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "documents-0-file": SimpleUploadedFile("cr.pdf", pdf_bytes(), "application/pdf"),
        "documents-0-name": LONG,
        "documents-0-document_type": str(prescription_type.pk),
    }
    response = clinician_client.post(reverse("teleconsult:finalise", args=[planned.uuid]), data)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "ne peut pas dépasser 200 caractères (celui-ci en a 329)" in body
    assert f'value="{LONG.strip()}' in body and "Bonne connexion" in body
    assert "cr.pdf" in body  # named, to choose again
    assert 'data-max-length="200"' in body and "js/names." in body
    assert Teleconsultation.objects.get().status == Teleconsultation.Status.PLANNED
    assert not Dispatch.objects.exists()
