"""Reading a document: who may, the authorised download, the patient's list."""

import hashlib
from typing import Any
from uuid import UUID

from django.db.models import F, Q
from django.utils import timezone

from accounts.exceptions import NotFound
from audit import services as audit
from documents.models import Delivery, Dispatch, Document
from portal.models import PortalAccount, User


def get_document_for_user(*, user: User, document_uuid: UUID | str) -> Document:
    """The document if this person may read it; a 404 otherwise, never a hint.

    Patients and their representatives read what was delivered to a portal they hold; a
    professional reads what they sent and what was sent to them, except the documents meant for
    the patient only (a teleconsultation receipt). Recipients see a sending only
    once it is sent (not while held for the antivirus, nor refused); its sender sees it while
    held too. Nobody reads a file the antivirus found infected. Admins use the admin.
    """
    if not user.is_authenticated:
        raise NotFound
    documents = Document.objects.select_related("document_type", "dispatch", "identity").exclude(
        scan_status=Document.ScanStatus.INFECTED
    )
    sent = Q(dispatch__status=Dispatch.Status.SENT)
    if user.role == User.Role.PATIENT:
        allowed = sent & Q(
            dispatch__deliveries__portal__accesses__user=user,
            dispatch__deliveries__portal__accesses__revoked_at__isnull=True,
            dispatch__deliveries__portal__is_active=True,
        )
    else:
        allowed = Q(
            dispatch__sender=user,
            dispatch__status__in=[Dispatch.Status.SENT, Dispatch.Status.WAITING_SCAN],
        ) | (sent & Q(dispatch__deliveries__professional__user=user, patient_only=False))
    document = documents.filter(allowed, uuid=document_uuid).distinct().first()
    if document is None:
        raise NotFound
    return document


def open_document(*, document: Document, user: User, ip: str | None = None) -> Any:
    """The file, checked against its SHA-256, and the read traced (first read marked)."""
    handle = document.file.open("rb")
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    if digest.hexdigest() != document.sha256:
        handle.close()
        _record_read(document, user=user, ip=ip, outcome="failure", details={"reason": "sha256"})
        raise NotFound
    handle.seek(0)
    recipient = (
        Q(portal__accesses__user=user)
        if user.role == User.Role.PATIENT
        else Q(professional__user=user)
    )
    Delivery.objects.filter(
        recipient, dispatch=document.dispatch, first_read_at__isnull=True
    ).update(first_read_at=timezone.now())
    _record_read(document, user=user, ip=ip, details={"identity": str(document.identity.uuid)})
    return handle


def _record_read(document: Document, *, user: User, ip: str | None, **fields: Any) -> None:
    audit.record(
        action="document.read",
        actor=user,
        ip=ip,
        object_type="document",
        object_id=document.uuid,
        **fields,
    )


def portal_documents(*, portal: PortalAccount) -> list[Document]:
    """What a portal received, newest first, with type, sender and read date: one query.

    A sending held for the antivirus, or refused, is not there.
    """
    return list(
        Document.objects.filter(
            dispatch__deliveries__portal=portal, dispatch__status=Dispatch.Status.SENT
        )
        .select_related("document_type", "dispatch__sender__professional_profile")
        .annotate(first_read_at=F("dispatch__deliveries__first_read_at"))
        .only(
            "uuid",
            "name",
            "created_at",
            "document_type__label",
            "dispatch__sender__first_name",
            "dispatch__sender__last_name",
            "dispatch__sender__professional_profile__profession",
        )
        .order_by("-created_at", "-pk")
    )


def portal_documents_section(*, portal: PortalAccount, user: User) -> tuple[str, dict[str, Any]]:
    """The "Mes documents" section of the patient space (registered with the portal app)."""
    return "documents/_portal_documents.html", {"documents": portal_documents(portal=portal)}


def portal_history_names(*, portal: PortalAccount) -> dict[tuple[str, str], str]:
    """What "Qui a consulté mes documents" names: the documents and sendings of this portal."""
    names: dict[tuple[str, str], str] = {}
    rows = Document.objects.filter(
        dispatch__deliveries__portal=portal, dispatch__status=Dispatch.Status.SENT
    ).values_list("uuid", "name", "dispatch__uuid")
    for document_uuid, name, dispatch_uuid in rows.order_by("pk"):
        names[("document", str(document_uuid))] = name
        key = ("dispatch", str(dispatch_uuid))
        names[key] = f"{names[key]}, {name}" if key in names else name
    return names
