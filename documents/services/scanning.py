"""Sendings held for the antivirus: release, refuse, or sweep them."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from documents import antivirus
from documents.models import Dispatch, Document
from documents.services.alerts import notify_recipients
from notifications import services as notifications

logger = logging.getLogger(__name__)


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
        try:
            with document.file.open("rb") as handle:  # streamed to clamd by chunks
                result = antivirus.scan(handle)
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
    ) and (name := document.file.name):
        document.file.storage.delete(name)


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
            notify_recipients(
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
