"""The professionals' login: password, then the authenticator app's code (or a recovery code).

Every attempt is traced (``professional.login``, the step in the details), never the code.
The session says which second factor it passed (``second_factor_marker``); the pages check
that the device still exists, so resetting it ends the sessions it opened.
"""

import hmac
import secrets
import time
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from accounts.exceptions import Refused
from accounts.models import RecoveryCode, User
from accounts.roles import PROFESSIONAL_ROLES
from accounts.services.login import (
    LoginLocked,
    check_login_allowed,
    clear_login_failures,
    lock_message,
    record_login_failure,
)
from accounts.services.totp import load_totp_key, totp_device
from audit import services as audit

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
LOGIN_ACTION = "professional.login"


def _trace(
    *, step: str, email: str, ip: str | None, user: Any = None, outcome: str = "success"
) -> None:
    audit.record(
        action=LOGIN_ACTION,
        # The account is the actor only once proven; before that it is the target.
        actor=user if outcome == "success" else None,
        ip=ip,
        outcome=outcome,
        object_type="user" if user is not None else "",
        object_id=user.pk if user is not None else "",
        details={"step": step, "email": email.strip().lower()[:254]},
    )


def _refuse_after_failure(*, email: str, ip: str | None, message: str) -> Refused:
    until = record_login_failure(email=email, ip=ip)
    return LoginLocked(lock_message(until)) if until else Refused(message)


def check_password(*, email: str, password: str, ip: str | None = None) -> User:
    """First factor. A patient's right password gets the same answer as a wrong one."""
    try:
        check_login_allowed(email=email, ip=ip)
    except LoginLocked:
        _trace(step="password", email=email, ip=ip, outcome="denied")
        raise
    user = authenticate(None, username=email, password=password)
    if user is None or user.role not in PROFESSIONAL_ROLES:
        target = User.objects.filter(email__iexact=email.strip()).first()
        _trace(step="password", email=email, ip=ip, user=target, outcome="failure")
        raise _refuse_after_failure(
            email=email, ip=ip, message=_("Incorrect email address or password.")
        )
    _trace(step="password", email=email, ip=ip, user=user)
    return user


def _recovery_hmac(*, user: User, code: str) -> str:
    normalised = "".join(code.lower().split()).replace("-", "")
    return salted_hmac(
        "accounts.recovery-code", f"{user.pk}:{normalised}", algorithm="sha256"
    ).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes replace the old ones; only their HMAC is kept."""
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hmac=_recovery_hmac(user=user, code=code)) for code in codes
    )
    return codes


def _use_recovery_code(*, user: User, code: str) -> bool:
    digest = _recovery_hmac(user=user, code=code)
    for row in RecoveryCode.objects.filter(user=user, used_at__isnull=True).order_by("pk"):
        if hmac.compare_digest(row.code_hmac, digest):
            # Conditional: of two requests using one code at once, one wins.
            return bool(
                RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
            )
    return False


def second_factor_marker(device: Any) -> str:
    """What the session keeps of the second factor it passed."""
    return f"totp:{device.pk}"


def verify_second_factor(*, user_id: int, code: str, ip: str | None = None) -> tuple[User, str]:
    """Second factor: the app's code, or an unused recovery code. Single use, even at once.

    Gives the user and the session marker.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(pk=user_id)
    if not user.is_active:  # disabled between the password and the code
        raise Refused(_("This login attempt is over: start again."))
    try:
        check_login_allowed(email=user.email, ip=ip)
    except LoginLocked:
        _trace(step="code", email=user.email, ip=ip, user=user, outcome="denied")
        raise
    with transaction.atomic():
        # The lock serialises concurrent posts of one code: django-otp then refuses the replay.
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise Refused(_("This login attempt is over: start again."))
        token = "".join(code.split())
        if token.isdigit() and device.verify_token(token):
            step = "code"
        elif not token.isdigit() and _use_recovery_code(user=user, code=token):
            step = "recovery_code"
        else:
            step = ""
    if not step:
        _trace(step="code", email=user.email, ip=ip, user=user, outcome="failure")
        raise _refuse_after_failure(
            email=user.email, ip=ip, message=_("This code is not right, or was already used.")
        )
    clear_login_failures(email=user.email, ip=ip)
    _trace(step=step, email=user.email, ip=ip, user=user)
    return user, second_factor_marker(device)


def enrol_second_factor(
    *, user_id: int, signed_key: str, token: str, ip: str | None = None
) -> tuple[User, str, list[str]]:
    """First login: the key the page showed, the code the app gives for it.

    Gives the user, the session marker and the 10 recovery codes (to show once).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(pk=user_id)
    check_login_allowed(email=user.email, ip=ip)
    key = load_totp_key(user=user, signed_key=signed_key)
    if key is None:
        raise Refused(_("This page has expired: reload it and scan the new QR code."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if totp_device(user) is not None:
            raise Refused(_("An authenticator app is already set up: log in again."))
        # Checked before anything is saved: a wrong code leaves no device behind.
        totp = TOTP(bytes.fromhex(key))
        totp.time = time.time()
        candidate = "".join(token.split())
        if not (candidate.isdigit() and totp.verify(int(candidate), tolerance=1)):
            _trace(step="enrolment", email=user.email, ip=ip, user=user, outcome="failure")
            raise _refuse_after_failure(
                email=user.email,
                ip=ip,
                message=_("This code does not match: check the time of your phone and try again."),
            )
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator", key=key, confirmed=True, last_t=totp.t()
        )
        codes = _new_recovery_codes(user)
        _trace(step="enrolment", email=user.email, ip=ip, user=user)
    clear_login_failures(email=user.email, ip=ip)
    return user, second_factor_marker(device), codes


def session_second_factor_is_valid(*, user: Any, marker: str | None) -> bool:
    """Does the second factor this session passed still stand (device not reset)?"""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not marker:
        return False
    kind, _sep, pk = marker.partition(":")
    if kind == "psc":  # Pro Santé Connect: both factors, at the national provider
        return bool(pk) and getattr(getattr(user, "professional_profile", None), "rpps", "") == pk
    return (
        kind == "totp"
        and pk.isdigit()
        and TOTPDevice.objects.filter(pk=int(pk), user=user, confirmed=True).exists()
    )


@transaction.atomic
def reset_second_factor(*, user: User, by: Any, ip: str | None = None) -> None:
    """A lost authenticator: its device and recovery codes go; the sessions they opened end."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit.record(
        action="professional.second_factor_reset",
        actor=by,
        ip=ip,
        object_type="user",
        object_id=user.pk,
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
