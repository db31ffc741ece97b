"""The patients' login (first factor) and the sessions it leaves behind."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts
from audit import services as audit
from portal.models import CodeChallenge, User
from portal.services.challenges import CODE_VALIDITY, _check_not_locked, _new_challenge
from portal.services.recipients import PortalError
from portal.services.totp import totp_device


def clear_expired_sessions() -> None:
    """Delete the sessions past their expiry date, whatever the session engine."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


def start_login(*, email: str, password: str, ip: str | None = None) -> CodeChallenge:
    """First factor: the password. Sends the second one, a code, to the account's mobile."""
    try:
        accounts.check_login_allowed(email=email, ip=ip)
    except accounts.LoginLocked as locked:
        audit.record(action="patient.login", ip=ip, outcome="denied", details={"step": "locked"})
        raise PortalError(str(locked)) from locked
    user = authenticate(None, username=email, password=password)
    if user is None or user.role != User.Role.PATIENT or user.activated_at is None:
        until = accounts.record_login_failure(email=email, ip=ip)
        target = User.objects.filter(email__iexact=email.strip()).first()
        audit.record(
            action="patient.login",
            ip=ip,
            outcome="failure",
            object_type="user" if target else "",
            object_id=target.pk if target else "",
            details={"step": "password"},
        )
        if until is not None:
            raise PortalError(accounts.lock_message(until))
        raise PortalError(_("Incorrect email address or password."))
    accounts.clear_login_failures(email=email, ip=ip)
    _check_not_locked(user)
    with transaction.atomic():
        if totp_device(user) is not None:
            # The app gives the code: no SMS unless the patient asks for one.
            return CodeChallenge.objects.create(
                user=user,
                purpose=CodeChallenge.Purpose.LOGIN,
                method=CodeChallenge.Method.TOTP,
                expires_at=timezone.now() + CODE_VALIDITY,
            )
        return _new_challenge(user=user, purpose=CodeChallenge.Purpose.LOGIN, ip=ip)
