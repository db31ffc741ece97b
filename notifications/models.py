"""Messages captured by the development backends.

In development and tests no email or SMS leaves the machine: the ``outbox`` backends store them
here so that the dev outbox page shows a developer the code a patient would have received. The
transactional outbox of real notifications comes with the notifications issue.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DevMessage(models.Model):
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
