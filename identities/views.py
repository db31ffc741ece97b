"""Pages of the identity directory: search, creation, detail, birthplace pickers."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from identities import geo, services
from identities.forms import IdentityForm, SearchForm
from identities.models import Identity
from identities.search import SearchRefused
from portal.decorators import clinician_required


def _get_identity_for_clinician(request: HttpRequest, identity_uuid: object) -> Identity:
    return get_object_or_404(Identity, uuid=identity_uuid)


@require_GET
@clinician_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            services.check_search_rate(user=request.user)
            context["results"] = services.search_identities(
                criteria=form.criteria(), by=request.user, request=request
            )
            context["searched"] = True
        except services.SearchRateExceeded as error:
            context["refusal"] = str(error)
            status = 429
        except SearchRefused as error:
            context["refusal"] = str(error)
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
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        traits = form.traits()
        duplicates = services.find_duplicates(traits)
        if duplicates and not form.cleaned_data["confirm_different_person"]:
            form.add_error(
                None,
                _("Identities close to this one already exist. Check them before creating one."),
            )
        else:
            try:
                identity = services.create_identity(
                    traits=traits, by=request.user, request=request, confirmed_duplicates=duplicates
                )
            except services.IdentityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Identity created: %(identity)s.") % {"identity": identity},
                )
                if next_url:  # back to the flow that sent here (planning), the identity chosen
                    separator = "&" if "?" in next_url else "?"
                    return redirect(f"{next_url}{separator}patient={identity.uuid}")
                return redirect("identities:detail", identity_uuid=identity.uuid)
    return render(
        request,
        "identities/create.html",
        {"form": form, "duplicates": duplicates, "next": next_url},
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go back after a creation: a local path only, never another site."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@require_GET
@clinician_required
def detail(request: HttpRequest, identity_uuid: object) -> HttpResponse:
    identity = _get_identity_for_clinician(request, identity_uuid)
    audit.record(
        action="identity.read", request=request, object_type="identity", object_id=identity.uuid
    )
    events = identity.events.select_related("actor").order_by("-created_at", "-pk")
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
