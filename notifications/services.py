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
"""

import datetime
import functools
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers, make_msgid
from django.core.validators import validate_email
from django.db import connections, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from notifications.backends.sms import BaseSmsBackend, SmsError
from notifications.models import Channel, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600
# Rows still pending this long after they were due are re-enqueued by the sweeper.
STALE_AFTER = datetime.timedelta(minutes=2)

# Why a message could not be delivered, in words a professional understands.
ERROR_REASONS = {
    "21211": gettext_lazy("Invalid phone number."),
    "21408": gettext_lazy("This country cannot be reached by SMS."),
    "21610": gettext_lazy("The recipient has refused SMS (STOP)."),
    "21612": gettext_lazy("This number cannot be reached by SMS from our sender."),
    "21614": gettext_lazy("This number cannot receive SMS (it is not a mobile)."),
    "30003": gettext_lazy("The phone is unreachable or switched off."),
    "30005": gettext_lazy("Unknown or inactive number."),
    "30006": gettext_lazy("Landline or carrier that cannot receive SMS."),
    "30007": gettext_lazy("Message filtered by the carrier."),
    "30008": gettext_lazy("Unknown error of the carrier."),
    "smtp-refused": gettext_lazy("Email address refused by the mail server."),
    "too-many-attempts": gettext_lazy("Still failing after several attempts."),
}


class InvalidRecipient(ValueError):
    """The email address or phone number cannot be used; the message is safe to show."""


@dataclass(frozen=True)
class SendResult:
    """What ``send_notification`` did; ``retry_in`` is set when the task should try again."""

    status: str
    retry_in: float | None = None


# --- Queueing ----------------------------------------------------------------------------------


def normalize_email(value: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidRecipient(
            _("This email address is not valid: %(address)s") % {"address": address}
        ) from None
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_mobile(value: str) -> str:
    """E.164 form of a mobile number; French numbers may be typed nationally."""
    try:
        number = phonenumbers.parse(str(value), "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidRecipient(_("This phone number is not valid: %(number)s") % {"number": value})
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipient(
            _("This number is not a mobile number and cannot receive SMS: %(number)s")
            % {"number": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _render(template: str, suffix: str, context: dict[str, Any]) -> str:
    return render_to_string(f"notifications/{template}{suffix}", context).strip()


def _context(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_OPERATOR": settings.PORTAL_OPERATOR,
        "SITE_URL": settings.SITE_URL,
        **context,
    }


def queue_email(
    *,
    purpose: str,
    object_key: str,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    redact: bool = False,
) -> Notification:
    """Queue an email (``notifications/<template>_subject.txt``, ``.txt`` and ``.html``)."""
    recipient = normalize_email(to)
    data = _context(context or {})
    with translation.override(settings.LANGUAGE_CODE):
        content = {
            "subject": " ".join(_render(template, "_subject.txt", data).split()),
            "body": _render(template, ".txt", data),
            "html_body": _render(template, ".html", data),
        }
    return _queue(Channel.EMAIL, recipient, purpose, object_key, template, content, redact)


def queue_sms(
    *,
    purpose: str,
    object_key: str,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    redact: bool = False,
) -> Notification:
    """Queue an SMS (``notifications/<template>_sms.txt``). ``redact`` wipes it once sent."""
    recipient = normalize_mobile(to)
    with translation.override(settings.LANGUAGE_CODE):
        body = _render(template, "_sms.txt", _context(context or {}))
    return _queue(Channel.SMS, recipient, purpose, object_key, template, {"body": body}, redact)


def _queue(
    channel: str,
    recipient: str,
    purpose: str,
    object_key: str,
    template: str,
    content: dict[str, str],
    redact: bool,
) -> Notification:
    key = f"{purpose}:{object_key}:{channel}:{recipient}"
    notification = Notification(
        channel=channel,
        recipient=recipient,
        purpose=purpose,
        object_key=object_key,
        template=template,
        idempotency_key=key,
        redact_when_done=redact,
        **content,
    )
    inserted_id = _insert_unless_queued(notification)
    if inserted_id is None:  # queued before (or at the same instant elsewhere): a no-op
        return Notification.objects.get(idempotency_key=key)
    notification.pk = inserted_id
    notification._state.adding = False
    notification._state.db = "default"
    transaction.on_commit(lambda: enqueue(inserted_id))
    return notification


def _insert_unless_queued(notification: Notification) -> int | None:
    """One statement, no savepoint: INSERT ... ON CONFLICT DO NOTHING RETURNING id.

    It runs in the caller's transaction, so it has to be cheap (PostgreSQL, and SQLite 3.35+,
    both speak it). None when a row with the same idempotency key already exists.
    """
    meta = Notification._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    connection = connections["default"]
    quote = connection.ops.quote_name
    values = [
        field.get_db_prep_save(field.pre_save(notification, True), connection) for field in fields
    ]
    # Table and column names come from the model; values go as parameters.
    table, key, pk = (
        quote(meta.db_table),
        quote(meta.get_field("idempotency_key").column),
        quote(meta.pk.column),
    )
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = " ".join(
        [
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {pk}",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row else None


def enqueue(notification_id: int, *, countdown: float | None = None) -> bool:
    """Hand a row to Celery. A broker outage is not the caller's problem: the sweeper retries."""
    from notifications.tasks import send_notification

    try:
        send_notification.apply_async((notification_id,), countdown=countdown, retry=False)
    except Exception:  # any broker failure: the row stays pending, nothing is lost
        logger.warning("Broker unavailable: notification %s left for the sweeper", notification_id)
        return False
    return True


