"""Validators of identifiers used by the accounts."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn


def validate_rpps(value: str) -> None:
    """An RPPS number has 11 digits, the last one a Luhn check digit."""
    if not (len(value) == 11 and value.isdigit()):
        raise ValidationError(_("An RPPS number has exactly 11 digits."), code="rpps_format")
    if not luhn.is_valid(value):
        raise ValidationError(
            _("This RPPS number is not valid: its check digit does not match."), code="rpps_key"
        )
