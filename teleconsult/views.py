"""Pages of the teleconsultation: the agenda, planning, the teleconsultation with its room and
its finalisation, rescheduling and cancelling, and the patient's join link."""

import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinician_required
from accounts.exceptions import NotFound
from audit import services as audit
from documents import services as documents
from identities import services as identities
from identities.forms import SearchForm
from teleconsult import services
from teleconsult.forms import (
    CorrespondentsForm,
    FinaliseDocumentFormSet,
    FinaliseForm,
    PlanForm,
    RescheduleForm,
)
from teleconsult.models import Teleconsultation


def _get_teleconsultation_for_clinician(request: HttpRequest, pk: object) -> Teleconsultation:
    teleconsultation = services.get_teleconsultation_for_clinician(user=request.user, pk=pk)
    if teleconsultation is None:
        raise Http404
    return teleconsultation


@dataclass(frozen=True)
class _AgendaLine:
    """A line of the agenda ready to print: its link and dates written once here (the url tag
    and the date filter cost most of the page's time at 150 lines)."""

    url: str
    starts_on: str
    patient: str
    born_on: str
    duration: int
    reason: str


_PLACEHOLDER = uuid.UUID(int=0)


def _lines(teleconsultations: list[Teleconsultation]) -> list[_AgendaLine]:
    link = reverse("teleconsult:detail", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    return [
        _AgendaLine(
            url=link.format(tc.uuid),
            starts_on=formats.date_format(timezone.localtime(tc.starts_at), "DATETIME_FORMAT"),
            patient=f"{tc.identity.display_name} {tc.identity.first_name.title()}",
            born_on=tc.identity.birth_date.strftime("%d/%m/%Y"),
            duration=tc.duration_minutes,
            reason=tc.reason,
        )
        for tc in teleconsultations
    ]


@require_GET
@clinician_required
def agenda(request: HttpRequest) -> HttpResponse:
    """ "Mes téléconsultations": today and upcoming, then past ones to finalise, then done."""
    agenda = services.agenda(user=request.user)
    sections = [
        (_("Today and upcoming"), _lines(agenda.upcoming), _("No teleconsultation planned.")),
        (
            _("To finalise"),
            _lines(agenda.to_finalise),
            _("No past teleconsultation to finalise."),
        ),
        (_("Finalised"), _lines(agenda.finalised), _("No finalised teleconsultation yet.")),
    ]
    return render(request, "teleconsult/agenda.html", {"sections": sections})


# --- Planning ----------------------------------------------------------------------------------


@require_GET
@clinician_required
def patients(request: HttpRequest) -> HttpResponse:
    """The directory's as-you-type search, each identity with "Choisir" for this planning."""
    context, status = _search(request)
    return render(request, "teleconsult/_patients.html", context, status=status)


def _search(request: HttpRequest) -> tuple[dict[str, Any], int]:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False}
    status = 200
    if form.is_valid():
        outcome = identities.search_directory(
            criteria=form.criteria(), by=request.user, ip=audit.client_ip(request)
        )
        context |= outcome.context()
        status = 429 if outcome.rate_limited else 200
    context["create_url"] = _identity_creation_url(form)
    return context, status


def _identity_creation_url(form: SearchForm) -> str:
    """Identity creation, pre-filled with what was searched, coming back here afterwards."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    query = [("next", reverse("teleconsult:plan"))]
    if data.get("name"):
        query.append(("birth_name", data["name"]))
    if data.get("first_name"):
        query.append(("first_name", data["first_name"]))
    if data.get("birth_date"):
        query.append(("birth_date", data["birth_date"].strftime("%d/%m/%Y")))
    return (
        reverse("identities:create")
        + "?"
        + "&".join(f"{key}={quote(str(value))}" for key, value in query)
    )


@require_http_methods(["GET", "POST"])
@clinician_required
def plan(request: HttpRequest) -> HttpResponse:
    """The guide's planning screen; "Terminer la planification" plans it in one step."""
    if request.method == "POST":
        form = PlanForm(request.POST)
        identity = _chosen_identity(request.POST.get("patient", ""))
        teleconsultation = _plan_from(request, form, identity)
        if teleconsultation is not None:
            messages.success(request, _("The teleconsultation is planned."))
            return redirect("teleconsult:detail", pk=teleconsultation.uuid)
        status = 400
    else:
        identity = _chosen_identity(request.GET.get("patient", ""))
        form = PlanForm(initial=_plan_initial(identity))
        status = 200
    context: dict[str, Any] = {
        "form": form,
        "identity": identity,
        "has_portal": identity is not None and documents.has_active_portal(identity),
        "search": SearchForm(),
        "create_url": _identity_creation_url(SearchForm()),
        "consent_wording": _consent_wording(),
    }
    if identity is None and any(request.GET.get(name) for name in SearchForm.base_fields):
        # Without JavaScript the search form comes here: the results in the page.
        found, status = _search(request)
        context |= found | {"search": found["form"], "searched_here": True}
    return render(request, "teleconsult/plan.html", context, status=status)


