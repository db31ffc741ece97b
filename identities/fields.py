"""Form fields shared by the pages that ask for a patient's contact details."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from identities.validators import validate_mobile


class _AsTyped(str):
    """What the user typed, redisplayed untouched when the form comes back."""


class MobileWidget(RegionalPhoneNumberWidget):
    def format_value(self, value: Any) -> Any:
        if isinstance(value, _AsTyped):
            return str(value)
        return super().format_value(value)


class MobileField(PhoneNumberField):
    """A French mobile number: codes and alerts go by SMS, so a landline is refused."""

    widget = MobileWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("region", "FR")
        kwargs.setdefault("validators", [validate_mobile])
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter a valid mobile number, for example 06 12 34 56 78.")},
        )
        super().__init__(**kwargs)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # A refused "06010230405" must not come back as "6010230405": show it as typed.
        if isinstance(data, str):
            return _AsTyped(data)
        return super().bound_data(data, initial)
