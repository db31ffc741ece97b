"""Actions of a professional that make the portal send SMS are counted: SMS pumping costs money."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.exceptions import Refused


class SmsQuotaExceeded(Refused):
    """Too many SMS-sending actions by one professional in the last hour."""


def spend_sms_action(*, by: Any) -> None:
    """Count one action that sends SMS (an invitation, an activation, a lost phone...)."""
    if not ratelimit.hit(
        f"sms-actions:{by.pk}", limit=settings.SMS_ACTIONS_PER_HOUR, window_seconds=3600
    ):
        raise SmsQuotaExceeded(
            _(
                "Too many SMS sent in the last hour: wait a while before sending more, or "
                "contact the support."
            )
        )