def _plan_initial(identity: Any) -> dict[str, Any]:
    if identity is None:
        return {"create_portal": True}
    mobile = identity.mobile.as_national.replace(" ", "") if identity.mobile else ""
    return {
        "create_portal": True,
        "patient": identity.uuid,
        "email": identity.email,
        "mobile": mobile,
    }


def _plan_from(request: HttpRequest, form: PlanForm, identity: Any) -> Teleconsultation | None:
    """The planned teleconsultation; None with the form's errors set."""
    if not form.is_valid():
        return None
    if identity is None:  # merged or deactivated meanwhile
        form.add_error("patient", _("Search for the patient, then choose them in the list."))
        return None
    data = form.cleaned_data
    try:
        return services.plan_teleconsultation(
            identity=identity,
            clinician=request.user,
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            reason=data["reason"],
            invite_by_email=data["invite_email"],
            invite_by_sms=data["invite_sms"],
            email=data["email"],
            mobile=data["mobile"],
            create_portal=data["create_portal"] and not documents.has_active_portal(identity),
            quality=data["quality"],
            consent_given=data["consent"],
            ip=audit.client_ip(request),
        )
    except services.TeleconsultError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


def _consent_wording() -> str:
    from portal import services as portal

    return portal.consent_wording()


def _chosen_identity(value: str) -> Any:
    try:
        return identities.get_identity(identity_uuid=value) if value else None
    except (NotFound, Http404, ValueError, ValidationError):
        return None


# --- The teleconsultation: room, finalisation, recap --------------------------------------------


def _with_room_csp(response: HttpResponse) -> HttpResponse:
    """The room's page: frames from the provider's origin only, and its API script."""
    policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
    if not settings.TELECONSULT_VIDEO_STAND_IN:
        policy["frame-src"] = [_origin(settings.TELECONSULT_VIDEO_URL)]
    script = services.video_api_script()
    if script.startswith("https://"):
        policy["script-src"] = [*policy["script-src"], _origin(script)]
    response._csp_config = policy  # type: ignore[attr-defined]  # as csp_override does
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@require_GET
@clinician_required
def detail(request: HttpRequest, pk: object) -> HttpResponse:
    """The teleconsultation: what was sent, the room, and the finalisation at hang-up."""
    teleconsultation = _get_teleconsultation_for_clinician(request, pk)
    if request.headers.get("HX-Request"):
        return render(request, "teleconsult/_messages.html", _messages_context(teleconsultation))
    context = _detail_context(request, teleconsultation)
    return _with_room_csp(render(request, "teleconsult/detail.html", context))


def _messages_context(teleconsultation: Teleconsultation) -> dict[str, Any]:
    from notifications import services as notifications

    sent = services.sent_messages(teleconsultation)
    return {
        "teleconsultation": teleconsultation,
        "sent": sent,
        "in_progress": any(
            notifications.in_progress(message) for _label, messages in sent for message in messages
        ),
    }


def _detail_context(
    request: HttpRequest,
    teleconsultation: Teleconsultation,
    *,
    finalise: FinaliseForm | None = None,
    document_rows: Any = None,
    correspondents: CorrespondentsForm | None = None,
) -> dict[str, Any]:
    planned = teleconsultation.status == Teleconsultation.Status.PLANNED
    context = _messages_context(teleconsultation) | {
        "has_portal": documents.has_active_portal(teleconsultation.identity),
        "join_url": services.join_url(teleconsultation),
        "room_url": services.room_url(teleconsultation),
        "api_script": services.video_api_script(),
        "show_finalisation": finalise is not None or "finaliser" in request.GET,
    }
    if planned:
        context |= {
            "finalise": finalise
            or FinaliseForm(initial={"amount": _french(services.default_amount(request.user))}),
            "documents": document_rows or FinaliseDocumentFormSet(prefix="documents"),
            "recipients": correspondents
            or CorrespondentsForm(initial={"token": secrets.token_urlsafe(24)}),
        }
        context["chosen"] = context["recipients"].chosen()
    if teleconsultation.status == Teleconsultation.Status.FINALISED:
        context["amount"] = services.format_euros(teleconsultation.amount or 0)
        if teleconsultation.dispatch is not None:
            context["sent_documents"], context["deliveries"] = documents.dispatch_recap(
                teleconsultation.dispatch
            )
    return context


def _french(amount: Any) -> str:
    text = f"{amount:.2f}".replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


