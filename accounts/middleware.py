"""The one place where the services' domain exceptions become HTTP answers."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from accounts.exceptions import NotAllowed, NotFound


class DomainErrorsMiddleware:
    """``NotFound`` becomes a 404 and ``NotAllowed`` a 403, rendered as Django renders them.

    A ``Refused`` is the view's business: it shows the message beside the form it concerns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404())
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied())
        return None
