"""Access decorators shared by the professionals' pages of every app."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]
PROFESSIONAL_ROLES = ("clinician", "admin")


def clinician_required(view: View) -> View:
    """Professionals (and admins) only: others are sent to log in, or get a 404, never a hint."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role not in PROFESSIONAL_ROLES:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