# --- Sending -----------------------------------------------------------------------------------


def get_sms_backend() -> BaseSmsBackend:
    """One backend per process and configuration: a Twilio client keeps its connection open."""
    return _sms_backend(
        settings.SMS_BACKEND,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE,
        settings.TWILIO_TIMEOUT,
    )


@functools.lru_cache(maxsize=8)
def _sms_backend(path: str, *configuration: object) -> BaseSmsBackend:
    return import_string(path)()


def send_sms(*, to: str, body: str) -> str:
    """Send one SMS now, outside the outbox; return the provider's message id."""
    return get_sms_backend().send(to=to, body=body)


def _prepare(notification: Notification) -> Callable[[], str]:
    """Build the provider call; nothing has left the machine when this returns."""
    if notification.channel == Channel.SMS:
        backend = get_sms_backend()
        return lambda: backend.send(to=notification.recipient, body=notification.body)
    message_id = make_msgid(domain=settings.SITE_URL.split("//")[-1].split(":")[0] or None)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        to=[notification.recipient],
        headers={"Message-ID": message_id},
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    connection = mailers.default

    def send_email() -> str:
        connection.send_messages([message])
        return message_id

    return send_email


def _backoff(attempts: int) -> float:
    """Exponential with full jitter, capped: base * 2^n, between half and all of it."""
    ceiling = min(
        MAX_BACKOFF_SECONDS, settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    )
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 (jitter, not security)


def _finish(notification_id: int, **fields: Any) -> None:
    Notification.objects.filter(pk=notification_id).update(updated_at=timezone.now(), **fields)


