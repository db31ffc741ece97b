"""The portal's refusal (``PortalError``) and the checking of a signatory's email and mobile."""

from typing import Any

from accounts import services as accounts
from accounts.exceptions import Refused
from notifications import services as notifications


class PortalError(Refused):
    """A refused portal operation; the message is safe to show to the user."""


def _mobile_e164(value: str) -> str:
    try:
        return notifications.normalize_mobile(value)
    except notifications.InvalidRecipient as error:
        raise PortalError(str(error)) from None


def _email(value: str) -> str:
    try:
        return notifications.normalize_email(value).lower()
    except notifications.InvalidRecipient as error:
        raise PortalError(str(error)) from None


def _spend_sms_action(*, by: Any) -> None:
    try:
        accounts.spend_sms_action(by=by)
    except accounts.SmsQuotaExceeded as error:
        raise PortalError(str(error)) from None
