"""Sending documents: to the patient's portal and to professionals, each notified once."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import Refused
from audit import services as audit
from documents import antivirus
from documents.models import Delivery, Dispatch, Document, DocumentType, Professional
from documents.services.alerts import notify_recipients
from documents.services.scanning import _enqueue_release
from documents.validation import (
    CheckedFile,
    RejectedFile,
    check_upload,
    clean_filename,
    name_too_long,
)
from portal.models import PortalAccount, User

logger = logging.getLogger(__name__)


class DispatchError(Refused):
    """A refused sending; the message is safe to show."""


class TokenMismatch(DispatchError):
    """The form's token already served another sender or other content: answer a fresh form."""


# How long a send form's token stays bound to its first sending.
SEND_TOKEN_TTL = 24 * 3600


@dataclass(frozen=True)
class NewDocument:
    name: str
    document_type: DocumentType
    upload: File
    # Delivered to the patient's portal only, never to the professional recipients.
    patient_only: bool = False


def dispatch_documents(
    *,
    identity: Any,
    documents: list[NewDocument],
    sender: User,
    copy_to_patient: bool,
    professionals: Iterable[Professional] = (),
    source: str = Document.Source.UPLOAD,
    token: str,
    ip: str | None = None,
    refuse_reused_token: bool = False,
) -> Dispatch:
    """Send documents to the patient's portal and to professionals; notify each once.

    One transaction writes the sending, its documents, one delivery per recipient, the access
    log and the notifications. The same form token twice gives the first sending back.

    With an antivirus configured, every file is scanned before anything is stored: a virus
    refuses the sending. If clamd does not answer, the sending is recorded but held
    (``WAITING_SCAN``): nobody sees it nor is notified until ``release_held_dispatch`` has
    found every file clean.
    """
    professionals = list(professionals)
    if not documents:
        raise DispatchError(_("Add at least one document."))
    if not copy_to_patient and not professionals:
        raise DispatchError(_("Choose at least one recipient: the patient or a professional."))
    portal = PortalAccount.objects.filter(identity=identity, is_active=True).first()
    if copy_to_patient and portal is None:
        raise DispatchError(
            _("This patient has no portal yet: create it (email and mobile) before sending a copy.")
        )
    if not copy_to_patient and any(document.patient_only for document in documents):
        raise DispatchError(_("A document for the patient only needs “Copy to the patient”."))
    for document in documents:
        # A document's name is never cut: without a name, the file's is its name.
        name = document.name.strip() or clean_filename(document.upload.name or "", limit=None)
        refusal = name_too_long(name)
        if refusal:
            raise DispatchError(refusal)
    checked = _check_uploads(documents)
    try:
        return _dispatch_checked(
            identity=identity,
            checked=checked,
            sender=sender,
            portal=portal,
            copy_to_patient=copy_to_patient,
            professionals=professionals,
            source=source,
            token=token,
            ip=ip,
            refuse_reused_token=refuse_reused_token,
        )
    finally:
        for _document, upload in checked:
            upload.close()  # the rewritten PDFs' temporary files


def _check_uploads(documents: list[NewDocument]) -> list[tuple[NewDocument, CheckedFile]]:
    """Each file checked from disk; on a refusal, the temporary files of the others go."""
    checked: list[tuple[NewDocument, CheckedFile]] = []
    try:
        for document in documents:
            checked.append((document, check_upload(document.upload)))
    except BaseException as error:
        for _document, upload in checked:
            upload.close()
        if isinstance(error, RejectedFile):
            raise DispatchError(str(error)) from None
        raise
    return checked


