"""A refused mobile number comes back exactly as typed, so the user sees their own mistake."""

import pytest

from identities.forms import IdentityForm
from portal.forms import PortalCreationForm


@pytest.mark.parametrize("form_class", [PortalCreationForm, IdentityForm])
@pytest.mark.parametrize("typed", ["06010230405", "01 23 45 67 89", "06 12 ab 56"])
def test_a_refused_mobile_is_shown_exactly_as_typed(form_class: type, typed: str) -> None:
    form = form_class(data={"mobile": typed})
    assert not form.is_valid() and "mobile" in form.errors
    assert f'value="{typed}"' in str(form["mobile"])


def test_a_stored_mobile_is_shown_in_the_national_format() -> None:
    form = PortalCreationForm(initial={"mobile": "+33612345678"})
    assert 'value="06 12 34 56 78"' in str(form["mobile"])
