"""Pages of the accounts: professionals' login and desk, portal creation, the patient space."""

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinician_required, patient_required
from accounts.http import local_next, refusal_as_form_error
from audit import services as audit
from identities import services as identities
from identities.models import Identity
from portal import services
from portal.errors import server_error as server_error  # handler500, see portal/urls.py
from portal.forms import (
    ActivationForm,
    CodeForm,
    ContactChangeForm,
    LostPhoneForm,
    PatientLoginForm,
    PortalCreationForm,
    TotpConfirmForm,
)
from portal.models import CodeChallenge


@require_GET
@clinician_required
def home(request: HttpRequest) -> HttpResponse:
    """The professional's desk: teleconsultations, pending print jobs, sending a document."""
    return render(request, "portal/home.html")


@require_GET
def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/legal.html")


# --- Portal creation by a professional ("Création d'un compte") ---------------------------------


_CREATED = gettext_lazy("The account was created: the signatory receives the login instructions.")
_ACCESS_PENDING = gettext_lazy(
    "This access awaits the holder's confirmation: a link was sent to their current email."
)


@require_http_methods(["GET", "POST"])
@clinician_required
def create_portal(request: HttpRequest, identity_uuid: object) -> HttpResponse:
    identity = identities.get_identity(identity_uuid=identity_uuid)
    initial = {"email": identity.email, "mobile": identity.mobile or None}
    form = PortalCreationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = refusal_as_form_error(
            form,
            lambda: services.create_portal(
                identity=identity,
                email=data["email"],
                mobile=str(data["mobile"]),
                quality=data["quality"],
                consent_given=data["consent"],
                consent_method=data["consent_method"],
                by=request.user,
                ip=audit.client_ip(request),
                attested=data["attested"],
            ),
        )
        if created is not None:
            messages.success(request, _ACCESS_PENDING if created.access_pending else _CREATED)
            return _back_to_sending_or_identity(request, identity)
    return render(
        request,
        "portal/create_portal.html",
        {"identity": identity, "form": form, "consent_wording": services.consent_wording()},
    )


def _back_to_sending_or_identity(request: HttpRequest, identity: Identity) -> HttpResponse:
    """Back to the sending that asked for the portal ("Copie au patient"), if any."""
    back = local_next(request)
    if back:
        return HttpResponseRedirect(back)
    return redirect("identities:detail", identity_uuid=identity.uuid)


# --- Patients: activation, login with a one-time code, their space ------------------------------

PENDING_CHALLENGE = "portal_pending_challenge"
PENDING_NEXT = "portal_pending_next"
HISTORY_PAGE_SIZE = 25


def _patient_next(request: HttpRequest) -> str:
    """The patient page an alert linked to (``?next=``), kept only if it stays in the space."""
    value = local_next(request)
    return value if value.startswith("/espace/") else ""


