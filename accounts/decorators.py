"""Access decorators shared by the pages of every app: who may open a view, written once."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from accounts import sessions
from accounts.roles import PROFESSIONAL_ROLES, Role

View = Callable[..., HttpResponse]


def clinician_required(view: View) -> View:
    """Professionals (and admins) with both factors only: others are sent to log in, or get a
    404, never a hint."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role not in PROFESSIONAL_ROLES:
            raise Http404
        if not sessions.is_verified(request):
            # No second factor, or one reset since: this session is over.
            logout(request)
            return redirect_to_login(request.get_full_path(), "portal:login")
        return view(request, *args, **kwargs)

    return wrapper


def patient_required(view: View) -> View:
    """Patients only: others are sent to the patients' login, or get a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "portal:patient_login")
        if request.user.role != Role.PATIENT:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
