"""Identities of the regional directory (RNIV): strict traits, status, contact details.

An identity is never deleted: a duplicate is deactivated and linked to the surviving identity.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from identities import geo, names
from identities.phonetic import anagram, compact, phonetic
from identities.validators import validate_mobile

UNKNOWN_BIRTHPLACE_CODE = "99999"


class TrigramIndex(GinIndex):
    """A trigram GIN index on PostgreSQL; nothing at all on other databases (SQLite has no GIN).

    The keys are already folded in Python (capitals, no accents), so no unaccent wrapper is
    needed. GIN rather than GiST: it answers LIKE '%...%' faster on a table read far more than
    written. Declared in ``Meta.indexes`` so that the migration state knows them
    (``makemigrations --check`` agrees on both databases); on SQLite, creating or dropping one,
    including when a table is rebuilt, runs an empty statement.
    """

    def __init__(self, *, fields: list[str], name: str) -> None:
        super().__init__(fields=fields, name=name, opclasses=["gin_trgm_ops"])

    def deconstruct(self) -> tuple[str, tuple[object, ...], dict[str, object]]:
        path, args, kwargs = super().deconstruct()
        kwargs.pop("opclasses", None)
        return path, args, kwargs

    def _check_postgres_installed(self, *args: Any) -> list[Any]:
        # A plain CREATE INDEX ... USING gin: no need for django.contrib.postgres (whose type
        # handlers would cost a query on every new connection).
        return []

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model: Any, schema_editor: Any, **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


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

    class CollectionMethod(models.TextChoices):
        MANUAL = "saisie", _("Manual entry")
        ID_DOCUMENT = "piece_identite", _("High-trust identity document")
        CARTE_VITALE = "carte_vitale", _("Carte Vitale")
        INSI = "insi", _("INSi teleservice")
        INS_DATAMATRIX = "datamatrix", _("INS Datamatrix")

    class InsKind(models.TextChoices):
        NIR = "1.2.250.1.213.1.4.8", _("NIR")
        NIA = "1.2.250.1.213.1.4.9", _("NIA")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
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
    collection_method = models.CharField(
        _("collection method"),
        max_length=16,
        choices=CollectionMethod.choices,
        default=CollectionMethod.MANUAL,
    )
    ins_matricule = models.CharField(_("INS matricule"), max_length=15, blank=True)
    ins_kind = models.CharField(_("INS kind"), max_length=24, choices=InsKind.choices, blank=True)
    # Identitovigilance flags (RNIV).
    potential_duplicate = models.BooleanField(_("potential duplicate"), default=False)
    confirmed_duplicate = models.BooleanField(_("confirmed duplicate"), default=False)
    potential_collision = models.BooleanField(_("potential collision"), default=False)
    confirmed_collision = models.BooleanField(_("confirmed collision"), default=False)
    homonym = models.BooleanField(_("homonym"), default=False)
    usurped = models.BooleanField(_("usurped"), default=False)
    doubtful = models.BooleanField(_("doubtful"), default=False)
    fictitious = models.BooleanField(_("fictitious"), default=False)
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
    # When the professional confirmed the patient's absence of objection to this record.
    no_objection_at = models.DateTimeField(
        _("absence of objection confirmed at"), null=True, blank=True
    )

    # Search keys, derived from the names by refresh_search_keys(); see identities/search.py.
    birth_name_key = models.CharField(max_length=100, editable=False, default="")
    birth_name_rkey = models.CharField(max_length=100, editable=False, default="")
    birth_name_sound = models.CharField(max_length=100, editable=False, default="")
    used_name_key = models.CharField(max_length=100, editable=False, default="")
    used_name_rkey = models.CharField(max_length=100, editable=False, default="")
    used_name_sound = models.CharField(max_length=100, editable=False, default="")
    birth_name_anagram = models.CharField(max_length=100, editable=False, default="")
    used_name_anagram = models.CharField(max_length=100, editable=False, default="")
    first_name_key = models.CharField(max_length=100, editable=False, default="")
    first_name_sound = models.CharField(max_length=100, editable=False, default="")

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        indexes = [
            models.Index(fields=["birth_date", "birth_name_key"], name="identity_birth_date"),
            # Name prefix, and name and first name both starting with what was typed: MARTIN
            # and ALINE read 9 rows of the index instead of the 9,000 MARTIN rows of the table.
            models.Index(fields=["birth_name_key", "first_name_key"], name="identity_bn_fn"),
            models.Index(fields=["used_name_key", "first_name_key"], name="identity_un_fn"),
            # Blocking keys of the search without a birth date: each block is a small set.
            models.Index(fields=["birth_name_sound", "first_name_key"], name="identity_bn_sound"),
            models.Index(fields=["used_name_sound", "first_name_key"], name="identity_un_sound"),
            models.Index(fields=["first_name_sound", "birth_name_key"], name="identity_fn_bn"),
            models.Index(fields=["first_name_sound", "birth_name_rkey"], name="identity_fn_bnr"),
            models.Index(fields=["first_name_sound", "used_name_key"], name="identity_fn_un"),
            models.Index(fields=["first_name_sound", "used_name_rkey"], name="identity_fn_unr"),
            models.Index(fields=["first_name_sound", "birth_name_anagram"], name="identity_fn_bna"),
            models.Index(fields=["first_name_sound", "used_name_anagram"], name="identity_fn_una"),
            # Substring search of the admin (LIKE '%...%'), on PostgreSQL only.
            TrigramIndex(fields=["birth_name_key"], name="identity_bn_trgm"),
            TrigramIndex(fields=["used_name_key"], name="identity_un_trgm"),
            TrigramIndex(fields=["first_name_key"], name="identity_fn_trgm"),
        ]
        constraints = [
            # Identitovigilance: one person, one identity; same strict traits are refused.
            models.UniqueConstraint(
                fields=["birth_name", "first_name", "birth_date", "sex", "birthplace_code"],
                condition=models.Q(is_active=True),
                name="identities_unique_strict_traits",
            ),
            models.CheckConstraint(
                condition=models.Q(ins_matricule="") | ~models.Q(ins_kind=""),
                name="identities_ins_has_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["recuperee", "qualifiee"])
                | ~models.Q(ins_matricule=""),
                name="identities_insi_status_has_ins",
            ),
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

    def save(self, *args: object, **kwargs: object) -> None:
        # The keys are a pure function of the names: deriving them here keeps them right
        # whatever writes the row (services, admin, data migrations).
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *SEARCH_KEY_FIELDS}
        super().save(*args, **kwargs)
        # The distinct names and their typo neighbourhoods (identities/names.py).
        names.refresh_identity(self)

    def refresh_search_keys(self) -> None:
        self.birth_name_key = compact(self.birth_name)
        self.birth_name_rkey = self.birth_name_key[::-1]
        self.birth_name_sound = phonetic(self.birth_name)
        self.used_name_key = compact(self.used_name)
        self.used_name_rkey = self.used_name_key[::-1]
        self.used_name_sound = phonetic(self.used_name) if self.used_name else ""
        self.birth_name_anagram = anagram(self.birth_name)
        self.used_name_anagram = anagram(self.used_name)
        self.first_name_key = compact(self.first_name)
        self.first_name_sound = phonetic(self.first_name)

    @property
    def ins_visible(self) -> bool:
        """The INS may be shown or sent only for a qualified identity."""
        return self.status == self.Status.QUALIFIED and bool(self.ins_matricule)

    @property
    def flags(self) -> list[str]:
        return [
            str(Identity._meta.get_field(name).verbose_name)
            for name in FLAG_FIELDS
            if getattr(self, name)
        ]

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


FLAG_FIELDS = (
    "potential_duplicate",
    "confirmed_duplicate",
    "potential_collision",
    "confirmed_collision",
    "homonym",
    "usurped",
    "doubtful",
    "fictitious",
)
# The names, birth date and sex of a person, as typed (what a search compares).
NAME_AND_BIRTH_FIELDS = (
    "birth_name",
    "used_name",
    "first_name",
    "birth_first_names",
    "used_first_name",
    "birth_date",
    "sex",
)
SEARCH_KEY_FIELDS = (
    "birth_name_key",
    "birth_name_rkey",
    "birth_name_sound",
    "used_name_key",
    "used_name_rkey",
    "used_name_sound",
    "birth_name_anagram",
    "used_name_anagram",
    "first_name_key",
    "first_name_sound",
)


class IdentityEvent(models.Model):
    """The history of an identity: creation, changes, merges, with who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        CREATED_DESPITE_DUPLICATES = "created_despite", _("Created despite likely duplicates")
        UPDATED = "updated", _("Updated")
        MERGED_INTO = "merged_into", _("Merged into another identity")
        ABSORBED = "absorbed", _("Absorbed a duplicate")

    identity = models.ForeignKey(
        Identity, on_delete=models.PROTECT, related_name="events", verbose_name=_("identity")
    )
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("identity event")
        verbose_name_plural = _("identity events")
        indexes = [models.Index(fields=["identity", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y %H:%M})"


class SearchName(models.Model):
    """A distinct name of the directory (compact key), for typo-tolerant search; see
    ``identities/names.py``. Kind ``N``: a birth or used name; ``F``: a first name."""

    kind = models.CharField(max_length=1)
    key = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="identities_search_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SearchNameVariant(models.Model):
    """A string obtained by deleting up to two letters of a ``SearchName`` key, beside that
    key and its kind: one index-only scan of the look-up index gives the names."""

    variant = models.CharField(max_length=100)
    kind = models.CharField(max_length=1)
    key = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["variant", "kind", "key"], name="identities_variant_lookup"),
        ]

    def __str__(self) -> str:
        return self.variant
