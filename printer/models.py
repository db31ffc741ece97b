"""The virtual printer: each clinician's secret printer address, and the jobs printed to it.

A ``PrintJob`` is one document a program printed: its file (a PDF in private storage, named by
a server UUID) waits in the clinician's "Impressions en attente" until the wizard sends it
(``dispatch``) or it expires. The wizard's answers (type, patient, recipients) are kept on the
job between its steps.

An IPP job of several documents (``lp a.pdf b.pdf``, Create-Job then one Send-Document per
document) is one row per document: the first holds the IPP job (its id, its state), the others
point to it (``parent``; their ``document_number`` stays above 1 when the first is deleted, so
they never become IPP jobs of their own). Each waits in the inbox as its own print, to be
typed and sent alone.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrinterToken(models.Model):
    """The secret of a clinician's printer address ``/ipp/print/<token>``; only its hash is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="printer_token",
        verbose_name=_("clinician"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("printer address")
        verbose_name_plural = _("printer addresses")

    def __str__(self) -> str:
        return str(self.user)


def _storage_name(instance: "PrintJob", filename: str) -> str:
    # A server UUID; the job's name is metadata only.
    return f"printer/{instance.uuid.hex[:2]}/{instance.uuid.hex}.pdf"


class PrintJob(models.Model):
    class State(models.IntegerChoices):
        # The IPP job-state values (RFC 8011 5.3.7).
        PENDING = 3, _("Waiting for its document")
        PROCESSING = 5, _("Receiving")
        CANCELED = 7, _("Canceled")
        ABORTED = 8, _("Refused")
        COMPLETED = 9, _("Received")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="print_jobs",
        verbose_name=_("clinician"),
    )
    name = models.CharField(_("job name"), max_length=255, blank=True)
    originating_user_name = models.CharField(_("user name on the computer"), max_length=255)
    document_format = models.CharField(_("format sent"), max_length=64, blank=True)
    state = models.PositiveSmallIntegerField(
        _("state"), choices=State.choices, default=State.PENDING
    )
    state_message = models.CharField(_("state message"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to=_storage_name, max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    # The 2nd and later documents of an IPP job: its first document, which is the IPP job.
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("first document of the job"),
    )
    document_number = models.PositiveSmallIntegerField(_("document number in the job"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("received at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    # The wizard's answers, kept between its steps.
    document_type = models.ForeignKey(
        "documents.DocumentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document type"),
    )
    identity = models.ForeignKey(
        "identities.Identity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )
    professionals = models.ManyToManyField(
        "documents.Professional", blank=True, related_name="+", verbose_name=_("recipients")
    )
    recipients_chosen = models.BooleanField(_("recipients step done"), default=False)
    # The wizard's form token: the sending's idempotency key.
    send_token = models.CharField(_("form token"), max_length=64)
    dispatch = models.OneToOneField(
        "documents.Dispatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending"),
    )

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        indexes = [
            # "Impressions en attente": a clinician's received jobs not sent yet, newest first.
            models.Index(
                fields=["owner", "-created_at"],
                condition=models.Q(state=9, dispatch__isnull=True),
                name="printjob_waiting",
            ),
            models.Index(fields=["expires_at"], name="printjob_expiry"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.uuid)

    @property
    def is_waiting(self) -> bool:
        return self.state == self.State.COMPLETED and self.dispatch_id is None
