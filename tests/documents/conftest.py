import importlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Dispatch, DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.clamd import Clamd
from tests.factories import ClinicianFactory

# Patient personas (patient_a, guardian_of_a, patient_b, identity_a...) come from the portal tests.
from tests.portal.conftest import (  # noqa: F401
    child_of_a,
    guardian_of_a,
    identity_a,
    identity_b,
    patient_a,
    patient_b,
)


def pdf_bytes(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def stored_files() -> list[Path]:
    """Every file in the private storage (a test's own ``MEDIA_ROOT``)."""
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def upload(
    content: bytes | None = None, name: str = "Ordonnance à envoyer.pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


@pytest.fixture
def prescription_type(db: None) -> DocumentType:
    # Tests in real transactions empty the tables, the seeded types too: seed them again.
    seed = importlib.import_module("documents.migrations.0003_seed_document_types").seed
    seed(django_apps, None)
    return DocumentType.objects.get(code="57833-6")


@pytest.fixture
def recipient_clinician(db: None) -> User:
    return ClinicianFactory(first_name="Sophie", last_name="BERNARD", email="sophie@portail.test")


@pytest.fixture
def recipient(recipient_clinician: User) -> Professional:
    return services.register_professional(
        rpps=recipient_clinician.professional_profile.rpps,
        last_name="BERNARD",
        first_name="Sophie",
        profession="21",
        email="sophie@portail.test",
        user=recipient_clinician,
    )


def send(
    identity: Identity,
    sender: User,
    document_type: DocumentType,
    *,
    professionals: list | None = None,
    copy_to_patient: bool = True,
    content: bytes | None = None,
    name: str = "Ordonnance patient",
    token: str | None = None,
) -> Dispatch:
    return services.dispatch_documents(
        identity=identity,
        documents=[
            services.NewDocument(name=name, document_type=document_type, upload=upload(content))
        ],
        sender=sender,
        copy_to_patient=copy_to_patient,
        professionals=professionals or [],
        token=token or uuid.uuid4().hex,
    )


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    """One real clamd for the session, on an EICAR database built with sigtool."""
    daemon = Clamd(tmp_path_factory.mktemp("clamd")).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def antivirus(clamd: Clamd, settings: object) -> Clamd:
    """The portal scans with the session's clamd."""
    settings.ANTIVIRUS_URL = clamd.url
    return clamd


@pytest.fixture
def stopped_clamd(tmp_path: Path, settings: object) -> Iterator[Clamd]:
    """The portal's antivirus is configured but down; ``start()`` brings it up at that address."""
    daemon = Clamd(tmp_path / "clamd")
    daemon.folder.mkdir()
    settings.ANTIVIRUS_URL = daemon.url
    yield daemon
    daemon.stop()
