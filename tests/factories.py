"""Factories of the objects the tests need; personas are built from them in conftest."""

import datetime

import factory
from stdnum import luhn

from accounts.professions import Profession
from identities.models import Identity
from portal.models import ProfessionalProfile, User

PASSWORD = "correct-horse-battery-staple"


def _rpps(number: int) -> str:
    base = f"1{number:09d}"
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@portail.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"USER{n}")
    role = User.Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class ClinicianFactory(UserFactory):
    role = User.Role.CLINICIAN
    profile = factory.RelatedFactory(
        "tests.factories.ProfessionalProfileFactory", factory_related_name="user"
    )


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class ProfessionalProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfessionalProfile

    user = factory.SubFactory(UserFactory, role=User.Role.CLINICIAN)
    rpps = factory.Sequence(_rpps)
    profession = Profession.PHYSICIAN
    specialty = "Médecine générale"
    organisation = "Cabinet médical"


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    birth_name = factory.Sequence(lambda n: f"PATIENT{'ABCDEFGHIJ'[n % 10]}")
    first_name = "MARIE"
    birth_first_names = "MARIE"
    birth_date = datetime.date(1980, 1, 1)
    sex = Identity.Sex.FEMALE
    birthplace_kind = Identity.BirthplaceKind.FRANCE
    birthplace_code = "26064"


# The authenticator key of every professional the tests enrol (base 32: GEZDGNBVGY3TQOJQ...).
TOTP_KEY = "3132333435363738393031323334353637383930"


def enrol_authenticator(user: User) -> object:
    """The user's confirmed authenticator app, with the tests' known key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test", key=TOTP_KEY)


def totp_code(offset_steps: int = 0) -> str:
    """The code an app holding TOTP_KEY shows now (or ``offset_steps`` windows away)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY), drift=offset_steps):06d}"


def login_professional(client: object, user: User) -> object:
    """Log a professional (or an admin) in with both factors passed: the one way tests do it."""
    device = enrol_authenticator(user)
    client.force_login(user)
    session = client.session
    session["second_factor"] = f"totp:{device.pk}"
    session.save()
    return client


def login_as(client: object, user: User) -> object:
    """Log anyone in as the real login would: professionals with both factors passed."""
    if user.role == User.Role.PATIENT:
        client.force_login(user)
        return client
    return login_professional(client, user)
