"""The printer's IPP address, "Mon imprimante", "Impressions en attente" and the print wizard."""

import base64
import time
from typing import Any, BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.handlers.wsgi import LimitedStream
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import clinician_required
from accounts.http import refusal_as_form_error
from audit import services as audit
from documents.forms import RecipientsForm
from documents.models import Professional
from identities import services as identities
from identities.forms import SearchForm
from printer import server, services
from printer.chunked import ChunkedReader
from printer.forms import DocumentTypeForm, RecipientsStepForm
from printer.models import PrintJob

IPP_CONTENT_TYPE = "application/ipp"


# --- The IPP address ------------------------------------------------------------------------


def _body(request: HttpRequest) -> BinaryIO:
    """The request body as a stream, chunked or not.

    Django takes a missing Content-Length for 0, so a chunked body (CUPS, Windows) would read
    empty: gunicorn has already de-chunked ``wsgi.input``, read it to its end; Django's
    development server hands the raw socket behind a 0-byte ``LimitedStream``: de-chunk it here.
    """
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return request  # type: ignore[return-value]
    stream = request.environ["wsgi.input"]
    if isinstance(stream, LimitedStream) and stream.limit == 0:
        return ChunkedReader(stream._readline.__self__)  # type: ignore[attr-defined]
    return stream


@csrf_exempt
def ipp_endpoint(request: HttpRequest, token: str, job_id: int | None = None) -> HttpResponse:
    """IPP over HTTP (RFC 8010): one POST per operation, ``application/ipp`` both ways; the
    secret in the address says whose printer it is."""
    if refused := _not_ipp(request):
        return refused
    return _ipp(request, services.printer_owner(token), services.printer_path(token))


@csrf_exempt
def ipp_basic_endpoint(request: HttpRequest, job_id: int | None = None) -> HttpResponse:
    """The plain address: the clinician's email and printer secret by HTTP Basic
    authentication. Get-Printer-Attributes answers anyone; a job operation without them is a
    401 with the challenge, which CUPS, macOS and Windows answer by asking for them."""
    if refused := _not_ipp(request):
        return refused
    owner = None
    if credentials := _basic_credentials(request):
        try:
            owner = services.printer_owner_by_password(
                username=credentials[0], password=credentials[1], ip=audit.client_ip(request)
            )
        except services.PrinterLocked as locked:
            _drain(_body(request))
            wait = max(1, int(locked.until.timestamp() - time.time()))
            response = HttpResponse(_("Too many wrong passwords: try again later."), status=429)
            response["Retry-After"] = str(wait)
            return response
    return _ipp(request, owner, services.printer_path(), basic_auth=True)


