"""What a professional's session holds about its login, read and written by the views only.

Between the password and the second factor the session knows only who is on the way
(``PENDING``, for 5 minutes); the user is logged in (and the session key rotated) once the
second factor is passed, and the session then keeps which one (``SECOND_FACTOR``).
"""

import time
from typing import Any

from django.contrib.auth import login as auth_login
from django.http import HttpRequest

from accounts import services as accounts

PENDING = "professional_login_pending"
SECOND_FACTOR = "second_factor"
NEW_RECOVERY_CODES = "new_recovery_codes"
PENDING_SECONDS = 5 * 60


def start_pending_login(request: HttpRequest, user: Any, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": next_url}


def pending_login(request: HttpRequest) -> dict[str, Any] | None:
    """Who passed the password in this browser in the last 5 minutes, or None."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return dict(pending)


def complete_login(request: HttpRequest, user: Any, marker: str) -> None:
    """Both factors passed: a new session key, the login, the clocks of the session limits."""
    request.session.pop(PENDING, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SECOND_FACTOR] = marker
    request.session["auth_at"] = request.session["last_seen"] = time.time()


def is_verified(request: HttpRequest) -> bool:
    """Has this session passed a second factor that still stands?"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return accounts.session_second_factor_is_valid(
        user=user, marker=request.session.get(SECOND_FACTOR)
    )
