import threading
import time
import uuid

import pytest
from django.db import connection

from audit import services as audit
from audit.models import AccessLog
from documents import services
from documents.models import Delivery, Dispatch, Document, DocumentType, Professional
from documents.validation import disarm_pdf
from identities.models import Identity
from notifications.models import Notification
from portal.models import User
from tests.documents.conftest import pdf_bytes, send, stored_files, upload

pytestmark = pytest.mark.django_db


def test_a_sending_writes_documents_deliveries_notifications_and_traces(
    identity_a: Identity,
    patient_a: User,
    guardian_of_a: User,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type, professionals=[recipient])
    document = dispatch.documents.get()
    assert (document.name, document.original_filename) == (
        "Ordonnance patient",
        "Ordonnance à envoyer.pdf",
    )
    assert document.file.name == f"documents/{document.uuid.hex[:2]}/{document.uuid.hex}"
    assert document.file.read().startswith(b"%PDF-")
    assert {(d.portal_id, d.professional_id) for d in dispatch.deliveries.all()} == {
        (identity_a.portal.pk, None),
        (None, recipient.pk),
    }
    alerts = Notification.objects.filter(purpose="document_available").values_list(
        "recipient", flat=True
    )
    assert sorted(alerts) == ["bobby@teleconsultation.com", "parent@exemple.fr"]
    notice = Notification.objects.get(purpose="document_received")
    assert notice.recipient == "sophie@portail.test"
    assert "Ordonnance" not in notice.body and "TELECONSULTATION" not in notice.body
    assert AccessLog.objects.filter(action="document.create", object_id=str(document.uuid)).exists()
    assert AccessLog.objects.filter(action="dispatch.send", object_id=str(dispatch.uuid)).exists()


def test_the_same_form_token_twice_gives_one_sending(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    token = uuid.uuid4().hex
    kwargs = {
        "identity": identity_a,
        "sender": clinician,
        "copy_to_patient": True,
        "token": token,
    }
    first = services.dispatch_documents(
        documents=[services.NewDocument("A", prescription_type, upload())], **kwargs
    )
    second = services.dispatch_documents(
        documents=[services.NewDocument("A", prescription_type, upload())], **kwargs
    )
    assert first == second
    assert Dispatch.objects.count() == 1 and Document.objects.count() == 1
    assert len(stored_files()) == 1


def test_a_copy_needs_a_portal(
    identity_b: Identity, clinician: User, prescription_type: DocumentType
) -> None:
    assert not hasattr(identity_b, "portal")
    with pytest.raises(services.DispatchError, match="n'a pas encore de portail"):
        send(identity_b, clinician, prescription_type)
    assert not stored_files()


def test_a_sending_needs_a_recipient(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    with pytest.raises(services.DispatchError, match="au moins un destinataire"):
        send(identity_a, clinician, prescription_type, copy_to_patient=False)


def test_a_rejected_file_names_itself_and_stores_nothing(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    with pytest.raises(services.DispatchError, match="seuls les fichiers PDF"):
        send(identity_a, clinician, prescription_type, content=b"MZ\x90\x00")
    assert not Dispatch.objects.exists() and not stored_files()


def test_a_failure_after_storing_leaves_no_file_behind(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        send(identity_a, clinician, prescription_type)
    assert not Document.objects.exists() and not Delivery.objects.exists()
    assert not stored_files()
    assert not Notification.objects.filter(purpose__startswith="document_").exists()


def test_merging_moves_documents_to_the_survivor(
    identity_a: Identity,
    identity_b: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    admin_user: User,
) -> None:
    from identities import services as identities

    send(identity_a, clinician, prescription_type)
    identities.merge_identities(survivor=identity_b, duplicate=identity_a, by=admin_user)
    assert Document.objects.get().identity == identity_b
    assert Dispatch.objects.get().identity == identity_b
    # Both had a portal: the survivor's keeps the deliveries; the other is closed.
    identity_a.refresh_from_db()
    assert Delivery.objects.get().portal == identity_b.portal


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_posts_of_one_form_give_one_sending(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    """Fault scenario 7: a double (or twentyfold) click sends once, and leaves no stray file."""
    threads = 20
    token = uuid.uuid4().hex
    content = pdf_bytes()  # every click sends the same file
    barrier = threading.Barrier(threads)
    sendings: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait()
            dispatch = services.dispatch_documents(
                identity=identity_a,
                documents=[services.NewDocument("Ordonnance", prescription_type, upload(content))],
                sender=clinician,
                copy_to_patient=True,
                professionals=[recipient],
                token=token,
            )
            sendings.append(dispatch.pk)
        except BaseException as error:  # reported below, with the thread that raised it
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(sendings) == threads and len(set(sendings)) == 1
    assert Dispatch.objects.count() == 1 and Document.objects.count() == 1
    assert Delivery.objects.count() == 2
    alerts = Notification.objects.filter(purpose__in=["document_available", "document_received"])
    assert alerts.count() == 2
    assert len(stored_files()) == 1  # the losers' files were removed with their rolled-back rows


def test_a_pdf_rewritten_a_second_later_is_the_same_file() -> None:
    """Two posts of one form a second apart send one file: the rewrite that removes active
    content must not take the clock into the PDF (QPDF's /ID did), or the sending's key moves."""
    content = pdf_bytes()
    first, _removed = disarm_pdf(content, "ordonnance.pdf")
    time.sleep(1.1)
    again, _removed = disarm_pdf(content, "ordonnance.pdf")

    assert again == first
