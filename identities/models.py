"""Identities of the regional directory (RNIV): strict traits, status, contact details.

An identity is never deleted: a duplicate is deactivated and linked to the surviving identity.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from identities import geo
from identities.validators import validate_mobile

UNKNOWN_BIRTHPLACE_CODE = "99999"


class Identity(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Status(models.TextChoices):
        # FR Core FRCoreCodeSystemIdentityStatus: INSi fetched? x high-trust document checked?
        PROVISIONAL = "provisoire", _("Provisional")
        RECOVERED = "recuperee", _("Recovered")
        VALIDATED = "validee", _("Validated")
        QUALIFIED = "qualifiee", _("Qualified")

    class BirthplaceKind(models.TextChoices):
        FRANCE = "france", _("Born in France")
        ABROAD = "abroad", _("Born abroad")
        UNKNOWN = "unknown", _("Information not available")

    birth_name = models.CharField(_("birth name"), max_length=100)
    used_name = models.CharField(_("used name"), max_length=100, blank=True)
    first_name = models.CharField(_("first birth first name"), max_length=100)
    birth_first_names = models.CharField(_("birth first names"), max_length=200, blank=True)
    used_first_name = models.CharField(_("used first name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birthplace_kind = models.CharField(
        _("birthplace"), max_length=8, choices=BirthplaceKind.choices
    )
    # INSEE code: a commune of the COG for France, 99xxx for a country, 99999 when unknown.
    birthplace_code = models.CharField(_("birthplace INSEE code"), max_length=5)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROVISIONAL
    )
    email = models.EmailField(_("email"), blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True, validators=[validate_mobile])
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_identities",
        verbose_name=_("merged into"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birthplace_code__regex=r"^[0-9][0-9AB][0-9]{3}$"),
                name="identities_birthplace_code_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(birth_name="") & ~models.Q(first_name=""),
                name="identities_names_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(is_active=False),
                name="identities_merged_is_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.first_name}, {self.birth_date:%d/%m/%Y}"

    @property
    def display_name(self) -> str:
        return self.used_name or self.birth_name

    @property
    def birthplace_label(self) -> str:
        """As the guide shows it: ``CHABEUIL (26120)``, a country's name, or nothing known."""
        if self.birthplace_kind == self.BirthplaceKind.FRANCE:
            commune = geo.commune(self.birthplace_code)
            return geo.commune_label(commune) if commune else self.birthplace_code
        if self.birthplace_kind == self.BirthplaceKind.ABROAD:
            country = geo.country(self.birthplace_code)
            return geo.country_label(country) if country else self.birthplace_code
        return str(_("Information not available"))
