"""The send form's duplicate-submission token is bound to its sender and to what is sent."""

import uuid

import pytest
from django.test import Client

from documents.models import Dispatch, DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes
from tests.documents.test_send_page import _post
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def test_another_clinician_posting_my_token_does_not_get_my_recap(
    clinician_client: Client,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    token = uuid.uuid4().hex
    files = [("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)]
    mine = _post(clinician_client, identity_a, token=token, files=files)
    other = Client()
    login_as(other, other_clinician)
    theirs = _post(other, identity_a, token=token, files=files)
    assert theirs["Location"] != mine["Location"]
    assert Dispatch.objects.filter(sender=other_clinician).count() == 1
    # My sending is not theirs to read.
    assert other.get(mine["Location"]).status_code == 404


def test_the_same_token_with_other_documents_is_a_new_sending(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    token = uuid.uuid4().hex
    first = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("a.pdf", pdf_bytes(), "Ordonnance A", prescription_type)],
    )
    second = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("b.pdf", pdf_bytes(pages=2), "Ordonnance B", prescription_type)],
    )
    assert first["Location"] != second["Location"]
    assert Dispatch.objects.count() == 2
