"""The login throttle, shared by the professionals' login and the patients' first factor."""

import hashlib

from django.core.cache import cache

# A person is locked out for 15 minutes after 5 failures on the same email from the same
# address; the lock expires by itself so it can never shut a victim out for days.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60


def _failure_key(*, email: str, ip: str | None) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip or ''}".encode()).hexdigest()
    return f"login-failures:{digest}"


def is_login_locked(*, email: str, ip: str | None) -> bool:
    return bool(cache.get(_failure_key(email=email, ip=ip), 0) >= LOGIN_FAILURE_LIMIT)


def record_login_failure(*, email: str, ip: str | None) -> int:
    """Count one failure; the window starts at the first failure and lasts the lockout time."""
    key = _failure_key(email=email, ip=ip)
    cache.add(key, 0, timeout=LOGIN_LOCKOUT_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=LOGIN_LOCKOUT_SECONDS)
        return 1


def clear_login_failures(*, email: str, ip: str | None) -> None:
    cache.delete(_failure_key(email=email, ip=ip))
