"""The outbox of emails and SMS, and the messages captured by the development backends.

A ``Notification`` row is written in the same transaction as the business change that causes it.
The row is the truth: the Celery queue only tells a worker that a row is waiting. See
``notifications/services.py`` for the life of a row.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # The provider may have accepted it before a crash: never resent without a human check.
        UNKNOWN = "unknown", _("Unknown (to check)")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320)
    template = models.CharField(_("template"), max_length=64)
    # Why it is sent and about what, e.g. "document_available" and "delivery:42": ids only.
    purpose = models.CharField(_("purpose"), max_length=64)
    object_key = models.CharField(_("object"), max_length=64)
    # Unique by a constraint (Meta): ``unique=True`` would add a second index, for LIKE, that
    # nothing uses and every queued row pays for.
    idempotency_key = models.CharField(_("idempotency key"), max_length=255)
    # Rendered when queued (the worker knows no other app); codes are wiped once sent.
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    redact_when_done = models.BooleanField(_("wipe the text once sent"), default=False)
    # Someone is waiting for it (a login or activation code): sent from a queue of its own.
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    resend_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
        db_index=False,  # a partial index (Meta): nearly every row is no resend
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # Set just before the provider is called: after a crash it tells "never reached the
    # provider" (safe to send again) from "may have been accepted" (unknown).
    provider_called_at = models.DateTimeField(_("provider called at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["purpose", "object_key"], name="notification_object"),
            # Partial: only a row the provider accepted has an id to look up.
            models.Index(
                fields=["provider_id"],
                name="notification_provider_id",
                condition=~models.Q(provider_id=""),
            ),
            models.Index(
                fields=["resend_of"],
                name="notification_resend_of",
                condition=models.Q(resend_of__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="notification_idempotency_key"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="notification_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} → {self.recipient}"


class DevMessage(models.Model):
    """What the ``outbox`` development backends would have sent, for the dev outbox page."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("captured message")
        verbose_name_plural = _("captured messages")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"
