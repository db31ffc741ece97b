"""The professionals directory: the recipients a document can be sent to.

Documents, dispatches and deliveries come with the documents issue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.professions import Profession
from portal.validators import validate_rpps


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

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finess__regex=r"^[0-9][0-9AB][0-9]{7}$"),
                name="documents_organisation_finess_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps__regex=r"^[0-9]{11}$"),
                name="documents_professional_rpps_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"
