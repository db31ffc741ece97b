"""Teleconsultations: planned with a patient of the directory, held in a video room, finalised.

A teleconsultation is planned (status ``planned``), then either cancelled or finalised once:
the finalisation (rating, comment, amount, the sending of its documents) is written by one
conditional UPDATE on a ``planned`` row, so a double click or a second tab finalises nothing
twice. The video room's name and the patient's join token are random (≥ 128 bits).
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_room_name() -> str:
    # 144 bits, URL-safe: the room's only protection on a public video server.
    return secrets.token_urlsafe(18)


def new_join_token() -> str:
    return secrets.token_urlsafe(24)


class TeleconsultationQuerySet(models.QuerySet["Teleconsultation"]):
    def of_clinician(self, user: object) -> "TeleconsultationQuerySet":
        return self.filter(clinician=user)


class Teleconsultation(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")
        FINALISED = "finalised", _("Finalised")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    identity = models.ForeignKey(
        "identities.Identity",
        on_delete=models.PROTECT,
        related_name="teleconsultations",
        verbose_name=_("patient"),
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teleconsultations",
        verbose_name=_("clinician"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    room_name = models.CharField(max_length=64, unique=True, default=new_room_name, editable=False)
    join_token = models.CharField(
        max_length=64, unique=True, default=new_join_token, editable=False
    )
    # Where the invitations go (and later news: rescheduled, cancelled); empty if not chosen.
    invite_email = models.EmailField(_("invitation email"), blank=True)
    invite_mobile = models.CharField(_("invitation mobile"), max_length=16, blank=True)
    # The portal's activation message, when the portal was created while planning ("link:<id>").
    activation_key = models.CharField(max_length=32, blank=True, editable=False)
    # Bumped by each rescheduling: the new notice is a new message, not a repeat.
    revision = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The finalisation.
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("call rating"), null=True, blank=True)
    comment = models.TextField(_("free comment"), blank=True)
    amount = models.DecimalField(
        _("amount paid (€)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The finalisation form's token: the same form posted twice finalises once.
    finalise_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    dispatch = models.OneToOneField(
        "documents.Dispatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teleconsultation",
        verbose_name=_("sending"),
    )
    receipt_number = models.CharField(
        _("receipt number"), max_length=32, unique=True, null=True, blank=True
    )

    objects = TeleconsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("teleconsultation")
        verbose_name_plural = _("teleconsultations")
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="teleconsult_clinician_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=240),
                name="teleconsult_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="teleconsult_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0, amount__lte=999.99),
                name="teleconsult_amount_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="finalised") | Q(finalised_at__isnull=False),
                name="teleconsult_finalised_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(invite_email="", invite_mobile=""),
                name="teleconsult_invited_somehow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identity} ({timezone.localtime(self.starts_at):%d/%m/%Y %H:%M})"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def opens_at(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(minutes=settings.TELECONSULT_JOIN_EARLY_MINUTES)

    @property
    def closes_at(self) -> datetime.datetime:
        return self.ends_at + datetime.timedelta(minutes=settings.TELECONSULT_JOIN_LATE_MINUTES)
