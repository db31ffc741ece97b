"""What became of a notification: provider callbacks, the reasons shown, a resend by an admin."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from notifications.models import Channel, Notification
from notifications.services.queueing import enqueue
from notifications.services.recipients import InvalidRecipient
from notifications.services.sending import ERROR_REASONS

logger = logging.getLogger(__name__)


_TWILIO_STATUSES = {
    "delivered": Notification.Status.DELIVERED,
    "undelivered": Notification.Status.FAILED,
    "failed": Notification.Status.FAILED,
}


def record_delivery_status(*, provider_id: str, status: str, error_code: str = "") -> bool:
    """Apply a provider's delivery report; False when the message is not ours."""
    if not provider_id:  # no message id: it would match every row the provider never took
        logger.info("Delivery status without a message id ignored")
        return False
    new_status = _TWILIO_STATUSES.get(status)
    rows = Notification.objects.filter(provider_id=provider_id, channel=Channel.SMS)
    if not rows.exists():
        logger.info("Delivery status for an unknown message %s ignored", provider_id)
        return False
    if new_status is None:  # queued, sending, sent: nothing new
        return True
    # Only forward: a late "failed" never overrides "delivered".
    rows.filter(status__in=[Notification.Status.SENT, Notification.Status.UNKNOWN]).update(
        status=new_status, error_code=error_code[:32], updated_at=timezone.now()
    )
    return True


def reason(notification: Notification) -> str:
    """Why a notification failed, in French, for the sender."""
    if notification.status not in (Notification.Status.FAILED, Notification.Status.UNKNOWN):
        return ""
    if notification.status == Notification.Status.UNKNOWN:
        return str(gettext_lazy("Interrupted while sending: to be checked before any resend."))
    return str(ERROR_REASONS.get(notification.error_code, gettext_lazy("Delivery failed.")))


def in_progress(notification: Notification) -> bool:
    """Queued or being sent: its status will still change."""
    return notification.status in (Notification.Status.PENDING, Notification.Status.SENDING)


def statuses_for(*, purpose: str, object_key: str) -> list[Notification]:
    """Every notification of one business object, for the sender's recap."""
    return list(
        Notification.objects.filter(purpose=purpose, object_key=object_key).order_by(
            "recipient", "channel", "pk"
        )
    )


@transaction.atomic
def resend_notification(
    *, notification: Notification, by: Any, ip: str | None = None
) -> Notification:
    """Send a failed or unknown notification again, as a new row; the old one stays as it was."""
    if notification.status not in (Notification.Status.FAILED, Notification.Status.UNKNOWN):
        raise InvalidRecipient(_("Only a failed or unknown notification can be sent again."))
    if notification.redact_when_done and not notification.body:
        raise InvalidRecipient(
            _("This message held a one-time code and was wiped: ask for a new code instead.")
        )
    count = notification.resends.count() + 1
    copy = Notification.objects.create(
        channel=notification.channel,
        recipient=notification.recipient,
        purpose=notification.purpose,
        object_key=notification.object_key,
        template=notification.template,
        idempotency_key=f"{notification.idempotency_key}#resend-{count}"[:255],
        subject=notification.subject,
        body=notification.body,
        html_body=notification.html_body,
        redact_when_done=notification.redact_when_done,
        urgent=notification.urgent,
        resend_of=notification,
    )
    audit.record(
        action="notification.resend",
        actor=by,
        ip=ip,
        object_type="notification",
        object_id=notification.pk,
        details={"new": copy.pk},
    )
    transaction.on_commit(lambda: enqueue(copy.pk, urgent=copy.urgent))
    return copy
