"""The world the authorisation matrix and the crawler probe: one of each object, nine personas.

Patient A (holder of A's portal), patient B, A's guardian; the author clinician (created A's
portal, sent A a document, planned a teleconsultation, printed a job), a recipient clinician
(got that document), an unrelated clinician, a staff member without role rights, an admin.
"""

import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from documents import services as documents
from documents.models import Document, DocumentType, Professional
from identities.models import Identity
from portal.models import User
from printer import services as printer
from teleconsult import services as teleconsult
from tests.documents.conftest import pdf_bytes, upload
from tests.factories import ClinicianFactory
from tests.portal.conftest import (  # noqa: F401  (fixtures)
    child_of_a,
    guardian_of_a,
    identity_a,
    identity_b,
    patient_a,
    patient_b,
)

PERSONAS = (
    "anonymous",
    "patient_a",
    "patient_b",
    "guardian_a",
    "author",
    "recipient",
    "unrelated",
    "staff",
    "admin",
)


@dataclass
class World:
    people: dict[str, User | None]
    identity: Identity
    document: Document
    dispatch: Any
    job: Any
    teleconsultation: Any
    printer_token: str

    def arguments(self) -> dict[str, object]:
        """Values for the URL arguments, by name: the objects of patient A."""
        return {
            "identity_uuid": self.identity.uuid,
            "portal_uuid": self.identity.portal.uuid,
            "document_uuid": self.document.uuid,
            "dispatch_uuid": self.dispatch.uuid,
            "job_uuid": self.job.uuid,
            "pk": self.teleconsultation.uuid,
            "token": "x" * 32,
            "room": self.teleconsultation.room_name,
            "job_id": 1,
        }


@pytest.fixture
def world(
    clinician: User,
    other_clinician: User,
    admin_user: User,
    patient_a: User,  # noqa: F811
    patient_b: User,  # noqa: F811
    guardian_of_a: User,  # noqa: F811
    identity_a: Identity,  # noqa: F811
    prescription_type: DocumentType,
) -> World:
    recipient_user = ClinicianFactory(first_name="Sophie", last_name="BERNARD")
    recipient: Professional = documents.register_professional(
        rpps=recipient_user.professional_profile.rpps,
        last_name="BERNARD",
        first_name="Sophie",
        profession="21",
        email="sophie@portail.test",
        user=recipient_user,
    )
    staff = ClinicianFactory(first_name="Sam", last_name="STAFF", is_staff=True)
    dispatch = documents.dispatch_documents(
        identity=identity_a,
        documents=[
            documents.NewDocument(
                name="Ordonnance", document_type=prescription_type, upload=upload()
            )
        ],
        sender=clinician,
        copy_to_patient=True,
        professionals=[recipient],
        token=uuid.uuid4().hex,
    )
    job = printer.print_job(
        owner=clinician,
        name="ordonnance.docx",
        originating_user_name="claire",
        document_format="application/pdf",
        stream=io.BytesIO(pdf_bytes()),
    )
    from django.utils import timezone

    teleconsultation = teleconsult.plan_teleconsultation(
        identity=identity_a,
        clinician=clinician,
        starts_at=timezone.now() + timezone.timedelta(days=1),
        invite_by_email=True,
        invite_by_sms=False,
        email="bobby@teleconsultation.com",
    )
    return World(
        people={
            "anonymous": None,
            "patient_a": patient_a,
            "patient_b": patient_b,
            "guardian_a": guardian_of_a,
            "author": clinician,
            "recipient": recipient_user,
            "unrelated": other_clinician,
            "staff": staff,
            "admin": admin_user,
        },
        identity=identity_a,
        document=dispatch.documents.get(),
        dispatch=dispatch,
        job=job,
        teleconsultation=teleconsultation,
        printer_token=printer.create_printer_token(user=clinician),
    )


@pytest.fixture
def prescription_type(db: None) -> DocumentType:
    import importlib

    from django.apps import apps as django_apps

    seed = importlib.import_module("documents.migrations.0003_seed_document_types").seed
    seed(django_apps, None)
    return DocumentType.objects.get(code="57833-6")


def clients(world: World, client_for: Any) -> dict[str, Client]:
    return {name: client_for(person) for name, person in world.people.items()}
