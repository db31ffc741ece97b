import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.validators import validate_rpps
from portal.models import ProfessionalProfile, User
from tests.factories import ClinicianFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_valid_rpps_number_passes() -> None:
    validate_rpps("10001001006")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1000100100", "exactement 11 chiffres"),
        ("1000100100A", "exactement 11 chiffres"),
        ("10001001007", "clé de contrôle"),
    ],
)
def test_a_bad_rpps_number_is_refused_in_french(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_rpps(value)
    assert message in error.value.messages[0]


def test_emails_are_unique_whatever_their_case() -> None:
    UserFactory(email="alice@portail.test")
    with pytest.raises(IntegrityError):
        UserFactory(email="ALICE@portail.test")


def test_create_user_lowercases_the_email() -> None:
    user = User.objects.create_user(
        "Bob@Portail.TEST", "long-enough-password", first_name="Bob", last_name="B", role="patient"
    )
    assert user.email == "bob@portail.test"


def test_an_admin_must_be_staff() -> None:
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.ADMIN, is_staff=False)


def test_a_clinician_has_a_professional_profile() -> None:
    clinician = ClinicianFactory()
    profile = ProfessionalProfile.objects.get(user=clinician)
    validate_rpps(profile.rpps)
    assert clinician.is_clinician
