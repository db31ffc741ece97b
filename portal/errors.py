"""Server errors: the report sent to ADMINS, and the page the user sees."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.views.debug import SafeExceptionReporterFilter


class NoRequestDataFilter(SafeExceptionReporterFilter):
    """Error reports leave out every parameter: a form may hold health data (HDS)."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        return {} if request is None else dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        meta.pop("QUERY_STRING", None)
        return meta


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """The 500 page says the team was told only when ADMINS is set (they get an email)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"team_told": bool(settings.ADMINS)}))
