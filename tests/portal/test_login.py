import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.factories import enrol_authenticator, totp_code

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("portal:login")


def _post_login(client: Client, email: str, password: str) -> object:
    return client.post(LOGIN_URL, {"username": email, "password": password})


def test_it_shows_the_login_page_in_french(client: Client) -> None:
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    body = response.content.decode()
    assert "Connexion professionnel de santé" in body
    assert "Adresse email" in body
    assert "Mot de passe" in body


def test_the_password_alone_logs_nobody_in(client: Client, clinician: User, password: str) -> None:
    enrol_authenticator(clinician)
    response = _post_login(client, "claire@portail.test", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login_code")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:home"))["Location"].startswith(LOGIN_URL)


def test_it_logs_a_clinician_in_with_the_apps_code_and_sends_them_home(
    client: Client, clinician: User, password: str
) -> None:
    enrol_authenticator(clinician)
    _post_login(client, "claire@portail.test", password)
    response = client.post(reverse("portal:login_code"), {"code": totp_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(clinician.pk)
    assert client.get(reverse("portal:home")).status_code == 200


def test_it_goes_back_where_the_clinician_was_going(
    client: Client, clinician: User, password: str
) -> None:
    enrol_authenticator(clinician)
    client.post(LOGIN_URL, {"username": clinician.email, "password": password, "next": "/dossier/"})
    response = client.post(reverse("portal:login_code"), {"code": totp_code()})
    assert response["Location"] == "/dossier/"


def test_it_never_follows_a_next_to_another_site(
    client: Client, clinician: User, password: str
) -> None:
    enrol_authenticator(clinician)
    client.post(
        LOGIN_URL,
        {"username": clinician.email, "password": password, "next": "https://evil.test/"},
    )
    response = client.post(reverse("portal:login_code"), {"code": totp_code()})
    assert response["Location"] == reverse("portal:home")


def test_it_accepts_the_email_in_any_case(client: Client, clinician: User, password: str) -> None:
    response = _post_login(client, "Claire@Portail.TEST", password)
    assert response.status_code == 302


def test_it_refuses_a_wrong_password_with_a_french_message(client: Client, clinician: User) -> None:
    response = _post_login(client, "claire@portail.test", "wrong-password")
    assert response.status_code == 200
    assert "Adresse email ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_gives_the_same_answer_for_an_unknown_email(client: Client, db: None) -> None:
    response = _post_login(client, "nobody@portail.test", "whatever-password")
    assert "Adresse email ou mot de passe incorrect." in response.content.decode()


def test_it_refuses_an_invalid_email_without_error(client: Client, db: None) -> None:
    response = _post_login(client, "not an email", "x")
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()


def test_a_patients_right_password_gets_the_same_answer_as_a_wrong_one(
    client: Client, patient: User, password: str
) -> None:
    response = _post_login(client, "bobby@portail.test", password)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Adresse email ou mot de passe incorrect." in body
    assert "professionnels" not in body.split("<form")[1]
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_disabled_account(client: Client, clinician: User, password: str) -> None:
    clinician.is_active = False
    clinician.save(update_fields=["is_active"])
    response = _post_login(client, "claire@portail.test", password)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_it_locks_after_five_failures_even_with_the_right_password(
    client: Client, clinician: User, password: str
) -> None:
    for _ in range(5):
        _post_login(client, "claire@portail.test", "wrong-password")
    response = _post_login(client, "claire@portail.test", password)
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_keyed_on_the_address_too(clinician: User, password: str) -> None:
    # One address trying many accounts is held back, even on an account it never tried.
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(20):
        _post_login(attacker, f"someone{number}@portail.test", "wrong-password")
    response = _post_login(attacker, "claire@portail.test", password)
    assert "Trop de tentatives" in response.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _post_login(elsewhere, "claire@portail.test", password).status_code == 302


def test_the_locked_out_user_keeps_their_email_but_not_the_password(
    client: Client, clinician: User
) -> None:
    for _ in range(5):
        response = _post_login(client, "claire@portail.test", "wrong-password")
    body = response.content.decode()
    assert 'value="claire@portail.test"' in body
    assert "wrong-password" not in body


def test_the_lock_expires_after_fifteen_minutes(
    client: Client, clinician: User, password: str, settings: object
) -> None:
    # Redis expires keys on its own clock: travel in time with the in-process cache instead.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        for _ in range(5):
            _post_login(client, "claire@portail.test", "wrong-password")
        assert (
            "Trop de tentatives"
            in _post_login(client, "claire@portail.test", password).content.decode()
        )
        traveller.shift(15 * 60 + 1)
        response = _post_login(client, "claire@portail.test", password)
    assert response.status_code == 302


def test_a_logged_in_user_is_sent_home(clinician_client: Client) -> None:
    response = clinician_client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_logout_needs_a_post(clinician_client: Client) -> None:
    assert clinician_client.get(reverse("portal:logout")).status_code == 405
    response = clinician_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in clinician_client.session
