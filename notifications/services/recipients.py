"""Recipients of the outbox: a valid email or French mobile, or ``InvalidRecipient``."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


class InvalidRecipient(ValueError):
    """The email address or phone number cannot be used; the message is safe to show."""


def normalize_email(value: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidRecipient(
            _("This email address is not valid: %(address)s") % {"address": address}
        ) from None
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_mobile(value: str) -> str:
    """E.164 form of a mobile number; French numbers may be typed nationally."""
    try:
        number = phonenumbers.parse(str(value), "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidRecipient(_("This phone number is not valid: %(number)s") % {"number": value})
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipient(
            _("This number is not a mobile number and cannot receive SMS: %(number)s")
            % {"number": value}
        )
    if not sms_country_allowed(number):
        raise InvalidRecipient(
            _("Only French mobile numbers (metropolitan and overseas) can receive SMS: %(number)s")
            % {"number": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_country_allowed(number: phonenumbers.PhoneNumber) -> bool:
    """Whether SMS may go to this number's country (``SMS_ALLOWED_COUNTRY_CODES``)."""
    return number.country_code in settings.SMS_ALLOWED_COUNTRY_CODES


_PHONE_NUMBER = re.compile(r"\+?\d[\d .-]{6,}(\d{2})")


def mask_numbers(text: str) -> str:
    """Providers quote the number in their errors: keep its last two digits only in logs."""
    return _PHONE_NUMBER.sub(lambda match: f"…{match.group(1)}", text)
