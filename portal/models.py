"""People who log in, professional profiles, and the patients' portals.

A portal belongs to one identity; ``PortalAccess`` says who may open it and in what capacity
(holder, legal representative, guardian...). Patients log in with a password and a one-time
SMS code bound to the login attempt (``CodeChallenge``).
"""

import uuid
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from portal.professions import Profession
from portal.validators import validate_rpps


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        # Emails are unique whatever their case: someone typing "Alice@Example.fr" is Alice.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Health professional")
        PATIENT = "patient", _("Patient")
        ADMIN = "admin", _("Administrator")

    email = models.EmailField(_("email address"), unique=True)
    # A signatory known only by email and mobile (a parent) has no name on record.
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # Where patients receive their one-time codes.
    mobile = PhoneNumberField(_("mobile phone"), blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # Consecutive wrong second-factor codes, and the wait they impose (never for days).
    code_failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["clinician", "patient", "admin"]),
                name="portal_user_role_valid",
            ),
            # Admins work in the Django admin; nobody else gets in there.
            models.CheckConstraint(
                condition=models.Q(role="admin", is_staff=True) | ~models.Q(role="admin"),
                name="portal_user_admin_is_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def is_portal_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class ProfessionalProfile(models.Model):
    """What identifies a clinician as a health professional."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="professional_profile", verbose_name=_("user")
    )
    rpps = models.CharField(
        _("RPPS number"), max_length=11, unique=True, validators=[validate_rpps]
    )
    profession = models.CharField(_("profession"), max_length=4, choices=Profession.choices)
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Pre-fills "Validation du paiement patient" when a teleconsultation is finalised.
    default_amount = models.DecimalField(
        _("default teleconsultation amount (€)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
    )

    class Meta:
        verbose_name = _("professional profile")
        verbose_name_plural = _("professional profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps__regex=r"^[0-9]{11}$"), name="portal_profile_rpps_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} (RPPS {self.rpps})"


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
