"""The send form's duplicate-submission token is bound to its sender and to what is sent."""

import re
import threading
import uuid
from collections.abc import Callable
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from documents import services
from documents.models import Dispatch, Document, DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes, send, stored_files
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


# The link lives in the database: a cache flush between the two posts changes nothing.
FLUSH = pytest.mark.parametrize("flush", [False, True], ids=["cache kept", "cache flushed"])


def _between_posts(flush: bool) -> None:
    if flush:
        cache.clear()


@FLUSH
def test_another_clinician_posting_my_token_gets_a_fresh_form(
    clinician_client: Client,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    flush: bool,
) -> None:
    token = uuid.uuid4().hex
    files = [("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)]
    mine = _post(clinician_client, identity_a, token=token, files=files)
    _between_posts(flush)
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


@FLUSH
@pytest.mark.parametrize(
    ("pages", "name"), [(2, "Ordonnance A"), (1, "Ordonnance renommée")], ids=["file", "name"]
)
def test_the_same_token_with_other_documents_gets_a_fresh_form(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    flush: bool,
    pages: int,
    name: str,
) -> None:
    token = uuid.uuid4().hex
    first = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("a.pdf", pdf_bytes(), "Ordonnance A", prescription_type)],
    )
    assert first.status_code == 302
    _between_posts(flush)
    second = _post(
        clinician_client,
        identity_a,
        token=token,
        files=[("a.pdf", pdf_bytes(pages=pages), name, prescription_type)],
    )
    _fresh_form(second, token)
    assert Dispatch.objects.count() == 1


@FLUSH
def test_the_same_form_posted_twice_gives_the_first_sending(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    flush: bool,
) -> None:
    """A double click sends once."""
    token = uuid.uuid4().hex
    files = [("a.pdf", pdf_bytes(), "Ordonnance A", prescription_type)]
    first = _post(clinician_client, identity_a, token=token, files=files)
    _between_posts(flush)
    second = _post(clinician_client, identity_a, token=token, files=files)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dispatch.objects.count() == 1


def test_the_service_never_gives_another_clinician_my_sending(
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    token = uuid.uuid4().hex
    mine = send(identity_a, clinician, prescription_type, token=token)
    with pytest.raises(services.TokenMismatch):
        send(identity_a, other_clinician, prescription_type, token=token)
    assert send(identity_a, clinician, prescription_type, token=token) == mine
    assert Dispatch.objects.get().sender == clinician


def _race(posts: list[Callable[[], Dispatch]]) -> tuple[list[Dispatch], list[BaseException]]:
    """Run each post in its own thread (its own connection, its own transaction), all at once."""
    barrier = threading.Barrier(len(posts))
    sendings: list[Dispatch] = []
    errors: list[BaseException] = []

    def run(post: Callable[[], Dispatch]) -> None:
        try:
            barrier.wait()
            sendings.append(post())
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sendings, errors


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_after_a_cache_flush_sends_once(
    clinician: User, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    assert connection.vendor == "postgresql"
    token = uuid.uuid4().hex
    content = pdf_bytes()

    def post() -> Dispatch:
        return send(identity_a, clinician, prescription_type, token=token, content=content)

    cache.clear()
    sendings, errors = _race([post, post])
    assert errors == []
    assert len({sending.pk for sending in sendings}) == 1
    assert Dispatch.objects.count() == 1 and Document.objects.count() == 1
    assert len(stored_files()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_clinicians_posting_one_token_at_once_make_one_sending(
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    assert connection.vendor == "postgresql"
    token = uuid.uuid4().hex
    content = pdf_bytes()
    posts = [
        lambda user=user: send(identity_a, user, prescription_type, token=token, content=content)
        for user in (clinician, other_clinician)
    ]
    sendings, errors = _race(posts)
    assert len(sendings) == 1 and len(errors) == 1
    assert isinstance(errors[0], services.TokenMismatch)
    assert Dispatch.objects.count() == 1 and Document.objects.count() == 1
    assert len(stored_files()) == 1
