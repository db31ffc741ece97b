"""A document for the patient only (a teleconsultation receipt) in a sending to colleagues too."""

import uuid

import pytest

from accounts.exceptions import NotFound
from documents import services
from documents.models import DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import upload

pytestmark = pytest.mark.django_db


def _send_with_receipt(
    identity: Identity,
    sender: User,
    document_type: DocumentType,
    recipient: Professional,
    *,
    copy_to_patient: bool = True,
):
    return services.dispatch_documents(
        identity=identity,
        documents=[
            services.NewDocument(name="Ordonnance", document_type=document_type, upload=upload()),
            services.NewDocument(
                name="Reçu", document_type=document_type, upload=upload(), patient_only=True
            ),
        ],
        sender=sender,
        copy_to_patient=copy_to_patient,
        professionals=[recipient],
        token=uuid.uuid4().hex,
    )


def test_the_patient_and_the_sender_read_it_a_professional_recipient_does_not(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    recipient_clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = _send_with_receipt(identity_a, clinician, prescription_type, recipient)
    receipt = dispatch.documents.get(name="Reçu")
    prescription = dispatch.documents.get(name="Ordonnance")

    for reader in (patient_a, clinician):
        assert services.get_document_for_user(user=reader, document_uuid=receipt.uuid) == receipt
    assert (
        services.get_document_for_user(user=recipient_clinician, document_uuid=prescription.uuid)
        == prescription
    )
    with pytest.raises(NotFound):
        services.get_document_for_user(user=recipient_clinician, document_uuid=receipt.uuid)


def test_it_is_not_in_the_recipients_documents_recus(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    recipient_clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    _send_with_receipt(identity_a, clinician, prescription_type, recipient)

    received = services.received_documents(user=recipient_clinician)

    assert [line.name for line in received] == ["Ordonnance"]


def test_it_needs_the_copy_to_the_patient(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    with pytest.raises(services.DispatchError, match="pour le patient seulement"):
        _send_with_receipt(
            identity_a, clinician, prescription_type, recipient, copy_to_patient=False
        )
