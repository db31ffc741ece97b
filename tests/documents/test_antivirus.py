"""The antivirus hook on a real clamd: verdicts, refusals, sendings held while it is down.

clamd runs on an EICAR database built with sigtool (tests/documents/clamd.py). EICAR as a bare
text file never reaches it (the magic-bytes check refuses it first), so the infected files
here are a valid PDF and a valid PNG that carry the EICAR string.
"""

import io
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin

from audit.models import AccessLog
from documents import antivirus, services
from documents.models import Delivery, Dispatch, Document, DocumentType, Professional
from identities.models import Identity
from notifications.models import Notification
from portal.models import User
from tests.documents.clamd import EICAR, SIGNATURE, Clamd
from tests.documents.conftest import pdf_bytes, stored_files, upload
from tests.factories import login_as
from tests.workers import CeleryWorker, wait_until


def _pdf_carrying_eicar() -> bytes:
    """EICAR inside a stream the document reaches: what the PDF rewrite keeps (bytes after
    %%EOF are dropped by it)."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes()))
    pdf.Root["/PieceInfo"] = pdf.make_stream(EICAR)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


INFECTED_PDF = _pdf_carrying_eicar()
PATIENT_ALERTS = ["bobby@teleconsultation.com", "parent@exemple.fr"]


def _png_carrying_eicar() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", EICAR.decode())
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG", pnginfo=text)
    return out.getvalue()


def _send(
    identity: Identity,
    sender: User,
    document_type: DocumentType,
    recipient: Professional,
    *,
    content: bytes | None = None,
    name: str = "Compte rendu.pdf",
) -> Dispatch:
    return services.dispatch_documents(
        identity=identity,
        documents=[services.NewDocument("Compte rendu", document_type, upload(content, name))],
        sender=sender,
        copy_to_patient=True,
        professionals=[recipient],
        token=uuid.uuid4().hex,
    )


def _alerts() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(purpose__startswith="document_").values_list(
            "purpose", "recipient"
        )
    )


def _download(client: Client, user: User, document: Document) -> int:
    login_as(client, user)
    return client.get(reverse("documents:download", args=[document.uuid])).status_code


# --- The client ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("antivirus")
def test_the_client_gets_clamds_verdicts() -> None:
    assert antivirus.is_configured() and antivirus.ping()
    assert antivirus.scan(pdf_bytes()) == antivirus.ScanResult(clean=True)
    assert antivirus.scan(EICAR) == antivirus.ScanResult(clean=False, signature=SIGNATURE)
    # Streamed in several chunks: the signature at the end of 2 MB is still found.
    large = b"%PDF-1.7\n" + b"0" * 2_000_000 + EICAR
    assert antivirus.scan(large).signature == SIGNATURE


def test_no_answer_is_never_a_verdict(settings: object, tmp_path: Path) -> None:
    settings.ANTIVIRUS_URL = f"unix://{tmp_path / 'nobody.sock'}"
    with pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(EICAR)
    assert not antivirus.ping()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.ANTIVIRUS_URL = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(antivirus.ScannerUnavailable, match="refused"):
        antivirus.scan(EICAR)
    # Listening but never answering: given up after ANTIVIRUS_TIMEOUT.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.ANTIVIRUS_URL = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        settings.ANTIVIRUS_TIMEOUT = 1
        with pytest.raises(antivirus.ScannerUnavailable, match="timed out"):
            antivirus.scan(EICAR)
    settings.ANTIVIRUS_URL = ""
    with pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan(EICAR)


def test_an_error_of_clamd_is_not_a_verdict(tmp_path: Path, settings: object) -> None:
    small = Clamd(tmp_path / "small", extra_config="StreamMaxLength 1K")
    small.folder.mkdir()
    small.start()
    try:
        settings.ANTIVIRUS_URL = small.url
        assert antivirus.scan(b"%PDF-1.7 small") == antivirus.ScanResult(clean=True)
        with pytest.raises(antivirus.ScannerUnavailable):
            antivirus.scan(b"%PDF-1.7\n" + b"0" * 100_000)
    finally:
        small.stop()


# --- Sending with a scanner that answers ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("antivirus", "patient_a", "guardian_of_a")
def test_a_clean_file_is_sent_and_marked_clean(
    identity_a: Identity, clinician: User, prescription_type: DocumentType, recipient: Professional
) -> None:
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    document = dispatch.documents.get()
    assert dispatch.status == Dispatch.Status.SENT
    assert document.scan_status == Document.ScanStatus.CLEAN and document.scanned_at is not None
    assert [address for _purpose, address in _alerts()] == [*PATIENT_ALERTS, "sophie@portail.test"]


@pytest.mark.django_db
@pytest.mark.usefixtures("antivirus", "patient_a")
@pytest.mark.parametrize(
    ("name", "content"),
    [("Bilan sanguin.pdf", INFECTED_PDF), ("Radio du genou.png", _png_carrying_eicar())],
)
def test_an_infected_file_refuses_the_sending_naming_the_file_and_the_virus(
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
    name: str,
    content: bytes,
) -> None:
    with pytest.raises(services.DispatchError) as refused:
        _send(identity_a, clinician, prescription_type, recipient, content=content, name=name)
    assert str(refused.value) == (
        f"{name}\u00a0: l'antivirus a détecté un virus ({SIGNATURE})\u00a0; "
        "le fichier a été refusé."
    )
    assert not Dispatch.objects.exists() and not Document.objects.exists()
    assert not Delivery.objects.exists() and not _alerts() and not stored_files()
    trace = AccessLog.objects.get(action="dispatch.send")
    assert trace.outcome == "failure" and trace.actor == clinician
    assert trace.details == {
        "identity": str(identity_a.uuid),
        "reason": "virus",
        "signature": SIGNATURE,
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("antivirus", "patient_a")
def test_a_bare_eicar_file_is_refused_before_the_scanner(
    identity_a: Identity, clinician: User, prescription_type: DocumentType, recipient: Professional
) -> None:
    with pytest.raises(services.DispatchError) as refused:
        _send(identity_a, clinician, prescription_type, recipient, content=EICAR, name="eicar.com")
    assert "eicar.com" in str(refused.value) and SIGNATURE not in str(refused.value)
    assert not Dispatch.objects.exists() and not stored_files()


@pytest.mark.django_db
@pytest.mark.usefixtures("patient_a")
def test_without_an_antivirus_documents_are_sent_unscanned(
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
    settings: object,
) -> None:
    settings.ANTIVIRUS_URL = ""
    dispatch = _send(identity_a, clinician, prescription_type, recipient, content=INFECTED_PDF)
    assert dispatch.status == Dispatch.Status.SENT
    assert dispatch.documents.get().scan_status == Document.ScanStatus.NOT_CONFIGURED


# --- Scanner down: the sending waits -------------------------------------------------------------


@pytest.mark.django_db
def test_while_the_scanner_is_down_the_sending_waits_unseen(
    client: Client,
    stopped_clamd: Clamd,
    identity_a: Identity,
    patient_a: User,
    guardian_of_a: User,
    clinician: User,
    recipient_clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    document = dispatch.documents.get()
    assert dispatch.status == Dispatch.Status.WAITING_SCAN
    assert document.scan_status == Document.ScanStatus.PENDING and document.scanned_at is None
    # Recorded whole: every row has its file, every recipient its delivery; nobody is told.
    assert len(stored_files()) == 1 and dispatch.deliveries.count() == 2
    assert not _alerts()
    assert services.portal_documents(portal=identity_a.portal) == []
    assert services.received_documents(user=recipient_clinician) == []
    assert _download(client, patient_a, document) == 404
    assert _download(client, guardian_of_a, document) == 404
    assert _download(client, recipient_clinician, document) == 404
    assert _download(client, clinician, document) == 200
    # The release finds clamd still down: nothing changes.
    assert services.release_held_dispatch(dispatch_id=dispatch.pk) == Dispatch.Status.WAITING_SCAN
    assert services.sweep_held_dispatches() == 0
    assert not _alerts()


@pytest.mark.django_db
def test_when_clamd_is_back_the_release_notifies_each_recipient_once(
    client: Client,
    stopped_clamd: Clamd,
    identity_a: Identity,
    patient_a: User,
    guardian_of_a: User,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    stopped_clamd.start()
    assert services.release_held_dispatch(dispatch_id=dispatch.pk) == Dispatch.Status.SENT
    assert services.release_held_dispatch(dispatch_id=dispatch.pk) == Dispatch.Status.SENT
    dispatch.refresh_from_db()
    document = dispatch.documents.get()
    assert dispatch.status == Dispatch.Status.SENT
    assert document.scan_status == Document.ScanStatus.CLEAN and document.scanned_at is not None
    assert _alerts() == [
        *(("document_available", address) for address in PATIENT_ALERTS),
        ("document_received", "sophie@portail.test"),
    ]
    assert [d.uuid for d in services.portal_documents(portal=identity_a.portal)] == [document.uuid]
    assert _download(client, patient_a, document) == 200
    release = AccessLog.objects.get(action="dispatch.release")
    assert (release.outcome, release.object_id) == ("success", str(dispatch.uuid))


@pytest.mark.django_db
@pytest.mark.usefixtures("patient_a")
def test_the_sweeper_releases_held_sendings_once_clamd_answers(
    stopped_clamd: Clamd,
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    assert services.sweep_held_dispatches() == 0
    stopped_clamd.start()
    assert services.sweep_held_dispatches() == 1  # tasks run in-process here
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.SENT
    assert services.sweep_held_dispatches() == 0


@pytest.mark.django_db
def test_a_virus_found_at_release_refuses_the_sending_and_tells_the_sender(
    client: Client,
    stopped_clamd: Clamd,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    recipient_clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = services.dispatch_documents(
        identity=identity_a,
        documents=[
            services.NewDocument("Ordonnance", prescription_type, upload(name="Ordonnance.pdf")),
            services.NewDocument(
                "Bilan", prescription_type, upload(INFECTED_PDF, name="Bilan sanguin.pdf")
            ),
        ],
        sender=clinician,
        copy_to_patient=True,
        professionals=[recipient],
        token=uuid.uuid4().hex,
    )
    assert dispatch.status == Dispatch.Status.WAITING_SCAN and len(stored_files()) == 2
    stopped_clamd.start()
    assert services.release_held_dispatch(dispatch_id=dispatch.pk) == Dispatch.Status.REFUSED
    assert services.release_held_dispatch(dispatch_id=dispatch.pk) == Dispatch.Status.REFUSED
    clean, infected = dispatch.documents.order_by("pk")
    assert (clean.scan_status, infected.scan_status) == ("clean", "infected")
    # The infected file is gone; its row stays, with the virus's name and no file.
    assert (infected.scan_signature, infected.file.name) == (SIGNATURE, "")
    assert [path.name for path in stored_files()] == [clean.uuid.hex]
    out = io.StringIO()
    call_command("check_document_storage", stdout=out)
    assert "0 missing files, 0 orphan files" in out.getvalue()
    # Nobody reads any of it, and only the sender is told, once, without health data.
    for user in (patient_a, recipient_clinician, clinician):
        assert _download(client, user, clean) == 404
        assert _download(client, user, infected) == 404
    assert _alerts() == [("document_refused", "claire@portail.test")]
    notice = Notification.objects.get(purpose="document_refused")
    assert SIGNATURE in notice.body and SIGNATURE in notice.html_body
    for health_data in ("Bilan", "Ordonnance", "TELECONSULTATION", "Bobby"):
        assert health_data not in notice.subject + notice.body + notice.html_body
    release = AccessLog.objects.get(action="dispatch.release")
    assert release.outcome == "failure"
    assert release.details == {
        "identity": str(identity_a.uuid),
        "reason": "virus",
        "signatures": [SIGNATURE],
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("patient_a")
def test_admins_see_the_verdicts_and_filter_sendings_by_status(
    client: Client,
    stopped_clamd: Clamd,
    admin_user: User,
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    held = _send(identity_a, clinician, prescription_type, recipient)
    refused = _send(identity_a, clinician, prescription_type, recipient, content=INFECTED_PDF)
    stopped_clamd.start()
    services.release_held_dispatch(dispatch_id=refused.pk)
    stopped_clamd.stop()
    login_as(client, admin_user)
    changelist = reverse("admin:documents_dispatch_changelist")
    waiting = client.get(changelist, {"status__exact": "waiting_scan"}).content.decode()
    assert reverse("admin:documents_dispatch_change", args=[held.pk]) in waiting
    assert reverse("admin:documents_dispatch_change", args=[refused.pk]) not in waiting
    page = client.get(reverse("admin:documents_dispatch_change", args=[refused.pk]))
    assert SIGNATURE in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("patient_a", "guardian_of_a")
def test_parallel_releases_notify_each_recipient_once(
    stopped_clamd: Clamd,
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    stopped_clamd.start()

    def release(_: int) -> str:
        try:
            return services.release_held_dispatch(dispatch_id=dispatch.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(release, range(6)))
    assert set(outcomes) == {Dispatch.Status.SENT}
    assert len(_alerts()) == 3
    assert AccessLog.objects.filter(action="dispatch.release").count() == 1


# --- On a real worker -----------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.usefixtures("patient_a", "guardian_of_a")
def test_a_worker_releases_the_held_sending_when_clamd_is_back(
    celery_worker: CeleryWorker,
    stopped_clamd: Clamd,
    identity_a: Identity,
    clinician: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    celery_worker.env |= {
        "ANTIVIRUS_URL": stopped_clamd.url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery_worker.start()
    dispatch = _send(identity_a, clinician, prescription_type, recipient)
    # The release enqueued at commit ran on the worker and found clamd down.
    assert wait_until(lambda: "'waiting_scan'" in "".join(celery_worker.log)), "".join(
        celery_worker.log[-50:]
    )
    assert Dispatch.objects.get(pk=dispatch.pk).status == Dispatch.Status.WAITING_SCAN
    stopped_clamd.start()
    assert services.sweep_held_dispatches() == 1
    assert wait_until(
        lambda: Dispatch.objects.get(pk=dispatch.pk).status == Dispatch.Status.SENT
    ), "".join(celery_worker.log[-50:])
    # The worker also sends the alerts: one email per recipient, each sent once.
    assert wait_until(
        lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == 3
    ), "".join(celery_worker.log[-50:])
    assert len(_alerts()) == 3
