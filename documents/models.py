"""Documents sent to patients and professionals, and the professionals directory.

A ``Dispatch`` is one sending: its ``Document`` rows (files in private storage, named by a
server UUID, checked by SHA-256) and one ``Delivery`` per recipient (the patient's portal or a
professional of the directory).
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.professions import Profession
from accounts.validators import validate_rpps
from identities.services import fold


class Organisation(models.Model):
    """A health organisation identified by its FINESS number, such as a pharmacy."""

    class Kind(models.TextChoices):
        PHARMACY = "pharmacy", _("Pharmacy")
        LABORATORY = "laboratory", _("Medical laboratory")
        HOSPITAL = "hospital", _("Hospital")
        PRACTICE = "practice", _("Practice")

    finess = models.CharField(_("FINESS number"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("email or MSSanté address"), blank=True)
    # The name folded to capitals without accents, for the as-you-type search.
    name_key = models.CharField(max_length=200, editable=False, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["name_key"], name="organisation_name_key")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finess__regex=r"^[0-9][0-9AB][0-9]{7}$"),
                name="documents_organisation_finess_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        (self.name_key,) = search_keys(self.name)
        super().save(*args, **kwargs)


class Professional(models.Model):
    """An entry of the professionals directory, keyed by RPPS; most have no account here."""

    rpps = models.CharField(
        _("RPPS number"), max_length=11, unique=True, validators=[validate_rpps]
    )
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    profession = models.CharField(_("profession"), max_length=4, choices=Profession.choices)
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="professionals",
        verbose_name=_("organisation"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    mssante_address = models.EmailField(_("MSSanté address"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_entry",
        verbose_name=_("account"),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive entries are no longer offered as recipients."),
    )
    # Names folded to capitals without accents, for the as-you-type search.
    last_name_key = models.CharField(max_length=150, editable=False, default="")
    first_name_key = models.CharField(max_length=150, editable=False, default="")

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        indexes = [
            models.Index(fields=["last_name_key", "first_name_key"], name="professional_name_key"),
            models.Index(fields=["first_name_key"], name="professional_first_name_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps__regex=r"^[0-9]{11}$"),
                name="documents_professional_rpps_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.last_name_key, self.first_name_key = search_keys(self.last_name, self.first_name)
        super().save(*args, **kwargs)


def search_keys(*names: str) -> tuple[str, ...]:
    """Names as the directory search compares them: capitals without accents, words separated
    by single spaces ("N'Guyen-Dupont" gives "NGUYEN DUPONT")."""
    return tuple(
        " ".join(fold(name).replace("'", "").replace("-", " ").split())[:150] for name in names
    )


class DocumentType(models.Model):
    """A coded document type (CI-SIS value set JDV_J07-XdsTypeCode-CISIS); admins edit the list."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    code_system = models.CharField(_("code system"), max_length=16, default="LOINC")
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    def __str__(self) -> str:
        return self.label


def _storage_name(instance: "Document", filename: str) -> str:
    # A server UUID; the user's file name is metadata only.
    return f"documents/{instance.uuid.hex[:2]}/{instance.uuid.hex}"


class Document(models.Model):
    class Source(models.TextChoices):
        TELECONSULTATION = "teleconsultation", _("Teleconsultation")
        PRINTER = "printer", _("Virtual printer")
        UPLOAD = "upload", _("Upload")

    class ScanStatus(models.TextChoices):
        NOT_CONFIGURED = "unscanned", _("Not scanned (no antivirus configured)")
        PENDING = "pending", _("Waiting for the antivirus")
        CLEAN = "clean", _("No virus found")
        INFECTED = "infected", _("Virus found")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    identity = models.ForeignKey(
        "identities.Identity",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("patient"),
    )
    dispatch = models.ForeignKey(
        "Dispatch", on_delete=models.PROTECT, related_name="documents", verbose_name=_("sending")
    )
    name = models.CharField(_("name"), max_length=200)
    original_filename = models.CharField(_("original file name"), max_length=255)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=_storage_name, max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    scan_status = models.CharField(
        _("antivirus scan"),
        max_length=16,
        choices=ScanStatus.choices,
        default=ScanStatus.NOT_CONFIGURED,
    )
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    # The PDF carried scripts, automatic actions or attachments: the stored file is without them.
    active_content_removed = models.BooleanField(_("active content removed"), default=False)
    # The virus clamd named, if it found one (the file is then deleted, the row kept).
    scan_signature = models.CharField(_("virus name"), max_length=200, blank=True)
    # The patient's own business in a sending that also goes to colleagues (a teleconsultation
    # receipt): the patient's portal and the sender read it, professional recipients do not.
    patient_only = models.BooleanField(_("for the patient only"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["identity", "-created_at"], name="document_identity_recent")
        ]

    def __str__(self) -> str:
        return self.name


class Dispatch(models.Model):
    """One sending: documents of one patient, to their portal and/or to professionals.

    A sending whose files the configured antivirus could not scan yet is held: its recipients
    see nothing and nobody is notified until every file is found clean.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        WAITING_SCAN = "waiting_scan", _("Waiting for the antivirus")
        REFUSED = "refused", _("Refused: virus found")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    identity = models.ForeignKey(
        "identities.Identity",
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("patient"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("sender"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Document.Source.choices)
    copy_to_patient = models.BooleanField(_("copy to the patient"), default=False)
    # The form's token: the same form posted twice gives one sending (unique, see Meta).
    idempotency_key = models.CharField(_("form token"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sending")
        verbose_name_plural = _("sendings")
        indexes = [
            # The sweeper's question, every minute: which sendings still wait for the antivirus?
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="waiting_scan"),
                name="dispatch_waiting_scan",
            ),
            # "Mes envois": a sender's latest sendings.
            models.Index(fields=["sender", "-created_at"], name="dispatch_sender_recent"),
        ]
        constraints = [
            # A constraint rather than ``unique=True``: the same unique index, without the
            # ``varchar_pattern_ops`` twin PostgreSQL gets for a unique field (nothing looks a
            # key up by prefix; it weighed as much as the unique index, docs/capacity.md).
            models.UniqueConstraint(fields=["idempotency_key"], name="dispatch_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.identity} ({self.created_at:%d/%m/%Y %H:%M})"


class Delivery(models.Model):
    """One recipient of a sending: the patient's portal, or one professional."""

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("sending")
    )
    portal = models.ForeignKey(
        "portal.PortalAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("portal"),
    )
    professional = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("professional"),
    )
    first_read_at = models.DateTimeField(_("first read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(portal__isnull=True, professional__isnull=False)
                | models.Q(portal__isnull=False, professional__isnull=True),
                name="delivery_one_recipient",
            ),
            models.UniqueConstraint(fields=["dispatch", "portal"], name="delivery_once_per_portal"),
            models.UniqueConstraint(
                fields=["dispatch", "professional"], name="delivery_once_per_professional"
            ),
        ]
        indexes = [
            models.Index(fields=["portal", "-created_at"], name="delivery_portal_recent"),
            models.Index(
                fields=["professional", "-created_at"], name="delivery_professional_recent"
            ),
        ]

    def __str__(self) -> str:
        return str(self.portal or self.professional)
