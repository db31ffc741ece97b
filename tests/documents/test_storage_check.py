import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from documents.models import DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("check_document_storage", *args, stdout=out)
    except SystemExit as exit_:
        return out.getvalue(), int(exit_.code)
    return out.getvalue(), 0


def test_a_consistent_storage_reports_nothing(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    send(identity_a, clinician, prescription_type)
    output, code = _run()
    assert code == 0
    assert "1 documents, 0 missing files, 0 orphan files" in output


def test_it_finds_missing_and_orphan_files_and_removes_orphans_on_request(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    document = send(identity_a, clinician, prescription_type).documents.get()
    default_storage.delete(document.file.name)
    orphan = default_storage.save("documents/ff/orphan", ContentFile(b"%PDF-1.7"))
    output, code = _run()
    assert code == 1
    assert f"missing file: {document.file.name}" in output
    assert f"orphan file: {orphan}" in output
    _run("--delete-orphan-files")
    assert not default_storage.exists(orphan)
