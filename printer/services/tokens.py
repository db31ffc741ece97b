"""Printer addresses: the per-clinician token in the IPP path, shown once, stored hashed.

The same secret opens the plain address ``/ipp/printer`` by HTTP Basic authentication: the
clinician's email as the user name, the secret as the password (what CUPS and Windows ask for
when they add a printer that answers 401). Never the portal's password: it has a second factor.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import services as accounts
from audit import services as audit
from printer.models import PrinterToken

logger = logging.getLogger(__name__)

# --- Printer addresses ----------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_printer_token(*, user: Any, ip: str | None = None) -> str:
    """A new secret printer address for this clinician; the previous one stops working.

    Only its hash is stored: the token is returned once, to be shown once.
    """
    token = secrets.token_urlsafe(24)
    PrinterToken.objects.update_or_create(
        user=user,
        defaults={"token_hash": _hash(token), "created_at": timezone.now(), "last_used_at": None},
    )
    audit.record(
        action="printer.token_create",
        actor=user,
        ip=ip,
        object_type="user",
        object_id=user.pk,
    )
    return token


@transaction.atomic
def revoke_printer_token(*, user: Any, ip: str | None = None) -> bool:
    deleted, _detail = PrinterToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            action="printer.token_revoke",
            actor=user,
            ip=ip,
            object_type="user",
            object_id=user.pk,
        )
    return bool(deleted)


def printer_token_of(user: Any) -> PrinterToken | None:
    return PrinterToken.objects.filter(user=user).first()


def printer_owner(token: str) -> Any:
    """The clinician whose printer this token opens, or None."""
    if not token or len(token) > 100:
        return None
    row = (
        PrinterToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return row.user if row is not None else None


# Failures of the printer's password are throttled like logins, apart from them.
THROTTLE_SCOPE = "printer"
_DUMMY_HASH = _hash("not a printer secret")


class PrinterLocked(Exception):
    """Too many wrong printer passwords for this account or address: wait until ``until``."""

    def __init__(self, until: datetime.datetime) -> None:
        super().__init__(str(until))
        self.until = until


def printer_owner_by_password(*, username: str, password: str, ip: str | None) -> Any:
    """The clinician whose email and printer secret these are, or None (a failure counted and
    traced, never the password). ``PrinterLocked`` during a wait: nothing is checked then."""
    email = username.strip().lower()[:254]
    if until := accounts.login_locked_until(email=email, ip=ip, scope=THROTTLE_SCOPE):
        raise PrinterLocked(until)
    row = (
        PrinterToken.objects.select_related("user")
        .filter(user__email__iexact=email, user__is_active=True)
        .first()
        if email
        else None
    )
    # Compared in constant time, and compared even when there is no such account.
    given = _hash(password[:100])
    matches = hmac.compare_digest(row.token_hash if row else _DUMMY_HASH, given)
    if row is not None and matches:
        accounts.clear_login_failures(email=email, ip=ip, scope=THROTTLE_SCOPE)
        return row.user
    accounts.record_login_failure(email=email, ip=ip, scope=THROTTLE_SCOPE)
    audit.record(
        action="printer.basic_auth",
        ip=ip,
        outcome="failure",
        object_type="user" if row is not None else "",
        object_id=row.user_id if row is not None else "",
        details={"email": email},
    )
    return None


def printer_path(token: str | None = None) -> str:
    from django.urls import reverse

    if token is None:  # the plain address, HTTP Basic authentication
        return reverse("printer:ipp_basic")
    return reverse("printer:ipp", args=[token])


# --- Receiving jobs -------------------------------------------------------------------------
