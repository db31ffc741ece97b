"""Use cases of the documents app: sending documents, reading them, the directory."""

import datetime
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from documents import antivirus, directory
from documents.models import Delivery, Dispatch, Document, DocumentType, Organisation, Professional
from documents.validation import CheckedFile, RejectedFile, check_upload
from notifications import services as notifications
from portal.models import PortalAccount, User

logger = logging.getLogger(__name__)


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

    With an antivirus configured, every file is scanned before anything is stored: a virus
    refuses the sending. If clamd does not answer, the sending is recorded but held
    (``WAITING_SCAN``): nobody sees it nor is notified until ``release_held_dispatch`` has
    found every file clean.
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
    scan_statuses = _scan_before_storing(
        [upload for _document, upload in checked], identity=identity, sender=sender, request=request
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
                    name=document.name.strip()[:200] or upload.filename,
                    original_filename=upload.filename,
                    document_type=document.document_type,
                    content_type=upload.content_type,
                    size=len(upload.content),
                    sha256=upload.sha256,
                    author=sender,
                    scan_status=scan_status,
                    scanned_at=scanned_at if scan_status == Document.ScanStatus.CLEAN else None,
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
                _notify_recipients(deliveries)
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
    return dispatch


def _delete_files(documents: list[Document]) -> None:
    for document in documents:
        if document.file.name:
            document.file.storage.delete(document.file.name)


def _scan_before_storing(
    uploads: list[CheckedFile], *, identity: Any, sender: User, request: HttpRequest | None
) -> list[str]:
    """The scan status of each file. A virus refuses the whole sending, before any storing.

    Once clamd fails to answer, the files left are not tried: they wait with that one.
    """
    if not antivirus.is_configured():
        return [Document.ScanStatus.NOT_CONFIGURED] * len(uploads)
    statuses: list[str] = []
    for upload in uploads:
        try:
            result = antivirus.scan(upload.content)
        except antivirus.ScannerUnavailable as error:
            logger.warning("Antivirus unavailable, the sending is held: %s", error)
            return statuses + [Document.ScanStatus.PENDING] * (len(uploads) - len(statuses))
        if not result.clean:
            audit.record(
                action="dispatch.send",
                actor=sender,
                request=request,
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


def _notify_recipients(deliveries: Iterable[Delivery]) -> None:
    """Queue the alerts of a sending that goes out; keyed per delivery, so never twice.

    An email to everyone holding the patient's portal, a notice without health data to each
    professional.
    """
    for delivery in deliveries:
        if delivery.portal_id is not None:
            for access in delivery.portal.accesses.filter(revoked_at__isnull=True).select_related(
                "user"
            ):
                notifications.queue_email(
                    purpose="document_available",
                    object_key=f"delivery:{delivery.pk}",
                    to=access.user.email,
                    template="document_available",
                )
            continue
        address = delivery.professional.email or delivery.professional.mssante_address
        if address:
            notifications.queue_email(
                purpose="document_received",
                object_key=f"delivery:{delivery.pk}",
                to=address,
                template="document_received",
            )


# --- Held sendings: released once the antivirus has scanned them -------------------------------


def release_held_dispatch(*, dispatch_id: int) -> str:
    """Scan a held sending's waiting files; send it when all are clean, refuse it on a virus.

    Safe to run any number of times, at the same time too: each file's verdict is written once,
    and one conditional UPDATE (waiting → sent or refused) claims the release, so recipients are
    notified once and the sender told once. An infected file is deleted from storage; its row
    stays, with the virus's name. Returns the sending's status.
    """
    dispatch = Dispatch.objects.select_related("identity", "sender").filter(pk=dispatch_id).first()
    if dispatch is None:
        return "missing"
    if dispatch.status != Dispatch.Status.WAITING_SCAN:
        return dispatch.status
    for document in dispatch.documents.filter(scan_status=Document.ScanStatus.PENDING).order_by(
        "pk"
    ):
        with document.file.open("rb") as handle:
            content = handle.read()
        try:
            result = antivirus.scan(content)
        except antivirus.ScannerUnavailable as error:
            logger.info("Antivirus unavailable, sending %s still held: %s", dispatch_id, error)
            break
        _record_verdict(document, result)
    return _end_hold(dispatch)


def _record_verdict(document: Document, result: antivirus.ScanResult) -> None:
    pending = Document.objects.filter(pk=document.pk, scan_status=Document.ScanStatus.PENDING)
    if result.clean:
        pending.update(scan_status=Document.ScanStatus.CLEAN, scanned_at=timezone.now())
        return
    # The row forgets the file before the file goes: a failed delete leaves an orphan file,
    # which check_document_storage reports, never a row pointing to a virus.
    if pending.update(
        scan_status=Document.ScanStatus.INFECTED,
        scanned_at=timezone.now(),
        scan_signature=result.signature[:200],
        file="",
    ):
        document.file.storage.delete(document.file.name)


def _end_hold(dispatch: Dispatch) -> str:
    """Send or refuse the sending once its files have verdicts; still waiting otherwise."""
    statuses = set(dispatch.documents.values_list("scan_status", flat=True))
    if Document.ScanStatus.INFECTED in statuses:
        outcome = Dispatch.Status.REFUSED
    elif Document.ScanStatus.PENDING in statuses:
        return Dispatch.Status.WAITING_SCAN
    else:
        outcome = Dispatch.Status.SENT
    with transaction.atomic():
        claimed = Dispatch.objects.filter(
            pk=dispatch.pk, status=Dispatch.Status.WAITING_SCAN
        ).update(status=outcome)
        if not claimed:  # another run ended the hold first
            return Dispatch.objects.values_list("status", flat=True).get(pk=dispatch.pk)
        details: dict[str, Any] = {"identity": str(dispatch.identity.uuid)}
        if outcome == Dispatch.Status.SENT:
            # Received now, not when it was held: "Documents reçus" lists it with today's.
            dispatch.deliveries.update(created_at=timezone.now())
            _notify_recipients(
                dispatch.deliveries.select_related("portal", "professional").order_by("pk")
            )
        else:
            signatures = sorted(
                set(
                    dispatch.documents.filter(scan_status=Document.ScanStatus.INFECTED).values_list(
                        "scan_signature", flat=True
                    )
                )
            )
            details |= {"reason": "virus", "signatures": signatures}
            notifications.queue_email(
                purpose="document_refused",
                object_key=f"dispatch:{dispatch.pk}",
                to=dispatch.sender.email,
                template="document_refused",
                context={"sent_at": dispatch.created_at, "signatures": ", ".join(signatures)},
            )
        audit.record(
            action="dispatch.release",
            object_type="dispatch",
            object_id=dispatch.uuid,
            outcome="success" if outcome == Dispatch.Status.SENT else "failure",
            details=details,
        )
    return outcome


def sweep_held_dispatches() -> int:
    """Every minute, once clamd answers: retry each sending still held. Returns how many."""
    if not antivirus.ping():
        return 0
    held = list(
        Dispatch.objects.filter(status=Dispatch.Status.WAITING_SCAN)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    for dispatch_id in held:
        _enqueue_release(dispatch_id)
    return len(held)


def _enqueue_release(dispatch_id: int) -> None:
    """Hand a held sending to Celery; if the broker is down, the sweeper does it later."""
    from documents.tasks import release_held_dispatch as release

    try:
        release.apply_async((dispatch_id,), retry=False)
    except Exception:  # any broker failure: the sending stays held, nothing is lost
        logger.warning("Broker unavailable: held sending %s left for the sweeper", dispatch_id)


# --- Reading -----------------------------------------------------------------------------------


def get_document_for_user(*, user: User, document_uuid: object) -> Document:
    """The document if this person may read it; a 404 otherwise, never a hint.

    Patients and their representatives read what was delivered to a portal they hold; a
    professional reads what they sent and what was sent to them. Recipients see a sending only
    once it is sent (not while held for the antivirus, nor refused); its sender sees it while
    held too. Nobody reads a file the antivirus found infected. Admins use the admin.
    """
    if not user.is_authenticated:
        raise Http404
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
        ) | (sent & Q(dispatch__deliveries__professional__user=user))
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
    recipient = (
        Q(portal__accesses__user=user)
        if user.role == User.Role.PATIENT
        else Q(professional__user=user)
    )
    Delivery.objects.filter(
        recipient, dispatch=document.dispatch, first_read_at__isnull=True
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
    """What a portal received, newest first, with type, sender and read date: one query.

    A sending held for the antivirus, or refused, is not there.
    """
    return list(
        Document.objects.filter(
            dispatch__deliveries__portal=portal, dispatch__status=Dispatch.Status.SENT
        )
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
    """Merge hook: the duplicate's documents and sendings now belong to the survivor.

    If both identities had a portal, what was delivered to the duplicate's portal moves to the
    survivor's (whichever of this hook and the portal's runs first: the duplicate's portal
    keeps its identity when both exist; when only the duplicate had one, it follows the
    survivor with its deliveries).
    """
    Document.objects.filter(identity=duplicate).update(identity=survivor)
    Dispatch.objects.filter(identity=duplicate).update(identity=survivor)
    kept = PortalAccount.objects.filter(identity=survivor).first()
    if kept is not None:
        Delivery.objects.filter(portal__identity=duplicate).update(portal=kept)


# --- Professionals: search, what they received, what they sent ---------------------------------


def has_active_portal(identity: Any) -> bool:
    """Whether "Copie au patient" can be ticked: the patient has a portal to receive it."""
    return PortalAccount.objects.filter(identity=identity, is_active=True).exists()


def search_professionals(query: str) -> list[Professional]:
    """Active directory entries for the "Ajouter des correspondants" picker."""
    return directory.search_professionals(query)


@dataclass(frozen=True)
class ReceivedDocument:
    """A line of "Documents reçus" (plain values: a page builds no model instances)."""

    uuid: Any
    name: str
    type_label: str
    patient: str
    patient_birth_date: datetime.date
    sender: str
    received_at: datetime.datetime
    delivery_id: int
    first_read_at: datetime.datetime | None


def received_documents(
    *, user: User, limit: int = 50, after: tuple[datetime.datetime, int] | None = None
) -> list[ReceivedDocument]:
    """ "Documents reçus": what was sent to this professional's directory entry, newest first.

    One query, served by the delivery index (professional, -created_at) whatever the size of
    the table: the entry is a scalar subquery, so the planner compares the index with one
    value (a join on the user would read every delivery). ``after`` is the (received at,
    delivery id) of the last row of the previous page: pages are keyed, so a document arriving
    meanwhile neither hides nor repeats one.
    """
    entry = Subquery(Professional.objects.filter(user=user).values("pk")[:1])
    received = Q(dispatch__deliveries__professional=entry)
    if after is not None:
        received_at, delivery_id = after
        # The first condition bounds the index range; the second breaks ties on the id.
        received &= Q(dispatch__deliveries__created_at__lte=received_at) & (
            Q(dispatch__deliveries__created_at__lt=received_at)
            | Q(
                dispatch__deliveries__created_at=received_at,
                dispatch__deliveries__pk__lt=delivery_id,
            )
        )
    rows = (
        # Not a sending held for the antivirus, nor a refused one.
        Document.objects.filter(received, dispatch__status=Dispatch.Status.SENT)
        .order_by("-dispatch__deliveries__created_at", "-dispatch__deliveries__pk", "pk")
        .values_list(
            "uuid",
            "name",
            "document_type__label",
            "identity__used_name",
            "identity__birth_name",
            "identity__first_name",
            "identity__birth_date",
            "dispatch__sender__first_name",
            "dispatch__sender__last_name",
            "dispatch__deliveries__created_at",
            "dispatch__deliveries__pk",
            "dispatch__deliveries__first_read_at",
        )[:limit]
    )
    return [
        ReceivedDocument(
            uuid=uuid,
            name=name,
            type_label=type_label,
            patient=f"{used_name or birth_name} {first_name.title()}",
            patient_birth_date=birth_date,
            sender=f"{sender_first} {sender_last}".strip(),
            received_at=received_at,
            delivery_id=delivery_id,
            first_read_at=first_read_at,
        )
        for (
            uuid,
            name,
            type_label,
            used_name,
            birth_name,
            first_name,
            birth_date,
            sender_first,
            sender_last,
            received_at,
            delivery_id,
            first_read_at,
        ) in rows
    ]


def get_dispatch_for_user(*, user: User, dispatch_uuid: object) -> Dispatch:
    """A sending, for the professional who made it only; a 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    dispatch = (
        Dispatch.objects.select_related("identity", "sender")
        .filter(uuid=dispatch_uuid, sender=user)
        .first()
    )
    if dispatch is None:
        raise Http404
    return dispatch


@dataclass(frozen=True)
class DeliveryStatus:
    delivery: Delivery
    notifications: list[Any]

    @property
    def pending(self) -> bool:
        """An alert still on its way: the recap page refreshes itself until none is."""
        return any(map(notifications.in_progress, self.notifications))


def dispatch_recap(dispatch: Dispatch) -> tuple[list[Document], list[DeliveryStatus]]:
    """The documents of a sending and, for each recipient, the state of their alerts."""
    documents = list(dispatch.documents.select_related("document_type").order_by("pk"))
    deliveries = dispatch.deliveries.select_related(
        "portal__identity", "professional__organisation"
    ).order_by("professional", "pk")
    statuses = []
    for delivery in deliveries:
        purpose = "document_available" if delivery.portal_id else "document_received"
        statuses.append(
            DeliveryStatus(
                delivery=delivery,
                notifications=notifications.statuses_for(
                    purpose=purpose, object_key=f"delivery:{delivery.pk}"
                ),
            )
        )
    return documents, statuses


def sent_dispatches(*, user: User, limit: int = 20) -> list[Dispatch]:
    """The professional's latest sendings, for the links to their recaps."""
    # The count is a subquery per row kept, not a GROUP BY over every sending of a busy sender.
    documents = (
        Document.objects.filter(dispatch=OuterRef("pk"))
        .order_by()
        .values("dispatch")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Dispatch.objects.filter(sender=user)
        .select_related("identity")
        .annotate(document_count=Coalesce(Subquery(documents), 0))
        .order_by("-created_at", "-pk")[:limit]
    )
