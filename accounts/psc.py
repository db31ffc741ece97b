"""Pro Santé Connect (PSC): the national OpenID Connect login of health professionals.

mozilla-django-oidc does the flow (authorization code, PKCE S256, state, nonce, RS256 signature
checked against the provider's keys); its defaults are wrong for PSC, hence this module:
- the ID token's ``iss``, ``aud`` and ``acr`` (eIDAS substantial: ``eidas1``) are checked too;
- the professional is found by the RPPS number of the userinfo claims (``SubjectNameID`` or
  ``preferred_username``; PSC gives no reliable email), never created on the fly;
- a PSC login counts as both factors (the session's marker is ``psc:<RPPS>``);
- the ID token stays in the (server-side) session, for logging out of PSC too
  (``accounts.psc_logout``);
- every attempt is traced (``professional.login``, step ``psc``), every failure ends on the
  login page with a French message, never a 400 or a 500.
"""

from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from accounts import psc_logout, sessions
from accounts.models import User
from accounts.roles import PROFESSIONAL_ROLES
from audit import services as audit

REFUSAL = "psc_refusal"


def _trace(request: HttpRequest, *, outcome: str, user: Any = None, rpps: str = "") -> None:
    audit.record(
        action="professional.login",
        actor=user if outcome == "success" else None,
        ip=audit.client_ip(request),
        outcome=outcome,
        object_type="user" if user is not None else "",
        object_id=user.pk if user is not None else "",
        details={"step": "psc", "rpps": rpps},
    )


class ProSanteConnectBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django tries every backend on a password login: without PSC this one stays silent.
        self.enabled = settings.PSC_ENABLED
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not self.enabled or "username" in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        if "nonce" not in kwargs:  # a signed userinfo answer, not the ID token
            return payload
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.PSC_ISSUER:
            raise SuspiciousOperation("PSC: wrong issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("PSC: wrong audience")
        if payload.get("acr") != settings.PSC_ACR:
            raise SuspiciousOperation("PSC: wrong acr")
        return payload

    @staticmethod
    def rpps_of(claims: dict[str, Any]) -> str:
        return str(claims.get("SubjectNameID") or claims.get("preferred_username") or "")

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self.rpps_of(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        rpps = self.rpps_of(claims)
        users = User.objects.filter(
            professional_profile__rpps=rpps, role__in=PROFESSIONAL_ROLES, is_active=True
        )
        if not users.exists():
            self.request.session[REFUSAL] = rpps
        return users

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # Only the ID token, for the logout's id_token_hint (accounts.psc_logout); in the
        # session's row on the server, never in a cookie. The access token is not kept.
        self.request.session[psc_logout.ID_TOKEN] = id_token

    def create_user(self, claims: dict[str, Any]) -> None:
        raise SuspiciousOperation("PSC never creates an account")

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError):
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        rpps = self.user.professional_profile.rpps
        id_token = self.request.session.get(psc_logout.ID_TOKEN)
        sessions.complete_login(self.request, self.user, f"psc:{rpps}")
        # The login may have flushed the session (another user was logged in): keep the token.
        self.request.session[psc_logout.ID_TOKEN] = id_token
        _trace(self.request, outcome="success", user=self.user, rpps=rpps)
        return HttpResponseRedirect(self.success_url)

    def login_failure(self) -> HttpResponse:
        self.request.session.pop(psc_logout.ID_TOKEN, None)  # a token, but no login
        unknown_rpps = self.request.session.pop(REFUSAL, None)
        _trace(self.request, outcome="failure", rpps=unknown_rpps or "")
        if unknown_rpps:
            message = _(
                "Your RPPS number %(rpps)s is not known on this portal. Ask its administrator to "
                "add it to your professional profile; no account is created automatically."
            ) % {"rpps": unknown_rpps}
        else:
            message = _("The login with Pro Santé Connect failed. Please try again.")
        messages.error(self.request, message)
        return redirect(reverse("portal:login"))
