"""Use cases of the documents app: sending documents, reading them, the directory."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from documents.models import Delivery, Dispatch, Document, DocumentType, Organisation, Professional
from documents.validation import RejectedFile, check_upload
from notifications import services as notifications
from portal.models import PortalAccount, User


class DispatchError(Exception):
    """A refused sending; the message is safe to show."""


@dataclass(frozen=True)
class NewDocument:
    name: str
    document_type: DocumentType
    upload: UploadedFile


def dispatch_documents(
    *,
    identity: Any,
    documents: list[NewDocument],
    sender: User,
    copy_to_patient: bool,
    professionals: Iterable[Professional] = (),
    source: str = Document.Source.UPLOAD,
    token: str,
    request: HttpRequest | None = None,
) -> Dispatch:
    """Send documents to the patient's portal and to professionals; notify each once.

    One transaction writes the sending, its documents, one delivery per recipient, the access
    log and the notifications. The same form token twice gives the first sending back.
    """
    existing = Dispatch.objects.filter(idempotency_key=token).first()
    if existing is not None:
        return existing
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
    try:
        checked = [(document, check_upload(document.upload)) for document in documents]
    except RejectedFile as error:
        raise DispatchError(str(error)) from None
    stored: list[Document] = []
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                identity=identity,
                sender=sender,
                source=source,
                copy_to_patient=copy_to_patient,
                idempotency_key=token,
            )
            for document, upload in checked:
                row = Document(
                    identity=identity,
                    dispatch=dispatch,
                    name=document.name.strip()[:200] or upload.filename,
                    original_filename=upload.filename,
                    document_type=document.document_type,
                    content_type=upload.content_type,
                    size=len(upload.content),
                    sha256=upload.sha256,
                    author=sender,
                )
                row.file.save(upload.filename, ContentFile(upload.content), save=False)
                stored.append(row)
                row.save()
                audit.record(
                    action="document.create",
                    actor=sender,
                    request=request,
                    object_type="document",
                    object_id=row.uuid,
                    details={"identity": str(identity.uuid)},
                )
            if copy_to_patient:
                delivery = Delivery.objects.create(dispatch=dispatch, portal=portal)
                for access in portal.accesses.filter(revoked_at__isnull=True).select_related(
                    "user"
                ):
                    notifications.queue_email(
                        purpose="document_available",
                        object_key=f"delivery:{delivery.pk}",
                        to=access.user.email,
                        template="document_available",
                    )
            for professional in professionals:
                delivery = Delivery.objects.create(dispatch=dispatch, professional=professional)
                address = professional.email or professional.mssante_address
                if address:
                    notifications.queue_email(
                        purpose="document_received",
                        object_key=f"delivery:{delivery.pk}",
                        to=address,
                        template="document_received",
                    )
            audit.record(
                action="dispatch.send",
                actor=sender,
                request=request,
                object_type="dispatch",
                object_id=dispatch.uuid,
                details={
                    "identity": str(identity.uuid),
                    "documents": len(stored),
                    "patient": copy_to_patient,
                    "professionals": len(professionals),
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
    return dispatch


def _delete_files(documents: list[Document]) -> None:
    for document in documents:
        if document.file.name:
            document.file.storage.delete(document.file.name)


# --- Reading -----------------------------------------------------------------------------------


def get_document_for_user(*, user: User, document_uuid: object) -> Document:
    """The document if this person may read it; a 404 otherwise, never a hint.

    Patients and their representatives read what was delivered to a portal they hold; a
    professional reads what they sent and what was sent to them. Admins use the admin.
    """
    if not user.is_authenticated:
        raise Http404
    documents = Document.objects.select_related("document_type", "dispatch", "identity")
    if user.role == User.Role.PATIENT:
        allowed = Q(
            dispatch__deliveries__portal__accesses__user=user,
            dispatch__deliveries__portal__accesses__revoked_at__isnull=True,
            dispatch__deliveries__portal__is_active=True,
        )
    else:
        allowed = Q(dispatch__sender=user) | Q(dispatch__deliveries__professional__user=user)
    document = documents.filter(allowed, uuid=document_uuid).distinct().first()
    if document is None:
        raise Http404
    return document


def open_document(*, document: Document, user: User, request: HttpRequest | None = None) -> Any:
    """The file, checked against its SHA-256, and the read traced (first read marked)."""
    handle = document.file.open("rb")
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    if digest.hexdigest() != document.sha256:
        handle.close()
        audit.record(
            action="document.read",
            actor=user,
            request=request,
            object_type="document",
            object_id=document.uuid,
            outcome="failure",
            details={"reason": "sha256"},
        )
        raise Http404
    handle.seek(0)
    if user.role == User.Role.PATIENT:
        Delivery.objects.filter(
            dispatch=document.dispatch, portal__accesses__user=user, first_read_at__isnull=True
        ).update(first_read_at=timezone.now())
    audit.record(
        action="document.read",
        actor=user,
        request=request,
        object_type="document",
        object_id=document.uuid,
        details={"identity": str(document.identity.uuid)},
    )
    return handle


def portal_documents(*, portal: PortalAccount) -> list[Document]:
    """What a portal received, newest first, with type, sender and read date: one query."""
    return list(
        Document.objects.filter(dispatch__deliveries__portal=portal)
        .select_related("document_type", "dispatch__sender")
        .annotate(first_read_at=F("dispatch__deliveries__first_read_at"))
        .only(
            "uuid",
            "name",
            "created_at",
            "document_type__label",
            "dispatch__sender__first_name",
            "dispatch__sender__last_name",
        )
        .order_by("-created_at", "-pk")
    )


def portal_documents_section(*, portal: PortalAccount, user: User) -> tuple[str, dict[str, Any]]:
    """The "Mes documents" section of the patient space (registered with the portal app)."""
    return "documents/_portal_documents.html", {"documents": portal_documents(portal=portal)}


# --- Directory ---------------------------------------------------------------------------------


@transaction.atomic
def register_professional(*, rpps: str, **fields: object) -> Professional:
    """Add or update a directory entry, keyed by its RPPS number."""
    professional = Professional.objects.filter(rpps=rpps).first() or Professional(rpps=rpps)
    for name, value in fields.items():
        setattr(professional, name, value)
    professional.full_clean()
    professional.save()
    return professional


@transaction.atomic
def register_organisation(*, finess: str, **fields: object) -> Organisation:
    """Add or update an organisation, keyed by its FINESS number."""
    organisation = Organisation.objects.filter(finess=finess).first() or Organisation(finess=finess)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


def follow_merged_identity(*, survivor: Any, duplicate: Any, **kwargs: object) -> None:
    """Merge hook: the duplicate's documents and sendings now belong to the survivor."""
    Document.objects.filter(identity=duplicate).update(identity=survivor)
    Dispatch.objects.filter(identity=duplicate).update(identity=survivor)
