"""The outbox: queue an email or an SMS with the business change, send it once, know its fate.

Life of a ``Notification`` row:

1. ``queue_email`` / ``queue_sms`` validate the recipient (nothing is written for a bad one),
   render the text and write the row in the caller's transaction. The idempotency key
   (purpose, object, channel, recipient) is unique: asking twice is a no-op. The row id is
   handed to Celery only once the transaction commits (``transaction.on_commit``); a rollback
   sends nothing.
2. ``send_notification`` claims the row with one conditional UPDATE (PENDING → SENDING), marks
   ``provider_called_at``, calls the provider and records its message id (SENT). Permanent
   refusals (invalid number, unsubscribed, not a mobile...) end in FAILED with a French reason;
   rate limits, 5xx and timeouts go back to PENDING with an exponential back-off (at most 8
   tries, never more than 600 s, below the broker's visibility timeout).
3. ``sweep`` (Celery beat, every minute) re-enqueues rows still pending 2 minutes after they
   were due (the broker was down at commit time), gives back rows claimed by a worker that died
   before calling the provider, and marks UNKNOWN those that died after calling it: they may
   have been accepted, so they are never resent without a human looking.
4. Twilio's status callbacks move SMS rows to DELIVERED or FAILED.

A package, one module per topic; this module exports what other apps may call.
"""

from notifications.services.dev_outbox import DEV_OUTBOX_SIZE, dev_outbox_messages
from notifications.services.queueing import enqueue, queue_email, queue_sms
from notifications.services.recipients import (
    InvalidRecipient,
    mask_numbers,
    normalize_email,
    normalize_mobile,
    sms_country_allowed,
)
from notifications.services.sending import (
    ERROR_REASONS,
    MAX_ATTEMPTS,
    MAX_BACKOFF_SECONDS,
    SendResult,
    get_sms_backend,
    send_notification,
    send_sms,
)
from notifications.services.statuses import (
    in_progress,
    reason,
    record_delivery_status,
    resend_notification,
    statuses_for,
)
from notifications.services.sweeping import STALE_AFTER, sweep

__all__ = [
    "DEV_OUTBOX_SIZE",
    "ERROR_REASONS",
    "MAX_ATTEMPTS",
    "MAX_BACKOFF_SECONDS",
    "STALE_AFTER",
    "InvalidRecipient",
    "SendResult",
    "dev_outbox_messages",
    "enqueue",
    "get_sms_backend",
    "in_progress",
    "mask_numbers",
    "normalize_email",
    "normalize_mobile",
    "queue_email",
    "queue_sms",
    "reason",
    "record_delivery_status",
    "resend_notification",
    "send_notification",
    "send_sms",
    "sms_country_allowed",
    "statuses_for",
    "sweep",
]
