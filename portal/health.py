"""The liveness probe, in a module of its own so that the middleware needs no view module."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the load balancer and docker-compose: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