def send_notification(*, notification_id: int) -> SendResult:
    """Send one queued notification at most once; safe to call for any row, any number of times."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(
        status=Notification.Status.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        provider_called_at=None,
        updated_at=now,
    )
    if not claimed:
        return SendResult(status="skipped")
    notification = Notification.objects.get(pk=notification_id)
    try:
        call_provider = _prepare(notification)
        _finish(notification_id, provider_called_at=timezone.now())
        provider_id = call_provider()
    except SmsError as error:
        if error.ambiguous:
            _finish(
                notification_id,
                status=Notification.Status.UNKNOWN,
                error_code=error.code,
                last_error=f"No answer from the provider, the message may have been sent: {error}",
            )
            return SendResult(status=Notification.Status.UNKNOWN)
        return _failed_attempt(
            notification, code=error.code, detail=str(error), permanent=error.permanent
        )
    except Exception as error:  # SMTP, network: classified below
        permanent, code = _classify_email_error(error)
        return _failed_attempt(notification, code=code, detail=repr(error), permanent=permanent)
    done: dict[str, Any] = {
        "status": Notification.Status.SENT,
        "provider_id": provider_id[:64],
        "sent_at": timezone.now(),
        "last_error": "",
        "error_code": "",
    }
    if notification.redact_when_done:
        done |= {"body": "", "html_body": "", "subject": ""}
    _finish(notification_id, **done)
    return SendResult(status=Notification.Status.SENT)


def _classify_email_error(error: Exception) -> tuple[bool, str]:
    import smtplib

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True, "smtp-refused"
    return False, type(error).__name__[:32]


_PHONE_NUMBER = re.compile(r"\+?\d[\d .-]{6,}(\d{2})")


def mask_numbers(text: str) -> str:
    """Providers quote the number in their errors: keep its last two digits only in logs."""
    return _PHONE_NUMBER.sub(lambda match: f"…{match.group(1)}", text)


def _failed_attempt(
    notification: Notification, *, code: str, detail: str, permanent: bool
) -> SendResult:
    detail = mask_numbers(detail)
    logger.warning(
        "Notification %s (%s) attempt %s failed: %s %s",
        notification.pk,
        notification.channel,
        notification.attempts,
        code,
        detail[:200],
    )
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        _finish(
            notification.pk,
            status=Notification.Status.FAILED,
            error_code=code if permanent else "too-many-attempts",
            last_error=detail[:2000],
            **({"body": "", "html_body": ""} if notification.redact_when_done else {}),
        )
        return SendResult(status=Notification.Status.FAILED)
    delay = _backoff(notification.attempts)
    _finish(
        notification.pk,
        status=Notification.Status.PENDING,
        error_code=code,
        last_error=detail[:2000],
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
        provider_called_at=None,
    )
    return SendResult(status=Notification.Status.PENDING, retry_in=delay)


# --- Recovery ----------------------------------------------------------------------------------


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-enqueue forgotten rows, recover rows of dead workers; returns counts per outcome.

    ``now`` is the time the thresholds are measured from (tests pass a later one); rows given
    back are due at once, by the real clock.
    """
    due = timezone.now()
    now = now or due
    # A worker holding a row longer than the hard time limit is dead.
    abandoned_before = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    abandoned = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=abandoned_before
    )
    unknown = abandoned.filter(provider_called_at__isnull=False).update(
        status=Notification.Status.UNKNOWN,
        last_error="Worker stopped after calling the provider: the message may have been sent.",
        updated_at=now,
    )
    released_ids = list(
        abandoned.filter(provider_called_at__isnull=True).values_list("pk", flat=True)
    )
    released = Notification.objects.filter(
        pk__in=released_ids, status=Notification.Status.SENDING
    ).update(status=Notification.Status.PENDING, next_attempt_at=due, updated_at=due)
    stale = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lt=now - STALE_AFTER
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    requeued = sum(enqueue(pk) for pk in [*released_ids, *stale])
    return {"unknown": unknown, "released": released, "requeued": requeued}


# --- Delivery status ---------------------------------------------------------------------------

_TWILIO_STATUSES = {
    "delivered": Notification.Status.DELIVERED,
    "undelivered": Notification.Status.FAILED,
    "failed": Notification.Status.FAILED,
}


def record_delivery_status(*, provider_id: str, status: str, error_code: str = "") -> bool:
    """Apply a provider's delivery report; False when the message is not ours."""
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
    *, notification: Notification, by: Any, request: Any = None
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
        resend_of=notification,
    )
    audit.record(
        action="notification.resend",
        actor=by,
        request=request,
        object_type="notification",
        object_id=notification.pk,
        details={"new": copy.pk},
    )
    transaction.on_commit(lambda: enqueue(copy.pk))
    return copy
