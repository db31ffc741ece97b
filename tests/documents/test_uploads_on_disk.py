"""Received files lie on disk, not in memory: checked from there, and gone when the request ends."""

import html
import io
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client
from django.urls import reverse

from bench.printer import pdf_of_size
from documents import services
from documents.models import Dispatch, DocumentType
from documents.services import dispatch as dispatch_module
from documents.validation import MAX_SIZE, CheckedFile, check_upload
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def _temp_files() -> list[Path]:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    return sorted(folder.iterdir()) if folder.exists() else []


def _post(client: Client, identity: Identity, kind: DocumentType, *files: tuple[str, bytes]) -> Any:
    data: dict[str, object] = {
        "documents-TOTAL_FORMS": str(max(3, len(files))),
        "documents-INITIAL_FORMS": "0",
        "token": uuid.uuid4().hex,
        "copy_to_patient": "on",
    }
    for index, (name, content) in enumerate(files):
        data[f"documents-{index}-file"] = SimpleUploadedFile(name, content)
        data[f"documents-{index}-name"] = ""
        data[f"documents-{index}-document_type"] = kind.pk
    return client.post(reverse("documents:send", args=[identity.uuid]), data)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What check_upload was given: the class of the upload, its file on disk and its size."""
    calls: list[dict[str, Any]] = []

    def spy(upload: Any) -> CheckedFile:
        path = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else None
        calls.append(
            {
                "class": type(upload),
                "path": path,
                "on_disk": path is not None and os.path.exists(path),
                "bytes_on_disk": os.path.getsize(path) if path else None,
                "size": upload.size,
            }
        )
        checked = check_upload(upload)
        calls[-1]["checked"] = checked
        return checked

    monkeypatch.setattr(dispatch_module, "check_upload", spy)
    return calls


def test_a_received_file_is_checked_from_a_temporary_file_then_deleted(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    seen: list[dict[str, Any]],
) -> None:
    content = pdf_of_size(3 * 1024 * 1024)
    response = _post(clinician_client, identity_a, prescription_type, ("CR.pdf", content))
    assert response.status_code == 302
    [call] = seen
    assert call["class"] is TemporaryUploadedFile and call["on_disk"]
    assert Path(call["path"]).parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert call["bytes_on_disk"] == len(content)
    assert call["checked"].file.closed  # the rewritten PDF's temporary file is closed: gone
    document = Dispatch.objects.get().documents.get()
    with document.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert document.size == call["checked"].size > 3 * 1024 * 1024  # the image kept
    assert _temp_files() == []


def test_a_refused_sending_leaves_no_temporary_file(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    seen: list[dict[str, Any]],
) -> None:
    good = pdf_of_size(400_000)
    bad = b"MZ" + os.urandom(400_000)  # not a PDF, whatever its name says
    response = _post(
        clinician_client, identity_a, prescription_type, ("A.pdf", good), ("B.pdf", bad)
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "B.pdf\u00a0: seuls les fichiers PDF, JPEG et PNG peuvent être envoyés." in body
    assert [call["on_disk"] for call in seen] == [True, True]
    assert seen[0]["checked"].file.closed  # the first file's rewrite went with the refusal
    assert not Dispatch.objects.exists()
    assert _temp_files() == []


def test_a_25_mb_file_is_refused_by_its_name_and_never_written_whole(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    seen: list[dict[str, Any]],
) -> None:
    content = b"%PDF-1.7\n" + os.urandom(25 * 1024 * 1024)
    response = _post(clinician_client, identity_a, prescription_type, ("Scanner.pdf", content))
    assert response.status_code == 400
    assert "Scanner.pdf\u00a0: le fichier dépasse 20 Mo." in html.unescape(
        response.content.decode()
    )
    [call] = seen
    assert call["size"] == len(content)  # the size sent, counted
    assert call["bytes_on_disk"] == MAX_SIZE + 1  # what was written: the cap, not 25 MB
    assert not Dispatch.objects.exists()
    assert _temp_files() == []


def test_a_request_larger_than_a_whole_sending_gets_a_french_413_unread(
    clinician_client: Client,
    identity_a: Identity,
    prescription_type: DocumentType,
    monkeypatch: pytest.MonkeyPatch,
    seen: list[dict[str, Any]],
) -> None:
    monkeypatch.setattr("portal.middleware.MAX_REQUEST_SIZE", 1024 * 1024)
    response = _post(
        clinician_client, identity_a, prescription_type, ("CR.pdf", pdf_of_size(2 * 1024 * 1024))
    )
    assert response.status_code == 413
    assert "dépassent 1 Mo" in response.content.decode()
    assert seen == [] and _temp_files() == []  # refused before the body was parsed


def test_the_checks_read_the_file_by_chunks_not_at_once() -> None:
    content = pdf_of_size(3 * 1024 * 1024)
    reads: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            reads.append(size)
            return super().read(size)

    upload = SimpleUploadedFile("CR.pdf", b"")
    upload.file = Recording(content)
    checked = check_upload(upload)
    try:
        assert -1 not in reads and None not in reads and max(reads) <= 1024 * 1024
        assert checked.read().startswith(b"%PDF-") and checked.size == len(checked.read())
    finally:
        checked.close()
    assert checked.file.closed


def test_a_sending_of_small_files_stays_in_memory_and_still_works(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    dispatch = services.dispatch_documents(
        identity=identity_a,
        documents=[
            services.NewDocument("A", prescription_type, SimpleUploadedFile("a.pdf", pdf_bytes()))
        ],
        sender=clinician,
        copy_to_patient=True,
        token=uuid.uuid4().hex,
    )
    assert dispatch.documents.get().size > 0
