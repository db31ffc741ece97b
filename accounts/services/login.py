"""The login throttle, one mechanism for every login form: professionals, admins and patients.

Failures are counted on the account (its email, whether it exists or not) and, separately, on
the client's address. From the 5th failure on an account (the 20th from an address, which a
whole hospital may share behind one NAT) each failure imposes a wait that doubles, 15 minutes
first, at most 2 hours: never a permanent lock, so that nobody can shut a victim out for days.
The counts fade after a day without failure (an hour for an address).

``scope`` keeps another secret's failures apart, counted the same way: the printer's
password (``"printer"``) must not lock a clinician out of the portal's login, nor the reverse.
"""

import datetime
import hashlib
import time

from django.core.cache import cache
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.exceptions import Refused

LOGIN_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
LOGIN_LOCKOUT_SECONDS = 15 * 60
MAX_LOCKOUT_SECONDS = 2 * 3600
ACCOUNT_MEMORY_SECONDS = 24 * 3600
ADDRESS_MEMORY_SECONDS = 3600


class LoginLocked(Refused):
    """Too many failures: the message says until when."""


def _keys(*, email: str, ip: str | None, scope: str = "login") -> list[tuple[str, int, int]]:
    """(cache key, failure limit, memory) for the account, and for the address if known."""
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    keys = [(f"{scope}-failures:account:{account}", LOGIN_FAILURE_LIMIT, ACCOUNT_MEMORY_SECONDS)]
    if ip:
        keys.append((f"{scope}-failures:ip:{ip}", ADDRESS_FAILURE_LIMIT, ADDRESS_MEMORY_SECONDS))
    return keys


def login_locked_until(
    *, email: str, ip: str | None, scope: str = "login"
) -> datetime.datetime | None:
    """When the wait imposed on this account or address ends; None when there is none."""
    keys = _keys(email=email, ip=ip, scope=scope)
    ends = [cache.get(f"{key}:until") for key, _limit, _memory in keys]
    latest = max((end for end in ends if end and end > time.time()), default=None)
    return datetime.datetime.fromtimestamp(latest, tz=datetime.UTC) if latest else None


def is_login_locked(*, email: str, ip: str | None) -> bool:
    return login_locked_until(email=email, ip=ip) is not None


def lock_message(until: datetime.datetime) -> str:
    return _("Too many failed attempts. For your security, try again after %(time)s.") % {
        "time": formats.time_format(timezone.localtime(until), "H:i")
    }


def check_login_allowed(*, email: str, ip: str | None) -> None:
    """Raise ``LoginLocked`` (its message says until when) during a wait."""
    if until := login_locked_until(email=email, ip=ip):
        raise LoginLocked(lock_message(until))


def record_login_failure(
    *, email: str, ip: str | None, scope: str = "login"
) -> datetime.datetime | None:
    """Count one failure; gives the end of the wait it starts, if it starts one."""
    until = None
    for key, limit, memory in _keys(email=email, ip=ip, scope=scope):
        cache.add(key, 0, timeout=memory)
        try:
            failures = int(cache.incr(key))
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=memory)
            failures = 1
        cache.touch(key, memory)
        if failures >= limit:
            wait = min(LOGIN_LOCKOUT_SECONDS * 2 ** (failures - limit), MAX_LOCKOUT_SECONDS)
            end = time.time() + wait
            cache.set(f"{key}:until", end, timeout=wait)
            until = max(until or 0, end)
    return datetime.datetime.fromtimestamp(until, tz=datetime.UTC) if until else None


def clear_login_failures(*, email: str, ip: str | None, scope: str = "login") -> None:
    """A success forgets the account's failures (not the address's: one account of an
    attacker's own must not wipe what their address did)."""
    key = _keys(email=email, ip=None, scope=scope)[0][0]
    cache.delete_many([key, f"{key}:until"])
