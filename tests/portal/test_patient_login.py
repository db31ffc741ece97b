"""Two factors for patients: the password, then a one-time SMS code bound to the attempt."""

import datetime
import threading
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.backends import sms
from notifications.models import Notification
from portal import codes, services
from portal.models import CodeChallenge, User
from portal.services import challenges
from tests.factories import PASSWORD
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:patient_login")
CODE = reverse("portal:patient_code")


def _text(response: object) -> str:
    return unescape(response.content.decode())


def _password_step(
    client: Client, email: str = "bobby@teleconsultation.com", password: str = PASSWORD
) -> object:
    return client.post(LOGIN, {"email": email, "password": password})


def test_the_password_alone_does_not_open_the_space(client: Client, patient_a: User) -> None:
    response = _password_step(client)
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:patient_home")).status_code == 302


def test_the_code_opens_the_space_and_rotates_the_session(client: Client, patient_a: User) -> None:
    _password_step(client)
    before = client.session.session_key
    response = client.post(CODE, {"code": last_code()})
    assert response["Location"] == reverse("portal:patient_home")
    assert client.session["_auth_user_id"] == str(patient_a.pk)
    assert client.session.session_key != before


def test_the_sms_code_is_stored_only_as_an_hmac(client: Client, patient_a: User) -> None:
    _password_step(client)
    code = last_code()
    challenge = CodeChallenge.objects.get()
    assert code not in challenge.code_hmac
    assert challenge.code_hmac == codes.code_hmac(challenge_id=challenge.uuid, code=code)
    queued = Notification.objects.get(purpose="one_time_code")
    assert queued.urgent  # someone is waiting: the queue of its own (notifications-urgent)
    from notifications import services as notifications

    notifications.send_notification(notification_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.body == ""  # wiped once sent
    assert code in sms.outbox[-1].body


def test_a_code_is_bound_to_its_attempt(patient_a: User) -> None:
    first = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    first_code = last_code()
    second = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    if last_code() != first_code:
        with pytest.raises(services.PortalError, match="Code incorrect"):
            services.verify_code(challenge_uuid=second.uuid, code=first_code)
    assert services.verify_code(challenge_uuid=first.uuid, code=first_code) == patient_a


@pytest.mark.parametrize(
    ("email", "password"),
    [("bobby@teleconsultation.com", "wrong-password-123"), ("nobody@exemple.fr", PASSWORD)],
)
def test_a_wrong_password_or_unknown_email_get_the_same_answer(
    client: Client, patient_a: User, email: str, password: str
) -> None:
    response = _password_step(client, email, password)
    assert "Adresse email ou mot de passe incorrect." in _text(response)
    assert sms.outbox == []


def test_a_clinician_cannot_use_the_patient_login(client: Client, clinician: User) -> None:
    response = _password_step(client, "claire@portail.test")
    assert "Adresse email ou mot de passe incorrect." in _text(response)


def test_an_account_not_yet_activated_cannot_log_in(client: Client, patient_a: User) -> None:
    patient_a.activated_at = None
    patient_a.save(update_fields=["activated_at"])
    assert "Adresse email ou mot de passe incorrect." in _text(_password_step(client))


def test_a_wrong_code_says_how_many_tries_are_left(client: Client, patient_a: User) -> None:
    _password_step(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "Il vous reste 4 essais." in _text(client.post(CODE, {"code": wrong}))


def test_the_last_try_left_is_said_in_the_singular(patient_a: User) -> None:
    challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    for _ in range(3):
        User.objects.filter(pk=patient_a.pk).update(locked_until=None)
        with pytest.raises(services.PortalError):
            services.verify_code(challenge_uuid=challenge.uuid, code=wrong)
    User.objects.filter(pk=patient_a.pk).update(locked_until=None, code_failures=0)
    with pytest.raises(services.PortalError, match=r"Il vous reste 1 essai\.$"):
        services.verify_code(challenge_uuid=challenge.uuid, code=wrong)


def test_the_wrong_code_that_locks_the_account_says_so_and_until_when(patient_a: User) -> None:
    # The 20th wrong code in a row locks for an hour: the page says so, not "N tries left".
    User.objects.filter(pk=patient_a.pk).update(code_failures=services.HARD_LOCK_FAILURES - 1)
    challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    with pytest.raises(services.PortalError) as refused:
        services.verify_code(challenge_uuid=challenge.uuid, code=wrong)
    assert "réessayez après" in str(refused.value)
    assert "Il vous reste" not in str(refused.value)


def test_the_code_dies_after_five_wrong_tries(patient_a: User) -> None:
    challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        User.objects.filter(pk=patient_a.pk).update(locked_until=None)  # skip the waits here
        with pytest.raises(services.PortalError):
            services.verify_code(challenge_uuid=challenge.uuid, code=wrong)
    User.objects.filter(pk=patient_a.pk).update(locked_until=None)
    with pytest.raises(services.PortalError, match="Trop d'essais erronés pour ce code"):
        services.verify_code(challenge_uuid=challenge.uuid, code=code)


def test_waits_grow_exponentially_and_the_hard_lock_expires(patient_a: User) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        waits = []
        for _ in range(services.HARD_LOCK_FAILURES):
            challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
            with pytest.raises(services.PortalError):
                services.verify_code(
                    challenge_uuid=challenge.uuid,
                    code="000000" if last_code() != "000000" else "111111",
                )
            patient_a.refresh_from_db()
            wait = (
                (patient_a.locked_until - timezone.now()).total_seconds()
                if patient_a.locked_until
                else 0
            )
            waits.append(wait)
            from django.core.cache import cache

            cache.clear()  # the send limits are tested elsewhere
            traveller.shift(datetime.timedelta(seconds=wait + 1))
            traveller.shift(datetime.timedelta(seconds=0))
        assert waits[:2] == [0, 0]
        assert waits[2:6] == [1, 2, 4, 8]
        assert waits[-1] == 3600  # the 20th failure: one hour, never days
        assert max(waits[:-1]) <= services.MAX_WAIT_SECONDS


def test_a_locked_account_is_told_when_to_come_back(client: Client, patient_a: User) -> None:
    User.objects.filter(pk=patient_a.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    response = _password_step(client)
    assert "Trop de codes erronés. Pour votre sécurité, réessayez après" in _text(response)


def test_a_code_expires_after_five_minutes(patient_a: User) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
        code = last_code()
        traveller.shift(datetime.timedelta(minutes=5, seconds=1))
        with pytest.raises(services.PortalError, match="Ce code a expiré"):
            services.verify_code(challenge_uuid=challenge.uuid, code=code)


def test_a_code_works_only_once(patient_a: User) -> None:
    challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    code = last_code()
    services.verify_code(challenge_uuid=challenge.uuid, code=code)
    with pytest.raises(services.PortalError, match="déjà été utilisé"):
        services.verify_code(challenge_uuid=challenge.uuid, code=code)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [10, 20])
def test_parallel_checks_of_one_code_give_one_success(patient_a: User, threads: int) -> None:
    challenge = challenges._new_challenge(user=patient_a, purpose="login", ip=None)
    code = last_code()
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []

    def check() -> None:
        barrier.wait()
        try:
            services.verify_code(challenge_uuid=challenge.uuid, code=code)
            outcomes.append("ok")
        except services.PortalError:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [threading.Thread(target=check) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert outcomes.count("ok") == 1
    assert outcomes.count("refused") == threads - 1


def test_resending_waits_sixty_seconds_and_replaces_the_code(
    client: Client, patient_a: User
) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        _password_step(client)
        first = last_code()
        response = client.post(reverse("portal:resend_code"), follow=True)
        assert "Patientez 60 secondes" in _text(response)
        traveller.shift(datetime.timedelta(seconds=61))
        response = client.post(reverse("portal:resend_code"), follow=True)
        assert "Un nouveau code a été envoyé par SMS" in _text(response)
        second = last_code()
        if second != first:
            assert "Code incorrect" in _text(client.post(CODE, {"code": first}))
        assert client.post(CODE, {"code": second})["Location"] == reverse("portal:patient_home")


def test_at_most_five_codes_per_ten_minutes(client: Client, patient_a: User) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        _password_step(client)
        for _ in range(4):
            traveller.shift(datetime.timedelta(seconds=61))
            client.post(reverse("portal:resend_code"))
        traveller.shift(datetime.timedelta(seconds=61))
        response = client.post(reverse("portal:resend_code"), follow=True)
    assert "Trop de codes ont été demandés" in _text(response)
    assert Notification.objects.filter(purpose="one_time_code").count() == 5


def test_bad_code_input_is_explained(client: Client, patient_a: User) -> None:
    _password_step(client)
    assert "Le code comporte 6 chiffres." in _text(client.post(CODE, {"code": "12ab"}))


def test_the_code_page_needs_a_password_step_first(client: Client) -> None:
    assert client.get(CODE)["Location"] == LOGIN


def test_an_idle_session_ends_after_thirty_minutes(client: Client, patient_a: User) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=True) as traveller:
        _password_step(client)
        client.post(CODE, {"code": last_code()})
        assert client.get(reverse("portal:patient_home")).status_code == 302  # to their portal
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("portal:patient_home"))
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_twelve_hours_even_when_active(
    client: Client, patient_a: User
) -> None:
    with time_machine.travel("2026-11-25 08:00 +0000", tick=True) as traveller:
        _password_step(client)
        client.post(CODE, {"code": last_code()})
        for _ in range(25):  # active every 29 minutes
            traveller.shift(datetime.timedelta(minutes=29))
            response = client.get(reverse("portal:patient_home"))
    assert response["Location"] == LOGIN


def test_the_patients_login_shares_the_lockout_and_keeps_the_email(
    client: Client, patient_a: User
) -> None:
    from audit.models import AccessLog

    for _ in range(5):
        _password_step(client, password="wrong-password")
    response = _password_step(client)
    body = _text(response)
    assert "Trop de tentatives échouées. Pour votre sécurité, réessayez après" in body
    assert 'value="bobby@teleconsultation.com"' in response.content.decode()
    outcomes = list(
        AccessLog.objects.filter(action="patient.login")
        .order_by("pk")
        .values_list("outcome", "object_id")
    )
    assert outcomes[0] == ("failure", str(patient_a.pk))
    assert outcomes[-1] == ("denied", "")


def test_the_code_leads_to_the_page_the_alert_linked_and_never_off_site(
    client: Client, patient_a: User, identity_a: object
) -> None:
    target = reverse("portal:portal_home", args=[identity_a.portal.uuid])
    client.get(f"{LOGIN}?next={target}")
    client.post(
        f"{LOGIN}?next={target}", {"email": "bobby@teleconsultation.com", "password": PASSWORD}
    )
    assert client.post(CODE, {"code": last_code()})["Location"] == target

    client.logout()
    client.post(
        f"{LOGIN}?next=https://ailleurs.example/",
        {"email": "bobby@teleconsultation.com", "password": PASSWORD},
    )
    assert client.post(CODE, {"code": last_code()})["Location"] == reverse("portal:patient_home")
