"""Pages of the identity directory: search, creation, detail, birthplace pickers."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import clinician_required
from accounts.http import local_next
from audit import services as audit
from identities import geo, services
from identities.forms import IdentityForm, SearchForm


@require_GET
@clinician_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and form.is_valid():
        outcome = services.search_directory(
            criteria=form.criteria(), by=request.user, ip=audit.client_ip(request)
        )
        context |= outcome.context()
        status = 429 if outcome.rate_limited else 200
    template = (
        "identities/_results.html"
        if request.headers.get("HX-Request")
        else "identities/search.html"
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@clinician_required
def create(request: HttpRequest) -> HttpResponse:
    form = IdentityForm(request.POST or None, initial=request.GET.dict())
    duplicates: list[services.LikelyDuplicate] = []
    next_url = local_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            identity = services.register_identity(
                traits=form.traits(),
                different_person_confirmed=form.cleaned_data["confirm_different_person"],
                by=request.user,
                ip=audit.client_ip(request),
            )
        except services.LikelyDuplicatesFound as found:
            duplicates = found.duplicates
            form.add_error(None, str(found))
        except services.IdentityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Identity created: %(identity)s.") % {"identity": identity})
            if next_url:  # back to the flow that sent here (planning), the identity chosen
                separator = "&" if "?" in next_url else "?"
                return redirect(f"{next_url}{separator}patient={identity.uuid}")
            return redirect("identities:detail", identity_uuid=identity.uuid)
    return render(
        request,
        "identities/create.html",
        {"form": form, "duplicates": duplicates, "next": next_url},
    )


@require_GET
@clinician_required
def detail(request: HttpRequest, identity_uuid: object) -> HttpResponse:
    identity, events = services.read_identity(
        identity_uuid=identity_uuid, by=request.user, ip=audit.client_ip(request)
    )
    return render(request, "identities/detail.html", {"identity": identity, "events": events})


@require_GET
@clinician_required
def communes(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("birthplace", "").strip()
    found = geo.search_communes(query, limit=12) if len(query) >= 2 else []
    options = [(c.insee_code, geo.commune_label(c)) for c in found]
    return render(request, "identities/_places.html", {"options": options, "target": "birthplace"})


@require_GET
@clinician_required
def countries(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("birth_country", "").strip()
    found = geo.search_countries(query, limit=12) if len(query) >= 2 else []
    options = [(c.insee_code, geo.country_label(c)) for c in found]
    return render(
        request, "identities/_places.html", {"options": options, "target": "birth_country"}
    )
