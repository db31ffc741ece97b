"""The S3 storage path, against a local S3 endpoint (moto's server) started by the test."""

import socket
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from audit import services as audit
from documents.models import DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send
from tests.factories import login_as

pytestmark = pytest.mark.django_db

BUCKET = "masanteconnectee-documents"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    # moto keeps its state per process, across servers: start from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))  # noqa: S310
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-3")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "eu-west-3",
                "access_key": "test",
                "secret_key": "test",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def test_documents_go_to_the_bucket_under_a_uuid_and_come_back_checked(
    s3: object,
    client: Client,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
) -> None:
    document = send(identity_a, clinician, prescription_type).documents.get()
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"documents/{document.uuid.hex[:2]}/{document.uuid.hex}"]
    assert "Ordonnance" not in keys[0]
    login_as(client, patient_a)
    response = client.get(reverse("documents:download", args=[document.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_bucket_never_overwrites_a_file(
    s3: object,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    first = default_storage.save("documents/aa/same", ContentFile(b"one"))
    second = default_storage.save("documents/aa/same", ContentFile(b"two"))
    assert first != second
    assert default_storage.open(first).read() == b"one"


def test_a_failed_sending_leaves_nothing_in_the_bucket(
    s3: object,
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
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_a_large_file_goes_from_its_temporary_file_to_the_bucket(
    s3: object,
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    import hashlib
    import uuid
    from pathlib import Path

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.printer import pdf_of_size
    from documents.models import Dispatch

    content = pdf_of_size(3 * 1024 * 1024)  # past 256 kB: received into a temporary file
    response = clinician_client.post(
        reverse("documents:send", args=[identity_a.uuid]),
        {
            "documents-TOTAL_FORMS": "3",
            "documents-INITIAL_FORMS": "0",
            "token": uuid.uuid4().hex,
            "copy_to_patient": "on",
            "documents-0-file": SimpleUploadedFile("Scanner.pdf", content),
            "documents-0-name": "",
            "documents-0-document_type": prescription_type.pk,
        },
    )
    assert response.status_code == 302
    document = Dispatch.objects.get().documents.get()
    stored = s3.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert len(stored) == document.size > 3 * 1024 * 1024
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
