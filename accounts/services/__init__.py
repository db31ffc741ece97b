"""What other apps may call in accounts: the login throttle and the professional profiles."""

from accounts.services.login import (
    LOGIN_FAILURE_LIMIT,
    LOGIN_LOCKOUT_SECONDS,
    clear_login_failures,
    is_login_locked,
    record_login_failure,
)
from accounts.services.profiles import professional_profiles
from accounts.services.quotas import SmsQuotaExceeded, spend_sms_action

__all__ = [
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_SECONDS",
    "SmsQuotaExceeded",
    "clear_login_failures",
    "is_login_locked",
    "professional_profiles",
    "record_login_failure",
    "spend_sms_action",
]
