"""Validators of the contact details of an identity."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def validate_mobile(value: PhoneNumber | str) -> None:
    """Codes and invitations go by SMS: a landline cannot receive them.

    An invalid number is left to the phone number field, which already says so.
    """
    if not isinstance(value, PhoneNumber):
        try:
            value = PhoneNumber.from_string(str(value), region="FR")
        except phonenumbers.NumberParseException:
            return
    if not value.is_valid():
        return
    if phonenumbers.number_type(value) not in _MOBILE_TYPES:
        raise ValidationError(
            _("This number is not a mobile number: the patient must be able to receive SMS."),
            code="not_mobile",
        )
    from notifications import services as notifications  # the floor; loaded with the apps

    if not notifications.sms_country_allowed(value):
        raise ValidationError(
            _("Only French mobile numbers (metropolitan and overseas) can receive SMS."),
            code="country_not_allowed",
        )
