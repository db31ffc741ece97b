"""The view side of the domain exceptions: a refusal becomes an error beside the form.

(``NotFound`` and ``NotAllowed`` need nothing in the views: ``accounts.middleware`` answers
them with a 404 and a 403.)
"""

from collections.abc import Callable

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.exceptions import Refused


def refusal_as_form_error[T](
    form: forms.BaseForm, call: Callable[[], T], *, field: str | None = None
) -> T | None:
    """Run one service call; a refusal puts its message on the form and gives None."""
    try:
        return call()
    except Refused as error:
        form.add_error(field, str(error))
        return None


def local_next(request: HttpRequest) -> str:
    """The request's ``next`` (posted or in the query) if it is a path of this site, else "".

    Only a path: ``redirect()`` would take "abc" or "-1" for a URL name and fail with a 500,
    and another host would make the page an open redirect.
    """
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""
