import pytest
from django.core.exceptions import ValidationError

from tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db


def test_the_guides_eleven_digit_mobile_is_refused() -> None:
    identity = IdentityFactory.build(mobile="06010230405")
    with pytest.raises(ValidationError) as error:
        identity.full_clean()
    assert "mobile" in error.value.message_dict
    assert "n'est pas valide" in " ".join(error.value.message_dict["mobile"])


def test_a_landline_is_refused_as_a_mobile() -> None:
    identity = IdentityFactory.build(mobile="04 75 12 34 56")
    with pytest.raises(ValidationError) as error:
        identity.full_clean()
    assert error.value.message_dict["mobile"] == [
        "Ce numéro n'est pas un numéro de portable\u00a0: le patient doit pouvoir recevoir des SMS."
    ]


def test_a_french_mobile_is_stored_in_international_form() -> None:
    identity = IdentityFactory(mobile="06 01 02 30 40")
    identity.full_clean()
    identity.refresh_from_db()
    assert identity.mobile.as_e164 == "+33601023040"


def test_a_malformed_birthplace_code_is_refused_by_the_database() -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        IdentityFactory(birthplace_code="ABCDE")