def _dispatch_checked(
    *,
    identity: Any,
    checked: list[tuple[NewDocument, CheckedFile]],
    sender: User,
    portal: PortalAccount | None,
    copy_to_patient: bool,
    professionals: list[Professional],
    source: str,
    token: str,
    ip: str | None,
    refuse_reused_token: bool,
) -> Dispatch:
    form_token = token
    token = _bound_token(
        token=token,
        sender=sender,
        identity=identity,
        content=[
            f"{upload.received_sha256}:{document.name}:{document.document_type.pk}"
            for document, upload in checked
        ]
        + [f"patient:{copy_to_patient}"]
        + sorted(f"pro:{professional.pk}" for professional in professionals),
    )
    if refuse_reused_token and cache.get(_token_key(form_token), token) != token:
        raise TokenMismatch(
            _("This form was already used for another sending: check the documents and send again.")
        )
    existing = Dispatch.objects.filter(idempotency_key=token).first()
    if existing is not None:
        return existing
    scan_statuses = _scan_before_storing(
        [upload for _document, upload in checked], identity=identity, sender=sender, ip=ip
    )
    held = Document.ScanStatus.PENDING in scan_statuses
    scanned_at = timezone.now()
    stored: list[Document] = []
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                identity=identity,
                sender=sender,
                source=source,
                copy_to_patient=copy_to_patient,
                idempotency_key=token,
                status=Dispatch.Status.WAITING_SCAN if held else Dispatch.Status.SENT,
            )
            for (document, upload), scan_status in zip(checked, scan_statuses, strict=True):
                row = Document(
                    identity=identity,
                    dispatch=dispatch,
                    name=document.name.strip() or upload.filename,
                    original_filename=upload.filename,
                    document_type=document.document_type,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    active_content_removed=upload.active_content_removed,
                    author=sender,
                    patient_only=document.patient_only,
                    scan_status=scan_status,
                    scanned_at=scanned_at if scan_status == Document.ScanStatus.CLEAN else None,
                )
                row.file.save(upload.filename, upload.as_file(), save=False)
                stored.append(row)
                row.save()
                audit.record(
                    action="document.create",
                    actor=sender,
                    ip=ip,
                    object_type="document",
                    object_id=row.uuid,
                    details={"identity": str(identity.uuid)},
                )
            deliveries = []
            if copy_to_patient:
                deliveries.append(Delivery.objects.create(dispatch=dispatch, portal=portal))
            for professional in professionals:
                deliveries.append(
                    Delivery.objects.create(dispatch=dispatch, professional=professional)
                )
            if held:
                transaction.on_commit(lambda: _enqueue_release(dispatch.pk))
            else:
                notify_recipients(deliveries)
            audit.record(
                action="dispatch.send",
                actor=sender,
                ip=ip,
                object_type="dispatch",
                object_id=dispatch.uuid,
                details={
                    "identity": str(identity.uuid),
                    "documents": len(stored),
                    "patient": copy_to_patient,
                    "professionals": len(professionals),
                    "status": dispatch.status,
                },
            )
    except IntegrityError:
        _delete_files(stored)
        # The same form posted twice at once: the other request won; give its sending.
        existing = Dispatch.objects.filter(idempotency_key=token).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        _delete_files(stored)  # no file may outlive a rolled-back sending
        raise
    cache.set(_token_key(form_token), token, SEND_TOKEN_TTL)
    return dispatch


def _token_key(form_token: str) -> str:
    return "documents:send-token:" + hashlib.sha256(form_token.encode()).hexdigest()


def _bound_token(*, token: str, sender: User, identity: Any, content: list[str]) -> str:
    """The form's token is the browser's choice: bind it to the sender, the patient and what is
    sent, so another professional posting my token gets their own sending, never my recap."""
    parts = [str(sender.pk), str(identity.pk), token, *content]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _delete_files(documents: list[Document]) -> None:
    for document in documents:
        if document.file.name:
            document.file.storage.delete(document.file.name)


def _scan_before_storing(
    uploads: list[CheckedFile], *, identity: Any, sender: User, ip: str | None
) -> list[str]:
    """The scan status of each file. A virus refuses the whole sending, before any storing.

    Once clamd fails to answer, the files left are not tried: they wait with that one.
    """
    if not antivirus.is_configured():
        return [Document.ScanStatus.NOT_CONFIGURED] * len(uploads)
    statuses: list[str] = []
    for upload in uploads:
        try:
            result = antivirus.scan(upload.file)
        except antivirus.ScannerUnavailable as error:
            logger.warning("Antivirus unavailable, the sending is held: %s", error)
            return statuses + [Document.ScanStatus.PENDING] * (len(uploads) - len(statuses))
        if not result.clean:
            audit.record(
                action="dispatch.send",
                actor=sender,
                ip=ip,
                object_type="dispatch",
                outcome="failure",
                details={
                    "identity": str(identity.uuid),
                    "reason": "virus",
                    "signature": result.signature,
                },
            )
            raise DispatchError(
                _("%(name)s: the antivirus found a virus (%(signature)s); the file was refused.")
                % {"name": upload.filename, "signature": result.signature}
            )
        statuses.append(Document.ScanStatus.CLEAN)
    return statuses


def has_active_portal(identity: Any) -> bool:
    """Whether "Copie au patient" can be ticked: the patient has a portal to receive it."""
    return PortalAccount.objects.filter(identity=identity, is_active=True).exists()
