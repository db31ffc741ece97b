"""Logging out of Pro Santé Connect too: OpenID Connect RP-Initiated Logout 1.0.

After a PSC login the session keeps the ID token (``ID_TOKEN``), and nothing else of the
provider's answer: the session lives on the server (a database row), only its random key is in
the browser's cookie. On "Se déconnecter" the portal's session ends first, whatever happens
next; then the browser goes to PSC's ``end_session_endpoint`` with ``id_token_hint``, the
registered ``post_logout_redirect_uri`` (``portal:psc_logged_out``) and a random ``state``, kept
in the new anonymous session and checked on the way back. When PSC cannot be reached, or
publishes no logout endpoint, the professional is told that the portal's session is over but
PSC's may not be.
"""

import hmac
import logging
import secrets
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import sessions

logger = logging.getLogger(__name__)

ID_TOKEN = "psc_id_token"  # noqa: S105 (a session key's name)  # nosec B105
STATE = "psc_logout_state"
# How long the provider may take to send the browser back (its logout page asks a question).
STATE_SECONDS = 15 * 60
# PSC's discovery document is not at the standard path (see portal/settings.py).
DISCOVERY_PATH = "/.well-known/wallet-openid-configuration"
DISCOVERY_CACHE_SECONDS = 3600


class ProviderUnavailable(Exception):
    """PSC's logout endpoint is unknown: discovery failed or names none."""


def id_token_of(request: HttpRequest) -> str | None:
    """The ID token of this session's PSC login, or None (a password login, a patient...)."""
    if not settings.PSC_ENABLED:
        return None
    marker = str(request.session.get(sessions.SECOND_FACTOR) or "")
    token = request.session.get(ID_TOKEN)
    return token if marker.startswith("psc:") and isinstance(token, str) and token else None


def end_session_endpoint() -> str:
    """PSC_END_SESSION_ENDPOINT, else the ``end_session_endpoint`` of PSC's discovery."""
    if settings.PSC_END_SESSION_ENDPOINT:
        return str(settings.PSC_END_SESSION_ENDPOINT)
    url = settings.PSC_ISSUER.rstrip("/") + DISCOVERY_PATH
    cache_key = f"accounts:psc-end-session:{url}"
    if endpoint := cache.get(cache_key):
        return str(endpoint)
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        endpoint = response.json().get("end_session_endpoint")
    except (requests.RequestException, ValueError, AttributeError) as error:
        raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        raise ProviderUnavailable(f"discovery at {url} names no end_session_endpoint")
    cache.set(cache_key, endpoint, DISCOVERY_CACHE_SECONDS)
    return endpoint


def log_out_at_provider(request: HttpRequest, id_token: str) -> HttpResponse:
    """Right after the portal's logout: off to PSC's logout, or say why not."""
    try:
        endpoint = end_session_endpoint()
    except ProviderUnavailable as error:
        logger.warning("Pro Santé Connect logout skipped: %s", error)
        messages.warning(
            request,
            _(
                "You are logged out of the portal, but Pro Santé Connect could not be reached: "
                "your Pro Santé Connect session may still be open. Close your browser to end it."
            ),
        )
        return redirect(settings.LOGOUT_REDIRECT_URL)
    state = secrets.token_urlsafe(32)
    request.session[STATE] = {"state": state, "at": time.time()}
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(
                reverse("portal:psc_logged_out")
            ),
            "state": state,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "ui_locales": "fr",
        }
    )
    return HttpResponseRedirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{query}")


def back_from_provider(request: HttpRequest) -> HttpResponse:
    """PSC's logout sent the browser back: check the state, say what happened."""
    stored = request.session.pop(STATE, None)
    state = request.GET.get("state", "")
    valid = (
        isinstance(stored, dict)
        and isinstance(stored.get("state"), str)
        and hmac.compare_digest(stored["state"].encode(), state.encode())
        and time.time() - float(stored.get("at", 0)) <= STATE_SECONDS
    )
    if valid:
        messages.success(request, _("You are logged out of the portal and of Pro Santé Connect."))
    else:
        messages.warning(
            request,
            _(
                "You are logged out of the portal. The return from Pro Santé Connect could not "
                "be checked (a link expired or altered): if your Pro Santé Connect session is "
                "still open, close your browser to end it."
            ),
        )
    return redirect(settings.LOGOUT_REDIRECT_URL)
