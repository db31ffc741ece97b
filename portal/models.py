"""The patients' portals (the people who log in are in ``accounts.models``).

A portal belongs to one identity; ``PortalAccess`` says who may open it and in what capacity
(holder, legal representative, guardian...). Patients log in with a password and a one-time
SMS code bound to the login attempt (``CodeChallenge``).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Defined in accounts (with app_label "portal", see its docstring); landed migrations name
# portal.models.UserManager, and many modules import User from here.
from accounts.models import ProfessionalProfile, User, UserManager

__all__ = [
    "ActivationLink",
    "CodeChallenge",
    "Consent",
    "PortalAccess",
    "PortalAccount",
    "PortalChange",
    "ProfessionalProfile",
    "User",
    "UserManager",
]


class PortalAccount(models.Model):
    """The secure space of one identity: what documents are delivered to."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    identity = models.OneToOneField(
        "identities.Identity",
        on_delete=models.PROTECT,
        related_name="portal",
        verbose_name=_("identity"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    # Not a field: set by ``services.create_portal`` when a new access waits for confirmation.
    access_pending = False

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return str(self.identity)


class PortalAccess(models.Model):
    """Who may open a portal, and in what capacity ("Qualité du signataire")."""

    class Quality(models.TextChoices):
        HOLDER = "titulaire", _("Holder")
        LEGAL_REPRESENTATIVE = "representant_legal", _("Legal representative (parent)")
        GUARDIAN = "tuteur", _("Guardian / curator")
        FAMILY_AUTHORISATION = "habilitation_familiale", _("Family authorisation (court order)")

    portal = models.ForeignKey(
        PortalAccount, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("portal")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="portal_accesses", verbose_name=_("user")
    )
    quality = models.CharField(
        _("capacity of the signatory"), max_length=24, choices=Quality.choices
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal accesses")
        constraints = [
            models.UniqueConstraint(
                fields=["portal", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="portal_access_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["portal"],
                condition=models.Q(revoked_at__isnull=True, quality="titulaire"),
                name="portal_access_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.portal} ({self.get_quality_display()})"


class Consent(models.Model):
    """The patient's consent to the creation of their portal, as the professional recorded it."""

    class Method(models.TextChoices):
        CONSULTATION = "consultation", _("Informed orally during a consultation")
        TELECONSULTATION = "teleconsultation", _("Informed during a teleconsultation")
        WRITTEN = "ecrit", _("Written consent")

    portal = models.ForeignKey(
        PortalAccount, on_delete=models.PROTECT, related_name="consents", verbose_name=_("portal")
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    wording_version = models.CharField(_("wording version"), max_length=16)
    wording = models.TextField(_("wording shown to the professional"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.portal} ({self.recorded_at:%d/%m/%Y})"


class ActivationLink(models.Model):
    """A single-use link sent to a new signatory; only its hash is kept."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="activation_links", verbose_name=_("user")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y})"


class CodeChallenge(models.Model):
    """One login (or activation) attempt waiting for its one-time SMS code.

    The code is bound to this attempt: only its HMAC is kept, keyed on the attempt's id.
    """

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Login")
        ACTIVATION = "activation", _("Activation")
        CONTACT_CHANGE = "contact", _("Change of contact details")

    class Method(models.TextChoices):
        SMS = "sms", _("Code by SMS")
        EMAIL = "email", _("Code by email")
        TOTP = "totp", _("Authenticator app")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="code_challenges", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices, default=Method.SMS)
    # For a change of contact details: the new email or mobile, confirmed by the code sent there.
    new_value = models.CharField(_("new value"), max_length=320, blank=True)
    activation_link = models.ForeignKey(
        ActivationLink, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hmac = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sends = models.PositiveSmallIntegerField(default=1)
    failures = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("code challenge")
        verbose_name_plural = _("code challenges")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.user} ({self.created_at:%d/%m/%Y %H:%M})"


class PortalChange(models.Model):
    """A change of who holds a portal made by a professional (a new access, a new mobile):
    its holder can undo it from their space for 30 days."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("New access")
        MOBILE = "mobile", _("New mobile phone")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portal = models.ForeignKey(
        PortalAccount, on_delete=models.CASCADE, related_name="changes", verbose_name=_("portal")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # A new access: the access; a new mobile: the person and their previous number.
    access = models.ForeignKey(
        PortalAccess, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    previous_mobile = models.CharField(max_length=32, blank=True)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal change")
        verbose_name_plural = _("portal changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.portal} ({self.created_at:%d/%m/%Y})"
