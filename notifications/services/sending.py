"""Sending one outbox row once: claim, call the provider, record the outcome or retry later."""

import datetime
import functools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers, make_msgid
from django.db import connections
from django.db.models import Field
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from notifications.backends.sms import BaseSmsBackend, SmsError
from notifications.models import Channel, Notification
from notifications.services.recipients import mask_numbers

logger = logging.getLogger(__name__)


MAX_ATTEMPTS = 8


MAX_BACKOFF_SECONDS = 600


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


@dataclass(frozen=True)
class SendResult:
    """What ``send_notification`` did; ``retry_in`` is set when the task should try again."""

    status: str
    retry_in: float | None = None


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
    return ceiling * (0.5 + random.random() / 2)  # noqa: S311 (jitter, not security)  # nosec B311


def _finish(notification_id: int, **fields: Any) -> None:
    _update(notification_id, {"updated_at": timezone.now(), **fields})


def _update(
    notification_id: int, values: dict[str, Any], where: dict[str, Any] | None = None
) -> int:
    """UPDATE one row by id (and the ``where`` columns' values); the number of rows changed.

    Its SQL is written once per set of columns rather than compiled by the ORM at every call:
    the outbox worker runs two of them for every send (see ``_claim`` for the third).
    """
    where = where or {}
    connection = connections[Notification.objects.db]
    params = [_db_value(name, value, connection) for name, value in values.items()]
    params.append(notification_id)
    params += [_db_value(name, value, connection) for name, value in where.items()]
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(connection.alias, tuple(values), tuple(where)), params)
        return cursor.rowcount


def _db_value(name: str, value: Any, connection: Any) -> Any:
    return cast(Field, Notification._meta.get_field(name)).get_db_prep_save(value, connection)


@functools.cache
def _update_sql(alias: str, columns: tuple[str, ...], where: tuple[str, ...]) -> str:
    meta = Notification._meta
    quote = connections[alias].ops.quote_name

    def column(name: str) -> str:
        return quote(cast(str, cast(Field, meta.get_field(name)).column))

    assignments = ", ".join(f"{column(name)} = %s" for name in columns)
    conditions = " AND ".join(f"{column(name)} = %s" for name in ("id", *where))
    # Table and column names come from the model; values go as parameters.
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {conditions}"  # noqa: S608  # nosec B608


def _claim(notification_id: int, *, now: datetime.datetime) -> Notification | None:
    """PENDING and due -> SENDING, in one conditional UPDATE that returns the row it claimed.

    One statement rather than an UPDATE and a SELECT: the outbox worker runs it for every send.
    PostgreSQL and SQLite 3.35+ both speak ``UPDATE ... RETURNING``.
    """
    meta = Notification._meta
    connection = connections[Notification.objects.db]
    quote = connection.ops.quote_name
    column = {
        name: quote(cast(str, cast(Field, meta.get_field(name)).column)) for name in _CLAIM_COLUMNS
    }
    at = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['status']} = %s, "  # noqa: S608  # nosec B608
        f"{column['attempts']} = {column['attempts']} + 1, {column['claimed_at']} = %s, "
        f"{column['provider_called_at']} = NULL, {column['updated_at']} = %s "
        f"WHERE {column['id']} = %s AND {column['status']} = %s "
        f"AND {column['next_attempt_at']} <= %s RETURNING *"
    )
    params = [Notification.Status.SENDING.value, at, at, notification_id]
    params += [Notification.Status.PENDING.value, at]
    claimed = list(Notification.objects.raw(sql, params))
    return claimed[0] if claimed else None


_CLAIM_COLUMNS = (
    "id",
    "status",
    "attempts",
    "claimed_at",
    "provider_called_at",
    "updated_at",
    "next_attempt_at",
)


def _still_ours(notification_id: int, *, claimed_at: datetime.datetime) -> bool:
    """Mark the provider call, only if this claim still holds the row.

    A thread pool has no hard time limit (prefork kills a task after CELERY_TASK_TIME_LIMIT): a
    thread stalled past the sweeper's threshold finds its row given back, or claimed by another
    worker, and must not call the provider too.
    """
    now = timezone.now()
    return bool(
        _update(
            notification_id,
            {"provider_called_at": now, "updated_at": now},
            where={"status": Notification.Status.SENDING, "claimed_at": claimed_at},
        )
    )


def send_notification(*, notification_id: int) -> SendResult:
    """Send one queued notification at most once; safe to call for any row, any number of times."""
    now = timezone.now()
    notification = _claim(notification_id, now=now)
    if notification is None:
        return SendResult(status="skipped")
    try:
        call_provider = _prepare(notification)
        if not _still_ours(notification_id, claimed_at=now):
            return SendResult(status="skipped")
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
