"""Pages of the professionals' side: login, logout, home."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.forms import ClinicianLoginForm
from portal.models import User

login = auth_views.LoginView.as_view(
    template_name="portal/login.html",
    authentication_form=ClinicianLoginForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The professional's desk: teleconsultations, pending print jobs, sending a document."""
    if request.user.role == User.Role.PATIENT:
        raise Http404
    return render(request, "portal/home.html")


@require_GET
def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/legal.html")


@require_GET
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer and docker-compose: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
