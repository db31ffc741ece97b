"""The print wizard's step 1 with a name over 200 characters (typed, or the print job's own, up
to 255 from the computer, kept when the field is left empty): refused with its length."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import DocumentType
from printer.models import PrintJob

pytestmark = pytest.mark.django_db

LONG = "Microsoft Word - compte rendu opératoire " * 6  # 245 characters, stripped


def _url(job: PrintJob) -> str:
    return reverse("printer:job_type", args=[job.uuid])


def test_a_typed_name_over_200_characters_is_refused(
    clinician_client: Client, waiting_job: PrintJob, prescription_type: DocumentType
) -> None:
    response = clinician_client.post(
        _url(waiting_job), {"document_type": prescription_type.pk, "name": LONG}
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "ne peut pas dépasser 200 caractères (celui-ci en a 245)" in body
    assert f'value="{LONG.strip()}' in body
    waiting_job.refresh_from_db()
    assert waiting_job.document_type is None
    assert waiting_job.name == "Microsoft Word - ordonnance.docx"


def test_a_long_job_name_left_as_it_is_or_emptied_is_refused(
    clinician_client: Client, waiting_job: PrintJob, prescription_type: DocumentType
) -> None:
    waiting_job.name = LONG.strip()
    waiting_job.save()
    page = clinician_client.get(_url(waiting_job)).content.decode()
    field = next(tag for tag in page.split("<input") if 'name="name"' in tag)
    assert "maxlength" not in field and 'data-max-length="200"' in field
    for name in (LONG.strip(), ""):
        response = clinician_client.post(
            _url(waiting_job), {"document_type": prescription_type.pk, "name": name}
        )
        assert response.status_code == 400, name
        assert "(celui-ci en a 245)" in html.unescape(response.content.decode())
    response = clinician_client.post(
        _url(waiting_job), {"document_type": prescription_type.pk, "name": "Compte rendu"}
    )
    assert response.status_code == 302
    waiting_job.refresh_from_db()
    assert waiting_job.name == "Compte rendu"