def _await_code(request: HttpRequest, challenge: CodeChallenge) -> HttpResponse:
    """The code page serves the attempt kept in this browser's session, and no other."""
    request.session[PENDING_CHALLENGE] = str(challenge.uuid)
    return redirect("portal:patient_code")


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.get_activation_link(token)
    except services.PortalError as error:
        return render(request, "portal/link_invalid.html", {"message": str(error)}, status=410)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.start_activation(
                token=token, password=form.cleaned_data["password1"], ip=audit.client_ip(request)
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.PortalError as error:
            form.add_error(None, str(error))
        else:
            return _await_code(request, challenge)
    return render(request, "portal/activate.html", {"form": form})


@require_http_methods(["GET", "POST"])
def patient_login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_patient:
        return redirect("portal:patient_home")
    form = PatientLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        challenge = refusal_as_form_error(
            form,
            lambda: services.start_login(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                ip=audit.client_ip(request),
            ),
        )
        if challenge is not None:
            request.session[PENDING_NEXT] = _patient_next(request)
            return _await_code(request, challenge)
    return render(request, "portal/patient_login.html", {"form": form})


@require_http_methods(["GET", "POST"])
def patient_code(request: HttpRequest) -> HttpResponse:
    challenge_uuid = request.session.get(PENDING_CHALLENGE)
    if not challenge_uuid:
        return redirect("portal:patient_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.verify_code(
                challenge_uuid=challenge_uuid,
                code=form.cleaned_data["code"],
                ip=audit.client_ip(request),
            )
        except services.PortalError as error:
            form.add_error(None, str(error))
        else:
            # login() gives the session a new key: a key seen before the second factor is dead.
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["auth_at"] = request.session["last_seen"] = time.time()
            return redirect(request.session.pop(PENDING_NEXT, "") or "portal:patient_home")
    method = services.challenge_method(challenge_uuid=challenge_uuid)
    return render(request, "portal/patient_code.html", {"form": form, "method": method})


@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    challenge_uuid = request.session.get(PENDING_CHALLENGE)
    if not challenge_uuid:
        return redirect("portal:patient_login")
    try:
        services.resend_code(challenge_uuid=challenge_uuid, ip=audit.client_ip(request))
    except services.PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A new code was sent by SMS. It replaces the previous one."))
    return redirect("portal:patient_code")


@require_GET
@patient_required
def patient_home(request: HttpRequest) -> HttpResponse:
    accesses = services.portals_of(request.user)
    if len(accesses) == 1:
        return redirect("portal:portal_home", portal_uuid=accesses[0].portal.uuid)
    return render(request, "portal/patient_home.html", {"accesses": accesses})


@require_GET
@patient_required
def portal_home(request: HttpRequest, portal_uuid: object) -> HttpResponse:
    portal = services.open_portal(
        user=request.user, portal_uuid=portal_uuid, ip=audit.client_ip(request)
    )
    return render(
        request,
        "portal/portal_home.html",
        {
            "portal": portal,
            "accesses": services.portals_of(request.user),
            "sections": services.portal_sections(portal=portal, user=request.user),
            "changes": services.recent_changes(portal=portal, user=request.user),
        },
    )


@require_GET
@patient_required
def portal_history(request: HttpRequest, portal_uuid: object) -> HttpResponse:
    """ "Qui a consulté mes documents": the access log rows about this portal and its identity."""
    portal = services.get_portal_for_user(user=request.user, portal_uuid=portal_uuid)
    entries = services.access_history(portal=portal, viewer=request.user)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/portal_history.html", {"portal": portal, "page": page})


@require_POST
def patient_logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("portal:patient_login")


@require_http_methods(["GET", "POST"])
@patient_required
def security(request: HttpRequest) -> HttpResponse:
    """Offer an authenticator app as the second factor instead of the SMS; a GET writes nothing."""
    form = TotpConfirmForm(request.POST or None)
    signed_key = request.POST.get("key", "")
    if request.method == "POST" and form.is_valid():
        try:
            services.enrol_totp(
                user=request.user,
                signed_key=signed_key,
                token=form.cleaned_data["token"],
                ip=audit.client_ip(request),
            )
        except services.PortalError as error:
            form.add_error("token", str(error))
        else:
            messages.success(request, _("Your authenticator app will now give your login codes."))
            return redirect("portal:patient_home")
    context = services.totp_enrolment_page(user=request.user, signed_key=signed_key)
    return render(request, "portal/security.html", {"form": form, **context})


@require_http_methods(["GET", "POST"])
@patient_required
def contact_details(request: HttpRequest) -> HttpResponse:
    form = ContactChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        challenge = refusal_as_form_error(
            form,
            lambda: services.start_contact_change(
                user=request.user,
                password=data["password"],
                email=data["email"] or "",
                mobile=str(data["mobile"]) if data["mobile"] else "",
                ip=audit.client_ip(request),
            ),
        )
        if challenge is not None:
            return _await_code(request, challenge)
    return render(request, "portal/contact_details.html", {"form": form})


_LOST_PHONE_DONE = gettext_lazy("The new mobile number is saved; the person was told by email.")
_LOST_PHONE_PENDING = gettext_lazy(
    "A confirmation link was sent to the person's current email: the number changes once they "
    "confirm."
)


@require_http_methods(["GET", "POST"])
@clinician_required
def lost_phone(request: HttpRequest, portal_uuid: object) -> HttpResponse:
    """A professional replaces the mobile of someone holding this portal, after an ID check."""
    portal, people = services.portal_signatories(portal_uuid=portal_uuid, by=request.user)
    form = LostPhoneForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        replaced = refusal_as_form_error(
            form,
            lambda: services.replace_lost_phone(
                portal=portal,
                user=data["person"],
                mobile=str(data["mobile"]),
                identity_checked=data["identity_checked"],
                attested=data["attested"],
                by=request.user,
                ip=audit.client_ip(request),
            ),
        )
        if replaced is not None:
            messages.success(request, _LOST_PHONE_DONE if replaced else _LOST_PHONE_PENDING)
            return redirect("identities:detail", identity_uuid=portal.identity.uuid)
    return render(request, "portal/lost_phone.html", {"form": form, "portal": portal})


@require_http_methods(["GET", "POST"])
def confirm_lost_phone(request: HttpRequest, token: str) -> HttpResponse:
    """The holder confirms a new mobile from their email; a GET (a mail scanner) changes nothing."""
    try:
        services.lost_phone_request(token)
        if request.method == "POST":
            services.confirm_lost_phone(token=token, ip=audit.client_ip(request))
            return render(request, "portal/confirm_lost_phone.html", {"done": True})
    except services.PortalError as error:
        return render(request, "portal/link_invalid.html", {"message": str(error)}, status=410)
    return render(request, "portal/confirm_lost_phone.html", {"done": False})


@require_http_methods(["GET", "POST"])
def confirm_access(request: HttpRequest, token: str) -> HttpResponse:
    """The holder confirms a new access to their portal; a GET (a mail scanner) changes nothing."""
    try:
        asked = services.portal_access_request(token)
        if request.method == "POST":
            services.confirm_portal_access(token=token, ip=audit.client_ip(request))
            return render(request, "portal/confirm_access.html", {"done": True})
    except services.PortalError as error:
        return render(request, "portal/link_invalid.html", {"message": str(error)}, status=410)
    return render(request, "portal/confirm_access.html", {"done": False, "asked": asked})


@require_POST
@patient_required
def undo_change(request: HttpRequest, portal_uuid: object, change_uuid: object) -> HttpResponse:
    """ "Annuler ce changement": the holder revokes an added access or gets their number back."""
    portal = services.get_portal_for_user(user=request.user, portal_uuid=portal_uuid)
    try:
        services.undo_change(
            portal=portal,
            change_uuid=str(change_uuid),
            user=request.user,
            ip=audit.client_ip(request),
        )
    except services.PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The change was undone."))
    return redirect("portal:portal_home", portal_uuid=portal.uuid)