def _not_ipp(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        response = HttpResponse(status=405)
        response["Allow"] = "POST"
        return response
    if request.content_type != IPP_CONTENT_TYPE:
        return HttpResponse(status=415)
    return None


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The user name and password of an ``Authorization: Basic`` header (RFC 7617, UTF-8)."""
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or len(value) > 1000:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def _ipp(request: HttpRequest, owner: Any, path: str, basic_auth: bool = False) -> HttpResponse:
    scheme = "ipps" if request.is_secure() else "ipp"
    context = server.Context(
        printer_uri=f"{scheme}://{request.get_host()}{path}",
        secure=request.is_secure(),
        owner=owner,
        more_info=request.build_absolute_uri(reverse("printer:inbox")),
        job_page=lambda job: request.build_absolute_uri(reverse("printer:inbox")),
        basic_auth=basic_auth,
    )
    stream = _body(request)
    try:
        body = server.handle(stream, context)
    except server.AuthenticationRequired:
        _drain(stream)
        response = HttpResponse(status=401)
        realm = settings.PRINTER_NAME.replace('"', "")
        response["WWW-Authenticate"] = f'Basic realm="{realm}", charset="UTF-8"'
        return response
    _drain(stream)
    return HttpResponse(body, content_type=IPP_CONTENT_TYPE)


def _drain(stream: BinaryIO) -> None:
    """Read what a refused request left unread: a kept-alive connection must start its next
    request at the right byte. A body past any job's size is left; the client will see the
    connection close."""
    left = services.MAX_RASTER_SIZE
    try:
        while left > 0 and (chunk := stream.read(min(left, services.CHUNK))):
            left -= len(chunk)
    except (OSError, ValueError):
        pass


# --- "Mon imprimante" -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@clinician_required
def setup(request: HttpRequest) -> HttpResponse:
    """The clinician's printer address: created (shown once), replaced or revoked here."""
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_printer_token(user=request.user, ip=audit.client_ip(request))
            messages.success(request, _("The printer address was revoked: it no longer works."))
            return redirect("printer:setup")
        token = services.create_printer_token(user=request.user, ip=audit.client_ip(request))
    context: dict[str, Any] = {"printer_token": services.printer_token_of(request.user)}
    if token is not None:
        secure = request.is_secure()
        host = request.get_host()
        path = services.printer_path(token)
        context |= {
            "token": token,
            "ipp_url": f"{'ipps' if secure else 'ipp'}://{host}{path}",
            "http_url": f"{'https' if secure else 'http'}://{host}{path}",
            "lpadmin_url": f"{'ipps' if secure else 'ipp'}://{_with_port(host, secure)}{path}",
            "host": host,
            "path": path,
        } | _plain_address(request, token)
    response = render(request, "printer/setup.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _plain_address(request: HttpRequest, token: str) -> dict[str, str]:
    """The plain address, for the computers that ask for a user name and password."""
    secure, host, path = request.is_secure(), request.get_host(), services.printer_path()
    credentials = f"{quote(request.user.email, safe='')}:{token}@"  # type: ignore[union-attr]
    return {
        "basic_ipp_url": f"{'ipps' if secure else 'ipp'}://{host}{path}",
        "basic_lpadmin_url": f"{'ipps' if secure else 'ipp'}://{_with_port(host, secure)}{path}",
        "basic_lpadmin_url_with_password": (
            f"{'ipps' if secure else 'ipp'}://{credentials}{_with_port(host, secure)}{path}"
        ),
        "basic_path": path,
    }


def _with_port(host: str, secure: bool) -> str:
    # ipp:// and ipps:// default to port 631: CUPS needs the web port written out.
    if ":" in host.rsplit("]", 1)[-1]:
        return host
    return f"{host}:{443 if secure else 80}"


# --- "Impressions en attente" ---------------------------------------------------------------


def _get_job_for_user(request: HttpRequest, job_uuid: object) -> PrintJob:
    try:
        return services.get_job_for_user(user=request.user, job_uuid=job_uuid)
    except services.NotFound:
        raise Http404 from None


@require_GET
@clinician_required
def inbox(request: HttpRequest) -> HttpResponse:
    jobs = services.waiting_jobs(request.user).select_related("document_type", "identity")
    return render(
        request,
        "printer/inbox.html",
        {"jobs": jobs[:100], "PRINTER_JOB_DAYS": settings.PRINTER_JOB_DAYS},
    )


@require_GET
@clinician_required
def job_file(request: HttpRequest, job_uuid: object) -> FileResponse:
    """The printed PDF, inline, for its clinician only, in a sandbox of its own."""
    job = _get_job_for_user(request, job_uuid)
    handle = services.open_job_file(job=job, user=request.user, ip=audit.client_ip(request))
    response = FileResponse(handle, content_type="application/pdf")
    filename = f"{job.name or 'document'}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Shown in the wizard's frame: our pages may frame it, nothing runs in it.
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; object-src 'none'; frame-ancestors 'self'"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_GET
@clinician_required
def job_thumbnail(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """The first page, small, for the inbox's list."""
    job = _get_job_for_user(request, job_uuid)
    try:
        png = services.job_thumbnail(job=job, dpi=72 if request.GET.get("taille") == "page" else 40)
    except services.NotFound:
        raise Http404 from None
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@clinician_required
def job_delete(request: HttpRequest, job_uuid: object) -> HttpResponse:
    job = _get_job_for_user(request, job_uuid)
    services.delete_job(job=job)
    messages.success(request, _("The print job was deleted."))
    return redirect("printer:inbox")


# --- The wizard -----------------------------------------------------------------------------


def _wizard(
    request: HttpRequest, template: str, job: PrintJob, step: int, status: int = 200, **context: Any
) -> HttpResponse:
    context |= {"job": job, "step": step, "steps": _steps(job)}
    return render(request, template, context, status=status)


def _steps(job: PrintJob) -> list[tuple[int, str, str | None]]:
    """The five steps, each with its link once it can be reached."""
    reached = [
        True,
        job.document_type_id is not None,
        job.identity_id is not None,
        job.identity_id is not None and job.recipients_chosen,
    ]
    names = ["job_type", "job_patient", "job_recipients", "job_recap"]
    labels = [_("Document type"), _("Patient"), _("Recipient(s)"), _("Summary")]
    steps = [
        (
            index + 1,
            labels[index],
            reverse(f"printer:{names[index]}", args=[job.uuid]) if reached[index] else None,
        )
        for index in range(4)
    ]
    return [*steps, (5, _("Send"), None)]


@require_http_methods(["GET", "POST"])
@clinician_required
def job_type(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """Step 1: the document type (ordonnance, compte rendu...) and the document's name."""
    job = _get_job_for_user(request, job_uuid)
    initial = {"document_type": job.document_type, "name": job.name}
    form = DocumentTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_document_type(
            job=job,
            name=form.cleaned_data["name"],
            document_type=form.cleaned_data["document_type"],
        )
        return redirect("printer:job_patient", job_uuid=job.uuid)
    status = 400 if request.method == "POST" else 200
    return _wizard(request, "printer/job_type.html", job, 1, form=form, status=status)


@require_http_methods(["GET", "POST"])
@clinician_required
def job_patient(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """Step 2: the patient, from the regional directory; or a new identity, then back here."""
    job = _get_job_for_user(request, job_uuid)
    if job.document_type_id is None:
        return redirect("printer:job_type", job_uuid=job.uuid)
    if request.method == "POST":
        identity = identities.get_identity(identity_uuid=_uuid(request.POST.get("identity")))
        services.set_patient(job=job, identity=identity)
        return redirect("printer:job_recipients", job_uuid=job.uuid)
    created = None
    if request.GET.get("patient"):  # back from the identity creation
        created = identities.get_identity(identity_uuid=_uuid(request.GET["patient"]))
    form = SearchForm(None)
    return _wizard(
        request,
        "printer/job_patient.html",
        job,
        2,
        form=form,
        created=created,
        create_url=_create_identity_url(job, {}),
    )


def _uuid(value: str | None) -> object:
    import uuid

    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise Http404 from None


def _create_identity_url(job: PrintJob, searched: dict[str, str]) -> str:
    back = reverse("printer:job_patient", args=[job.uuid])
    query = "&".join(f"{key}={quote(value)}" for key, value in searched.items() if value)
    return f"{reverse('identities:create')}?next={quote(back)}{'&' + query if query else ''}"


@require_GET
@clinician_required
def job_patient_search(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """The as-you-type search of step 2 (htmx): each identity found can be chosen."""
    job = _get_job_for_user(request, job_uuid)
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"job": job, "form": form, "searched": False}
    status = 200
    if form.is_valid():
        outcome = identities.search_directory(
            criteria=form.criteria(), by=request.user, ip=audit.client_ip(request)
        )
        context |= outcome.context()
        status = 429 if outcome.rate_limited else 200
        data = form.cleaned_data
        context["create_url"] = _create_identity_url(
            job,
            {
                "birth_name": data.get("name") or "",
                "first_name": data.get("first_name") or "",
                "birth_date": data["birth_date"].strftime("%d/%m/%Y")
                if data.get("birth_date")
                else "",
            },
        )
    return render(request, "printer/_patient_results.html", context, status=status)


@require_http_methods(["GET", "POST"])
@clinician_required
def job_recipients(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """Step 3: correspondents of the directory, or "sans sélectionner de destinataires"."""
    job = _get_job_for_user(request, job_uuid)
    if job.identity_id is None:
        return redirect("printer:job_patient", job_uuid=job.uuid)
    form = RecipientsStepForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("none"):
            services.set_recipients(job=job, professionals=[])
            return redirect("printer:job_recap", job_uuid=job.uuid)
        if form.is_valid():
            services.set_recipients(job=job, professionals=form.cleaned_data["correspondents"])
            return redirect("printer:job_recap", job_uuid=job.uuid)
        chosen = list(
            Professional.objects.filter(
                is_active=True, rpps__in=request.POST.getlist("correspondents")[:50]
            ).select_related("organisation")
        )
    else:
        chosen = list(job.professionals.select_related("organisation").order_by("last_name"))
    status = 400 if request.method == "POST" else 200
    return _wizard(
        request, "printer/job_recipients.html", job, 3, form=form, chosen=chosen, status=status
    )


@require_http_methods(["GET", "POST"])
@clinician_required
def job_recap(request: HttpRequest, job_uuid: object) -> HttpResponse:
    """Step 4, "Récapitulatif", with "Copie au patient"; step 5, "Envoyer"."""
    job = _get_job_for_user(request, job_uuid)
    if job.identity_id is None or not job.recipients_chosen:
        return redirect("printer:job_recipients", job_uuid=job.uuid)
    recap = services.job_recap(job=job, by=request.user, ip=audit.client_ip(request))
    if request.method != "POST":
        form = RecipientsForm(initial=recap.initial, has_portal=recap.has_portal)
        return _recap_page(request, job, recap, form)
    form = RecipientsForm(request.POST, has_portal=recap.has_portal)
    dispatch = form.is_valid() and refusal_as_form_error(
        form,
        lambda: services.send_job(
            job=job,
            sender=request.user,
            copy_to_patient=form.cleaned_data["copy_to_patient"],
            ip=audit.client_ip(request),
        ),
    )
    if not dispatch:
        return _recap_page(request, job, recap, form, status=400)
    messages.success(request, _("The document was sent."))
    return redirect("documents:recap", dispatch_uuid=dispatch.uuid)


def _recap_page(
    request: HttpRequest,
    job: PrintJob,
    recap: services.JobRecap,
    form: RecipientsForm,
    status: int = 200,
) -> HttpResponse:
    back = reverse("printer:job_recap", args=[job.uuid])
    return _wizard(
        request,
        "printer/job_recap.html",
        job,
        4,
        form=form,
        has_portal=recap.has_portal,
        professionals=recap.professionals,
        create_portal_url=reverse("portal:create_portal", args=[job.identity.uuid])
        + "?next="
        + quote(back),
        status=status,
    )
