"""Form fields shared by the pages that ask for a patient's contact details."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from identities.validators import validate_mobile


class MobileField(PhoneNumberField):
    """A French mobile number: codes and alerts go by SMS, so a landline is refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("region", "FR")
        kwargs.setdefault("validators", [validate_mobile])
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter a valid mobile number, for example 06 12 34 56 78.")},
        )
        super().__init__(**kwargs)
