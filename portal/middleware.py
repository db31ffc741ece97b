"""Middleware of the portal."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import Role
from portal.health import health

HEALTH_PATH = "/sante/"


def health_probe(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer the load balancer's probe whatever Host it sends (often the container's IP).

    It runs before host validation and the HTTPS redirect, touches no session nor database.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return health(request)
        return get_response(request)

    return middleware


def session_limits(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Everyone is logged out after 30 minutes idle or 12 hours in all, whichever comes first.

    Patients go back to their login, professionals and admins to theirs.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle = now - request.session.get("last_seen", now)
            age = now - request.session.get("auth_at", now)
            if idle > settings.PORTAL_IDLE_MINUTES * 60 or age > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session has expired: please log in again."))
                if user.role == Role.PATIENT:
                    return redirect("portal:patient_login")
                return redirect_to_login(request.get_full_path(), "portal:login")
            request.session["last_seen"] = now
        return get_response(request)

    return middleware
