"""Middleware of the portal."""

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.roles import Role
from portal.health import health
from portal.uploads import MAX_REQUEST_SIZE

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


# C0 controls but tab and line breaks, DEL, C1 controls, and the bidirectional overrides that
# disguise a file name ("\u202egnp.exe"). PostgreSQL refuses NUL in text: a 500 otherwise.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _has_control_characters(request: HttpRequest) -> bool:
    texts = [request.path]
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            texts.append(key)
            texts.extend(values)
    texts.extend(upload.name or "" for upload in request.FILES.values())
    return any(_CONTROL_CHARACTERS.search(text) for text in texts)


def refuse_control_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A request with a control character in a parameter, a field or a file name gets a 400.

    No form of the portal takes one; refusing them here covers every input at once.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if _has_control_characters(request):
            return HttpResponseBadRequest(
                _("The request contains control characters: it was refused."),
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware


def refuse_oversized_requests(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A request larger than a whole sending (10 files of 20 MB) gets a 413 before anything
    reads its body: nothing of it is written to disk nor held in memory."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_SIZE:
            return HttpResponse(
                _(
                    "The files sent at once exceed %(size)d MB: send at most 10 files of "
                    "20 MB, in several sendings if needed."
                )
                % {"size": MAX_REQUEST_SIZE // (1024 * 1024)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware


def no_store_when_logged_in(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Pages seen by a logged-in person hold health data: no browser or proxy may keep them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware
