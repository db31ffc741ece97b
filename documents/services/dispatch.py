"""Sending documents: to the patient's portal and to professionals, each notified once."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
) -> Dispatch:
    """Send documents to the patient's portal and to professionals; notify each once.

    One transaction writes the sending, its documents, one delivery per recipient, the access
    log and the notifications.

    The form's token is the sending's ``idempotency_key`` (hashed; unique), so the database,
    not a cache, links a token to the one sending it made: the same sender posting the same
    form again (a double click, at once or days later) gets that sending back; another sender,
    or the same one with other documents, patient or recipients, gets ``TokenMismatch`` (the
    page answers a fresh form), never someone else's sending nor a second one.

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
) -> Dispatch:
    key = _token_key(token)
    wanted = _Sending.wanted(
        sender=sender,
        identity=identity,
        checked=checked,
        copy_to_patient=copy_to_patient,
        professionals=professionals,
    )
    existing = Dispatch.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_sending(existing, wanted)
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
                idempotency_key=key,
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
        # The same form posted twice at once: the other request won (the unique key made this
        # one wait for its commit); give its sending if it is this one's.
        existing = Dispatch.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same_sending(existing, wanted)
    except BaseException:
        _delete_files(stored)  # no file may outlive a rolled-back sending
        raise
    return dispatch


def _token_key(form_token: str) -> str:
    """A sending's ``idempotency_key``: its form's token, hashed (the token is the browser's
    choice, of any length up to 64; the key is 64 hexadecimal characters)."""
    return hashlib.sha256(form_token.encode()).hexdigest()


@dataclass(frozen=True)
class _Sending:
    """What a post asks to send, comparable with what a stored sending holds."""

    sender_id: int
    identity_id: int
    copy_to_patient: bool
    professional_ids: tuple[int, ...]
    # (SHA-256 of the stored file, name, type, patient only), sorted. A PDF's rewrite is
    # deterministic (test_dispatch), so a repeated post stores the same bytes.
    documents: tuple[tuple[str, str, int, bool], ...]

    @classmethod
    def wanted(
        cls,
        *,
        sender: User,
        identity: Any,
        checked: list[tuple[NewDocument, CheckedFile]],
        copy_to_patient: bool,
        professionals: list[Professional],
    ) -> "_Sending":
        return cls(
            sender_id=sender.pk,
            identity_id=identity.pk,
            copy_to_patient=copy_to_patient,
            professional_ids=tuple(sorted(professional.pk for professional in professionals)),
            documents=tuple(
                sorted(
                    (
                        upload.sha256,
                        document.name.strip() or upload.filename,
                        document.document_type.pk,
                        document.patient_only,
                    )
                    for document, upload in checked
                )
            ),
        )

    @classmethod
    def stored(cls, dispatch: Dispatch) -> "_Sending":
        professional_ids = dispatch.deliveries.filter(professional__isnull=False).values_list(
            "professional_id", flat=True
        )
        documents = dispatch.documents.values_list(
            "sha256", "name", "document_type_id", "patient_only"
        )
        return cls(
            sender_id=dispatch.sender_id,
            identity_id=dispatch.identity_id,
            copy_to_patient=dispatch.copy_to_patient,
            professional_ids=tuple(sorted(professional_ids)),
            documents=tuple(sorted(documents)),
        )


def _same_sending(existing: Dispatch, wanted: _Sending) -> Dispatch:
    """The sending this form's token already made, when this post repeats it; else a refusal.

    Another sender's sending is never given back, nor compared beyond its sender.
    """
    if existing.sender_id == wanted.sender_id and _Sending.stored(existing) == wanted:
        return existing
    raise TokenMismatch(
        _("This form was already used for another sending: check the documents and send again.")
    )


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
