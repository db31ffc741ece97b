"""The professionals' second factor: the app's code, recovery codes, single use, lockout, traces."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import services as accounts
from accounts.exceptions import Refused
from audit.models import AccessLog
from portal.models import User
from tests.factories import enrol_authenticator, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
CODE = reverse("portal:login_code")


def _password(client: Client, user: User, password: str) -> object:
    return client.post(LOGIN, {"username": user.email, "password": password})


def _code(client: Client, code: str) -> object:
    return client.post(CODE, {"code": code})


@pytest.fixture
def enrolled(clinician: User) -> User:
    enrol_authenticator(clinician)
    return clinician


def _recovery_codes(user: User) -> list[str]:
    from accounts.services.second_factor import _new_recovery_codes

    return _new_recovery_codes(user)


def test_a_wrong_code_is_refused_in_french(client: Client, enrolled: User, password: str) -> None:
    _password(client, enrolled, password)
    wrong = f"{(int(totp_code()) + 1) % 10**6:06d}"
    response = _code(client, wrong)
    assert "Ce code est incorrect, ou a déjà été utilisé." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_that_is_not_a_code_is_explained(
    client: Client, enrolled: User, password: str
) -> None:
    _password(client, enrolled, password)
    response = _code(client, "12ab")
    assert "Saisissez les 6 chiffres de" in response.content.decode()


def test_a_code_cannot_be_used_twice(enrolled: User, password: str) -> None:
    code = totp_code()
    first, second = Client(), Client()
    _password(first, enrolled, password)
    assert _code(first, code).status_code == 302
    _password(second, enrolled, password)
    assert "déjà été utilisé" in _code(second, code).content.decode()
    assert "_auth_user_id" not in second.session


@pytest.mark.parametrize("offset", [-1, 1])
def test_the_previous_and_next_windows_are_accepted_for_clock_drift(
    client: Client, enrolled: User, password: str, offset: int
) -> None:
    _password(client, enrolled, password)
    assert _code(client, totp_code(offset)).status_code == 302


@pytest.mark.parametrize("offset", [-2, 2])
def test_codes_two_windows_away_are_refused(
    client: Client, enrolled: User, password: str, offset: int
) -> None:
    if totp_code(offset) in {totp_code(-1), totp_code(0), totp_code(1)}:
        pytest.skip("the two codes happen to be equal")
    _password(client, enrolled, password)
    assert _code(client, totp_code(offset)).status_code == 200


def test_the_previous_windows_code_is_refused_once_the_current_one_was_used(
    enrolled: User, password: str
) -> None:
    first, second = Client(), Client()
    _password(first, enrolled, password)
    _code(first, totp_code())
    _password(second, enrolled, password)
    assert _code(second, totp_code(-1)).status_code == 200


def test_a_recovery_code_logs_in_once(enrolled: User, password: str) -> None:
    recovery = _recovery_codes(enrolled)[3]
    first, second = Client(), Client()
    _password(first, enrolled, password)
    assert _code(first, recovery.upper())["Location"] == reverse("portal:home")
    assert accounts.recovery_codes_left(enrolled) == 9
    _password(second, enrolled, password)
    assert "déjà été utilisé" in _code(second, recovery).content.decode()


def test_recovery_codes_are_stored_hashed(enrolled: User) -> None:
    codes = _recovery_codes(enrolled)
    stored = set(enrolled.recovery_codes.values_list("code_hmac", flat=True))
    assert len(codes) == len(stored) == 10
    assert not any(code.replace("-", "") in value for code in codes for value in stored)


def test_five_wrong_codes_lock_the_account_and_say_until_when(
    client: Client, enrolled: User, password: str
) -> None:
    _password(client, enrolled, password)
    wrong = f"{(int(totp_code()) + 1) % 10**6:06d}"
    for _ in range(4):
        _code(client, wrong)
    body = _code(client, wrong).content.decode()
    assert "Trop de tentatives échouées. Pour votre sécurité, réessayez après" in body
    assert "Trop de tentatives" in _code(client, totp_code()).content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_page_needs_the_password_first(client: Client, enrolled: User) -> None:
    response = client.get(CODE)
    assert response["Location"] == LOGIN


def test_the_password_step_is_forgotten_after_five_minutes(
    client: Client, enrolled: User, password: str
) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        _password(client, enrolled, password)
        traveller.shift(5 * 60 + 1)
        assert _code(client, totp_code())["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_session_key_changes_at_each_factor(
    client: Client, enrolled: User, password: str
) -> None:
    client.get(LOGIN)
    _password(client, enrolled, password)
    after_password = client.session.session_key
    _code(client, totp_code())
    assert client.session.session_key != after_password


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_posts_of_one_code_open_one_session(clinician: User) -> None:
    enrol_authenticator(clinician)
    code = totp_code()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def check() -> None:
        barrier.wait()
        try:
            accounts.verify_second_factor(user_id=clinician.pk, code=code, ip="192.0.2.1")
            outcomes.append("ok")
        except accounts.LoginLocked:
            outcomes.append("locked")
        except Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [threading.Thread(target=check) for _ in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert outcomes.count("ok") == 1
    assert len(outcomes) == 20


def test_every_attempt_is_traced_with_its_target_address_and_outcome(
    client: Client, enrolled: User, password: str
) -> None:
    client.post(LOGIN, {"username": enrolled.email, "password": "wrong-password"})
    _password(client, enrolled, password)
    _code(client, "000000" if totp_code() != "000000" else "111111")
    _code(client, totp_code())
    rows = list(
        AccessLog.objects.filter(action="professional.login")
        .order_by("pk")
        .values_list("details__step", "outcome", "object_id", "actor_id", "ip_address")
    )
    target = str(enrolled.pk)
    assert rows == [
        ("password", "failure", target, None, "127.0.0.1"),
        ("password", "success", target, enrolled.pk, "127.0.0.1"),
        ("code", "failure", target, None, "127.0.0.1"),
        ("code", "success", target, enrolled.pk, "127.0.0.1"),
    ]


def test_a_locked_attempt_and_an_unknown_account_are_traced(client: Client, db: None) -> None:
    for _ in range(6):
        client.post(LOGIN, {"username": "nobody@portail.test", "password": "wrong-password"})
    outcomes = list(
        AccessLog.objects.filter(action="professional.login")
        .order_by("pk")
        .values_list("outcome", "object_id", "details__email")
    )
    assert outcomes[0] == ("failure", "", "nobody@portail.test")
    assert outcomes[-1] == ("denied", "", "nobody@portail.test")
    assert "wrong-password" not in str(list(AccessLog.objects.values_list("details", flat=True)))
