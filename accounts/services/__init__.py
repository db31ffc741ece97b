"""What other apps may call in accounts: the login throttle, the second factor, the profiles."""

from accounts.services.login import (
    ADDRESS_FAILURE_LIMIT,
    LOGIN_FAILURE_LIMIT,
    LOGIN_LOCKOUT_SECONDS,
    LoginLocked,
    check_login_allowed,
    clear_login_failures,
    is_login_locked,
    lock_message,
    login_locked_until,
    record_login_failure,
)
from accounts.services.profiles import professional_profiles
from accounts.services.quotas import SmsQuotaExceeded, spend_sms_action
from accounts.services.second_factor import (
    RECOVERY_CODE_COUNT,
    check_password,
    enrol_second_factor,
    recovery_codes_left,
    reset_second_factor,
    second_factor_marker,
    session_second_factor_is_valid,
    verify_second_factor,
)
from accounts.services.totp import (
    DEMO_TOTP_KEY,
    load_totp_key,
    new_totp_device,
    signed_totp_key,
    totp_device,
    totp_enrolment_page,
    totp_qr_svg,
    totp_secret,
)

__all__ = [
    "ADDRESS_FAILURE_LIMIT",
    "DEMO_TOTP_KEY",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_SECONDS",
    "RECOVERY_CODE_COUNT",
    "LoginLocked",
    "SmsQuotaExceeded",
    "check_login_allowed",
    "check_password",
    "clear_login_failures",
    "enrol_second_factor",
    "is_login_locked",
    "load_totp_key",
    "lock_message",
    "login_locked_until",
    "new_totp_device",
    "professional_profiles",
    "record_login_failure",
    "recovery_codes_left",
    "reset_second_factor",
    "second_factor_marker",
    "session_second_factor_is_valid",
    "signed_totp_key",
    "spend_sms_action",
    "totp_device",
    "totp_enrolment_page",
    "totp_qr_svg",
    "totp_secret",
    "verify_second_factor",
]
