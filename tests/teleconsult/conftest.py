"""Fixtures of the teleconsultation tests: patients with and without a portal, a planned
teleconsultation of Claire MARTIN (``clinician``), the receipt's document type."""

import datetime
import importlib
import uuid
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import User
from documents.models import DocumentType
from identities.models import Identity
from teleconsult import services
from teleconsult.models import Teleconsultation

# Patients and document fixtures of the documents and portal tests.
from tests.documents.conftest import (  # noqa: F401
    identity_a,
    identity_b,
    patient_a,
    prescription_type,
    recipient,
    recipient_clinician,
)

IN_TWO_DAYS = datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def _receipt_type(db: None) -> DocumentType:
    # Tests in real transactions empty the tables, the seeded types too: seed them again.
    importlib.import_module("teleconsult.migrations.0002_receipt_document_type").seed(
        django_apps, None
    )
    return DocumentType.objects.get(code=services.RECEIPT_TYPE_CODE)


@pytest.fixture(autouse=True)
def _default_amount(clinician: User) -> None:
    profile = clinician.professional_profile
    profile.default_amount = Decimal("25.00")
    profile.save(update_fields=["default_amount"])


def plan(
    identity: Identity,
    clinician: User,
    *,
    starts_at: datetime.datetime | None = None,
    email: bool = True,
    sms: bool = False,
    **kwargs: object,
) -> Teleconsultation:
    return services.plan_teleconsultation(
        identity=identity,
        clinician=clinician,
        starts_at=starts_at or timezone.now() + IN_TWO_DAYS,
        invite_by_email=email,
        invite_by_sms=sms,
        email="bobby@teleconsultation.com",
        mobile="0601023040",
        **kwargs,
    )


@pytest.fixture
def planned(identity_a: Identity, patient_a: User, clinician: User) -> Teleconsultation:  # noqa: F811
    """A teleconsultation in two days with Bobby, who has a portal, invited by email."""
    return plan(identity_a, clinician)


def token() -> str:
    return uuid.uuid4().hex
