"""Patients behind one address (a family, a hospital Wi-Fi, an operator's NAT) each get their code;
the per-address limit is high, 5 per account and per number remain; a tripped limit is logged."""

import datetime
import logging

import pytest

from identities.models import Identity
from portal import services
from portal.models import User
from tests.factories import PASSWORD, IdentityFactory
from tests.portal.conftest import activate, open_portal

pytestmark = pytest.mark.django_db

SHARED = "203.0.113.50"


def _patient(n: int, clinician: User) -> User:
    identity: Identity = IdentityFactory(birth_date=datetime.date(1980, 1, 1 + n))
    account = open_portal(
        identity, by=clinician, email=f"patient{n}@exemple.fr", mobile=f"06120000{n:02d}"
    )
    return activate(account.accesses.get().user)


def _log_in(user: User) -> object:
    return services.start_login(email=user.email, password=PASSWORD, ip=SHARED)


def test_three_patients_behind_one_address_each_get_their_code(clinician: User) -> None:
    patients = [_patient(n, clinician) for n in range(3)]
    # One activation's worth and three logins already came from this address.
    for _ in range(4):
        _log_in(patients[0])
    for patient in patients[1:]:
        assert _log_in(patient).user == patient


def test_one_account_is_still_limited_to_five_codes(clinician: User) -> None:
    patient = _patient(1, clinician)
    for _ in range(5):
        _log_in(patient)
    with pytest.raises(services.PortalError, match="Trop de codes"):
        _log_in(patient)


def test_the_per_address_limit_trips_at_sixty_and_is_logged(
    clinician: User, caplog: pytest.LogCaptureFixture
) -> None:
    patients = [_patient(n, clinician) for n in range(13)]
    with caplog.at_level(logging.WARNING, logger="portal.services.challenges"):
        for patient in patients[:12]:
            for _ in range(5):
                _log_in(patient)
        assert not caplog.records
        with pytest.raises(services.PortalError):
            _log_in(patients[12])
    assert any(SHARED in record.getMessage() for record in caplog.records)
