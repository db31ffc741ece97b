"""Middleware of the portal."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.views import health

HEALTH_PATH = "/sante/"


def health_probe(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer the load balancer's probe whatever Host it sends (often the container's IP).

    It runs before host validation and the HTTPS redirect, touches no session nor database.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return health(request)
        return get_response(request)

    return middleware
