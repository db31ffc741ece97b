"""The send form's duplicate-submission token is bound to its sender and to what is sent."""

import re
import uuid
from html import unescape

import pytest
from django.test import Client

from documents.models import Dispatch, DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes
from tests.documents.test_send_page import _post
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _fresh_form(response: object, token: str) -> str:
    """The answer to a token that is not this sender's: the form again, a new token, a message."""
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Ce formulaire a déjà servi" in html
    new = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert new != token
    return new


def test_another_clinician_posting_my_token_gets_a_fresh_form(
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
    new = _fresh_form(theirs, token)
    assert not Dispatch.objects.filter(sender=other_clinician).exists()
    # My sending is not theirs to read.
    assert other.get(mine["Location"]).status_code == 404
    # With the fresh form's token, their sending goes.
    again = _post(other, identity_a, token=new, files=files)
    assert again.status_code == 302
    assert Dispatch.objects.filter(sender=other_clinician).count() == 1


def test_the_same_token_with_other_documents_gets_a_fresh_form(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    token = uuid.uuid4().hex
    first = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("a.pdf", pdf_bytes(), "Ordonnance A", prescription_type)],
    )
    assert first.status_code == 302
    second = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("b.pdf", pdf_bytes(pages=2), "Ordonnance B", prescription_type)],
    )
    _fresh_form(second, token)
    assert Dispatch.objects.count() == 1


def test_the_same_form_posted_twice_gives_the_first_sending(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    token = uuid.uuid4().hex
    files = [("a.pdf", pdf_bytes(), "Ordonnance A", prescription_type)]
    first = _post(clinician_client, identity_a, token=token, files=files)
    second = _post(clinician_client, identity_a, token=token, files=files)
    assert first["Location"] == second["Location"]
    assert Dispatch.objects.count() == 1
