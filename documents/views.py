"""Pages of the documents app: sending, its recap, what a professional received, downloads."""

import datetime
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import clinician_required
from audit import services as audit
from documents import services
from documents.forms import DocumentFormSet, RecipientsForm
from identities import services as identities


@require_http_methods(["GET", "POST"])
@clinician_required
def send(request: HttpRequest, identity_uuid: object) -> HttpResponse:
    """ "Envoyer un document": files, their names and types, correspondents, copy to patient."""
    if request.method == "GET":
        return _new_sending(request, identity_uuid)
    identity = identities.get_identity(identity_uuid=identity_uuid)
    documents = DocumentFormSet(request.POST, request.FILES, prefix="documents")
    recipients = RecipientsForm(request.POST, has_portal=services.has_active_portal(identity))
    if documents.is_valid() and recipients.is_valid():
        try:
            dispatch = services.dispatch_documents(
                identity=identity,
                documents=documents.new_documents(),
                sender=request.user,
                copy_to_patient=recipients.cleaned_data["copy_to_patient"],
                professionals=recipients.cleaned_data["correspondents"],
                token=recipients.cleaned_data["token"],
                ip=audit.client_ip(request),
            )
        except services.TokenMismatch as error:
            return _fresh_sending(request, identity, str(error))
        except services.DispatchError as error:
            recipients.add_error(None, str(error))
        else:
            return _sent(request, dispatch)
    if request.FILES and not request.headers.get("X-Keeps-Files"):
        # A browser never keeps chosen files across a refused form: say it, once. (documents.js
        # sends with X-Keeps-Files and keeps them on the page.)
        recipients.add_error(None, _("Fix what is shown, then choose the files again."))
    return _send_page(request, identity, documents, recipients, status=400)


def _new_sending(request: HttpRequest, identity_uuid: object) -> HttpResponse:
    """The empty page; opening it reads the patient's record, which the access log keeps."""
    identity, _events = identities.read_identity(
        identity_uuid=identity_uuid, by=request.user, ip=audit.client_ip(request), active_only=True
    )
    has_portal = services.has_active_portal(identity)
    initial = {"token": secrets.token_urlsafe(24), "copy_to_patient": has_portal}
    recipients = RecipientsForm(initial=initial, has_portal=has_portal)
    return _send_page(request, identity, DocumentFormSet(prefix="documents"), recipients)


def _fresh_sending(request: HttpRequest, identity: Any, message: str) -> HttpResponse:
    """A token that is not this sender's (or served other content): the form again, a new one."""
    has_portal = services.has_active_portal(identity)
    initial = {"token": secrets.token_urlsafe(24), "copy_to_patient": has_portal}
    recipients = RecipientsForm(initial=initial, has_portal=has_portal)
    messages.error(request, message)
    documents = DocumentFormSet(prefix="documents")
    return _send_page(request, identity, documents, recipients, status=400)


def _sent(request: HttpRequest, dispatch: Any) -> HttpResponse:
    if dispatch.status == dispatch.Status.WAITING_SCAN:
        messages.info(request, _("The documents are waiting for the antivirus, then leave."))
    else:
        messages.success(request, _("The documents were sent."))
    return redirect("documents:recap", dispatch_uuid=dispatch.uuid)


def _send_page(
    request: HttpRequest,
    identity: Any,
    documents: DocumentFormSet,
    recipients: RecipientsForm,
    status: int = 200,
) -> HttpResponse:
    create_portal_url = reverse("portal:create_portal", args=[identity.uuid])
    context = {
        "identity": identity,
        "has_portal": recipients.has_portal,
        "documents": documents,
        "recipients": recipients,
        "chosen": recipients.chosen(),
        "create_portal_url": f"{create_portal_url}?next={quote(request.path)}",
    }
    return render(request, "documents/send.html", context, status=status)


@require_GET
@clinician_required
def recap(request: HttpRequest, dispatch_uuid: object) -> HttpResponse:
    """What was sent to whom, and where each alert stands; refreshes itself while in progress."""
    dispatch = services.get_dispatch_for_user(user=request.user, dispatch_uuid=dispatch_uuid)
    documents, deliveries = services.dispatch_recap(dispatch)
    context = {
        "dispatch": dispatch,
        "documents": documents,
        "deliveries": deliveries,
        "in_progress": any(status.pending for status in deliveries),
    }
    if request.headers.get("HX-Request"):
        return render(request, "documents/_deliveries.html", context)
    return render(request, "documents/recap.html", context)


@require_GET
@clinician_required
def correspondents(request: HttpRequest) -> HttpResponse:
    """The as-you-type picker of "Ajouter des correspondants"."""
    query = request.GET.get("q", "").strip()[:100]
    found = services.search_professionals(query) if query else []
    return render(
        request, "documents/_correspondents.html", {"query": query, "professionals": found}
    )


@dataclass(frozen=True)
class _ReceivedLine:
    """A line of "Documents reçus" ready to print: its link and dates are written here once,
    as plain strings (the template's ``url`` tag and ``date`` filter took two thirds of the
    page's time at 50 lines)."""

    document: services.ReceivedDocument
    url: str
    received_on: str
    born_on: str


_PLACEHOLDER = uuid.UUID(int=0)


@require_GET
@clinician_required
def received(request: HttpRequest) -> HttpResponse:
    """ "Documents reçus", newest first, by pages of 50."""
    after = _page_key(request.GET.get("apres", ""))
    page = services.received_documents(user=request.user, limit=51, after=after)
    following = None
    if len(page) > 50:
        page = page[:50]
        following = f"{page[-1].received_at.isoformat()}|{page[-1].delivery_id}"
    link = reverse("documents:download", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    lines = [
        _ReceivedLine(
            document=document,
            url=link.format(document.uuid),
            received_on=formats.date_format(
                timezone.localtime(document.received_at), "DATETIME_FORMAT"
            ),
            born_on=document.patient_birth_date.strftime("%d/%m/%Y"),
        )
        for document in page
    ]
    return render(
        request,
        "documents/received.html",
        {"lines": lines, "following": following, "first_page": after is None},
    )


@require_GET
@clinician_required
def sent(request: HttpRequest) -> HttpResponse:
    """ "Mes envois": the latest sendings, each linking to its recap."""
    return render(
        request, "documents/sent.html", {"dispatches": services.sent_dispatches(user=request.user)}
    )


def _page_key(value: str) -> tuple[datetime.datetime, int] | None:
    """The key of the next page, as the previous page wrote it; anything else is page one."""
    moment, _separator, delivery_id = value.partition("|")
    try:
        parsed = parse_datetime(moment)
    except ValueError:
        return None
    if parsed is None or not delivery_id.isdigit():
        return None
    return parsed, int(delivery_id)


@require_GET
def download(request: HttpRequest, document_uuid: object) -> FileResponse:
    """Streamed, for the people allowed to read it only; anyone else gets a 404."""
    document = services.get_document_for_user(user=request.user, document_uuid=document_uuid)
    handle = services.open_document(
        document=document, user=request.user, ip=audit.client_ip(request)
    )
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[
        document.content_type
    ]
    filename = (
        document.name if document.name.lower().endswith(extension) else document.name + extension
    )
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # The file is shown in its own sandbox: no script, no form, nothing of ours around it.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; object-src 'none'"
    return response
