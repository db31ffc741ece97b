"""The Pro Santé Connect fixtures: real oidc-provider processes (tests/accounts/psc_provider.py)."""

from collections.abc import Iterator

import pytest

from accounts.models import ProfessionalProfile
from portal.models import User
from tests.accounts.psc_provider import RPPS, configure, start
from tests.factories import ProfessionalProfileFactory


@pytest.fixture(scope="module")
def provider() -> Iterator[dict]:
    yield from start(code_ttl=60)


@pytest.fixture(scope="module")
def quick_provider() -> Iterator[dict]:
    """Authorization codes expire after 1 second here."""
    yield from start(code_ttl=1)


@pytest.fixture(scope="module")
def signing_provider() -> Iterator[dict]:
    """Userinfo comes as a signed JWT here (PSC may answer either way)."""
    yield from start(code_ttl=60, signed_userinfo=True)


@pytest.fixture(scope="module")
def provider_without_logout() -> Iterator[dict]:
    """Its discovery document names no end_session_endpoint."""
    yield from start(code_ttl=60, logout=False)


@pytest.fixture
def psc(settings: object, provider: dict) -> dict:
    configure(settings, provider["issuer"])
    return provider


@pytest.fixture
def claire(clinician: User) -> User:
    ProfessionalProfile.objects.filter(user=clinician).delete()
    ProfessionalProfileFactory(user=clinician, rpps=RPPS)
    return clinician