@require_POST
@clinician_required
def finalise(request: HttpRequest, pk: object) -> HttpResponse:
    """ "Valider": rating, comment, amount, documents, correspondents, in one step."""
    teleconsultation = _get_teleconsultation_for_clinician(request, pk)
    if teleconsultation.status != Teleconsultation.Status.PLANNED:
        return _already_ended(request, teleconsultation)
    form = FinaliseForm(request.POST)
    rows = FinaliseDocumentFormSet(request.POST, request.FILES, prefix="documents")
    recipients = CorrespondentsForm(request.POST)
    if form.is_valid() and rows.is_valid() and recipients.is_valid():
        try:
            _finalise_from(request, teleconsultation, form, rows, recipients)
        except services.TeleconsultError as error:
            if error.field != "documents":
                messages.error(request, str(error))
                return redirect("teleconsult:detail", pk=teleconsultation.uuid)
            recipients.add_error(None, str(error))
        else:
            messages.success(request, _("The teleconsultation is finalised."))
            return redirect("teleconsult:detail", pk=teleconsultation.uuid)
    if request.FILES:
        # A browser never keeps chosen files across a refused form: say which, once.
        names = ", ".join(sorted({upload.name for upload in request.FILES.values()}))
        recipients.add_error(
            None,
            _("Fix what is shown, then choose these files again: %(names)s.") % {"names": names},
        )
    context = _detail_context(
        request, teleconsultation, finalise=form, document_rows=rows, correspondents=recipients
    )
    return _with_room_csp(render(request, "teleconsult/detail.html", context, status=400))


def _already_ended(request: HttpRequest, teleconsultation: Teleconsultation) -> HttpResponse:
    """A retry of the form that finalised it goes to its recap; anything else is told why."""
    token = request.POST.get("token", "")
    if not (token and teleconsultation.finalise_token == token):
        messages.error(
            request,
            _("This teleconsultation was cancelled: it cannot be finalised.")
            if teleconsultation.status == Teleconsultation.Status.CANCELLED
            else _("This teleconsultation is already finalised."),
        )
    return redirect("teleconsult:detail", pk=teleconsultation.uuid)


def _finalise_from(
    request: HttpRequest,
    teleconsultation: Teleconsultation,
    form: FinaliseForm,
    rows: Any,
    recipients: CorrespondentsForm,
) -> Teleconsultation:
    return services.finalise_teleconsultation(
        teleconsultation=teleconsultation,
        finalisation=services.Finalisation(
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            amount=form.cleaned_data["amount"],
            documents=rows.new_documents(),
            professionals=list(recipients.cleaned_data["correspondents"]),
        ),
        by=request.user,
        token=recipients.cleaned_data["token"],
        ip=audit.client_ip(request),
    )


@require_http_methods(["GET", "POST"])
@clinician_required
def reschedule(request: HttpRequest, pk: object) -> HttpResponse:
    """Move the teleconsultation; the patient is told by the invitation's channels."""
    teleconsultation = _get_teleconsultation_for_clinician(request, pk)
    if request.method == "GET":
        form = RescheduleForm(initial=_schedule_of(teleconsultation))
    else:
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                services.reschedule_teleconsultation(
                    teleconsultation=teleconsultation,
                    starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    by=request.user,
                    ip=audit.client_ip(request),
                )
            except services.TeleconsultError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The teleconsultation was moved; the patient is told."))
                return redirect("teleconsult:detail", pk=teleconsultation.uuid)
    context = {"form": form, "teleconsultation": teleconsultation}
    status = 200 if request.method == "GET" else 400
    return render(request, "teleconsult/reschedule.html", context, status=status)


def _schedule_of(teleconsultation: Teleconsultation) -> dict[str, Any]:
    starts = timezone.localtime(teleconsultation.starts_at)
    return {
        "date": starts.date(),
        "time": starts.time().replace(second=0, microsecond=0),
        "duration_minutes": teleconsultation.duration_minutes,
    }


@require_POST
@clinician_required
def cancel(request: HttpRequest, pk: object) -> HttpResponse:
    teleconsultation = _get_teleconsultation_for_clinician(request, pk)
    try:
        services.cancel_teleconsultation(
            teleconsultation=teleconsultation, by=request.user, ip=audit.client_ip(request)
        )
    except services.TeleconsultError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The teleconsultation is cancelled; the patient is told."))
    return redirect("teleconsult:detail", pk=teleconsultation.uuid)


# --- The patient's side ------------------------------------------------------------------------


@require_GET
@never_cache
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link: to the room while it is open; otherwise when it opens. No health
    data: a date, a time, nothing about the patient or the reason."""
    teleconsultation = services.get_by_join_token(token)
    if teleconsultation is None:
        return render(request, "teleconsult/join.html", {"state": "unknown"}, status=404)
    state = services.join_state(teleconsultation)
    if state == services.JoinState.OPEN:
        return redirect(services.room_url(teleconsultation))
    return render(
        request,
        "teleconsult/join.html",
        {
            "state": state,
            "starts_at": teleconsultation.starts_at,
            "opens_at": teleconsultation.opens_at,
            "early": settings.TELECONSULT_JOIN_EARLY_MINUTES,
        },
        status=410 if state == services.JoinState.CANCELLED else 200,
    )


@require_GET
def stand_in_room(request: HttpRequest, room: str) -> HttpResponse:
    """The local imitation of a video room (development and tests, no video server)."""
    if not settings.TELECONSULT_VIDEO_STAND_IN:
        raise Http404
    return render(request, "teleconsult/stand_in_room.html", {"room": room})
