"""One helper maps the services' exceptions to HTTP: NotFound → 404, NotAllowed → 403."""

import pytest
from django.test import RequestFactory

from accounts.exceptions import NotAllowed, NotFound, Refused
from accounts.middleware import DomainErrorsMiddleware
from documents import services as documents
from identities import services as identities
from portal import services as portal


def _middleware() -> DomainErrorsMiddleware:
    return DomainErrorsMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(("error", "status"), [(NotFound(), 404), (NotAllowed(), 403)])
def test_it_maps_a_domain_exception_to_its_status(error: Exception, status: int) -> None:
    response = _middleware().process_exception(RequestFactory().get("/"), error)
    assert response is not None and response.status_code == status


def test_it_leaves_other_exceptions_to_django() -> None:
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, Refused("non")) is None
    assert _middleware().process_exception(request, ValueError()) is None


def test_the_apps_refusals_are_refused() -> None:
    for error in (portal.PortalError, documents.DispatchError, identities.IdentityError):
        assert issubclass(error, Refused)
