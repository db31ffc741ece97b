"""The professionals' login (password, then the authenticator app), logout, and the session ping."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import psc_logout, sessions
from accounts import services as accounts
from accounts.forms import ClinicianLoginForm, EnrolmentForm, SecondFactorForm
from accounts.http import local_next, refusal_as_form_error
from accounts.models import User
from audit import services as audit


@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """ "Se déconnecter" (POST, with its CSRF token): the portal's session ends; after a Pro
    Santé Connect login, the browser then goes to PSC's logout (accounts.psc_logout)."""
    id_token = psc_logout.id_token_of(request)
    auth_logout(request)
    if id_token is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return psc_logout.log_out_at_provider(request, id_token)


@never_cache
@require_GET
def psc_logged_out(request: HttpRequest) -> HttpResponse:
    """Back from Pro Santé Connect's logout (its post_logout_redirect_uri)."""
    if not settings.PSC_ENABLED:
        raise Http404
    if request.user.is_authenticated:  # logged in again since, or never logged out: nothing to say
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return psc_logout.back_from_provider(request)


@never_cache
@require_GET
def psc_login(request: HttpRequest) -> HttpResponse:
    """ "Se connecter avec Pro Santé Connect": off to the national provider (when configured)."""
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    if not settings.PSC_ENABLED:
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


@never_cache
@require_GET
def psc_callback(request: HttpRequest) -> HttpResponse:
    """Back from Pro Santé Connect (accounts.psc checks everything)."""
    from accounts.psc import CallbackView

    if not settings.PSC_ENABLED:
        raise Http404
    return CallbackView.as_view()(request)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """First factor: email and password. The second comes on the next page."""
    next_url = local_next(request) or reverse("portal:home")
    if request.user.is_authenticated and sessions.is_verified(request):
        return redirect(next_url)
    form = ClinicianLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = refusal_as_form_error(
            form,
            lambda: accounts.check_password(
                email=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=audit.client_ip(request),
            ),
        )
        if user is not None:
            sessions.start_pending_login(request, user, next_url)
            enrolled = accounts.totp_device(user) is not None
            return redirect("portal:login_code" if enrolled else "portal:login_enrol")
    context = {"form": form, "next": next_url, "psc": settings.PSC_ENABLED}
    return render(request, "portal/login.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Second factor: the app's code, or a recovery code."""
    pending = sessions.pending_login(request)
    if pending is None:
        return _start_again(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = refusal_as_form_error(
            form,
            lambda: accounts.verify_second_factor(
                user_id=pending["user"], code=form.cleaned_data["code"], ip=audit.client_ip(request)
            ),
            field="code",
        )
        if verified is not None:
            sessions.complete_login(request, *verified)
            return redirect(pending["next"])
    return render(request, "accounts/login_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    """First login: scan the QR code, prove it with one code, then see the recovery codes."""
    pending = sessions.pending_login(request)
    if pending is None:
        return _start_again(request)
    user = User.objects.get(pk=pending["user"])
    form = EnrolmentForm(request.POST or None)
    signed_key = request.POST.get("key", "")
    if request.method == "POST" and form.is_valid():
        enrolled = refusal_as_form_error(
            form,
            lambda: accounts.enrol_second_factor(
                user_id=user.pk,
                signed_key=signed_key,
                token=form.cleaned_data["token"],
                ip=audit.client_ip(request),
            ),
            field="token",
        )
        if enrolled is not None:
            sessions.complete_login(request, enrolled[0], enrolled[1])
            request.session[sessions.NEW_RECOVERY_CODES] = enrolled[2]
            return redirect("portal:recovery_codes")
    context = accounts.totp_enrolment_page(user=user, signed_key=signed_key)
    return render(request, "accounts/login_enrol.html", {"form": form, **context})


@never_cache
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The 10 recovery codes, shown once: a reload shows them no more."""
    codes = request.session.pop(sessions.NEW_RECOVERY_CODES, None)
    if not codes or not sessions.is_verified(request):
        return redirect("portal:home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Rester connecté": the request itself resets the idle clock (portal.middleware)."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your login attempt has expired: please log in again."))
    return redirect("portal:login")
