"""The people who log in (``User``) and what identifies a clinician (``ProfessionalProfile``).

Why ``Meta.app_label = "portal"``: these models were first written in ``portal/models.py`` and
``portal/migrations/0001_initial`` creates the ``portal_user`` table together with models that
point at it (portal accounts, accesses, consents...). Moving the custom user model to another
app label would mean changing ``AUTH_USER_MODEL`` and rewriting landed migrations: on a fresh
database ``accounts.0001`` (the user) and ``portal.0001`` (which both creates the user table and
needs it) would depend on each other. Keeping the label ``portal`` leaves the migration state, the
table names, ``AUTH_USER_MODEL = "portal.User"`` and every landed migration exactly as they were,
while the code lives here, at the floor, where ``identities`` and every other app may import it.
Their migrations stay in ``portal/migrations/``; ``portal.models`` re-exports them for those.
"""

from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.professions import Profession
from accounts.roles import Role
from accounts.validators import validate_rpps


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
    Role = Role

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
        app_label = "portal"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="portal_user_role_valid",
            ),
            # Admins work in the Django admin; nobody else gets in there.
            models.CheckConstraint(
                condition=models.Q(role=Role.ADMIN, is_staff=True) | ~models.Q(role=Role.ADMIN),
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
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

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
        app_label = "portal"
        verbose_name = _("professional profile")
        verbose_name_plural = _("professional profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps__regex=r"^[0-9]{11}$"), name="portal_profile_rpps_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} (RPPS {self.rpps})"


class RecoveryCode(models.Model):
    """One of the 10 single-use codes a professional keeps for a lost authenticator.

    Shown once at enrolment; only their HMAC is stored.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    code_hmac = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hmac"], name="accounts_recovery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"
