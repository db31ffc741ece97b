"""Lost authenticator reset by an admin, disabled accounts, and the session limits."""

import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessLog
from portal.models import User
from tests.factories import enrol_authenticator, login_as

pytestmark = pytest.mark.django_db


def test_an_admin_resets_a_lost_authenticator_and_the_sessions_end(
    admin_client: Client, clinician: User, admin_user: User
) -> None:
    clinician_client = login_as(Client(), clinician)
    assert clinician_client.get("/").status_code == 200
    response = admin_client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [clinician.pk]},
        follow=True,
    )
    assert "Application d&#x27;authentification réinitialisée pour 1 compte" in (
        response.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    assert not clinician.recovery_codes.exists()
    row = AccessLog.objects.get(action="professional.second_factor_reset")
    assert (row.actor, row.object_id) == (admin_user, str(clinician.pk))
    # The clinician's open session ends at once.
    assert clinician_client.get("/")["Location"].startswith(reverse("portal:login"))
    assert "_auth_user_id" not in clinician_client.session


def test_a_disabled_account_loses_its_session_at_once(client: Client, clinician: User) -> None:
    login_as(client, clinician)
    User.objects.filter(pk=clinician.pk).update(is_active=False)
    assert client.get("/")["Location"].startswith(reverse("portal:login"))


def test_a_professional_is_logged_out_after_thirty_minutes_idle(
    client: Client, clinician: User
) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        login_as(client, clinician)
        assert client.get("/").status_code == 200
        traveller.shift(29 * 60)
        assert client.get("/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/")
    assert response["Location"].startswith(reverse("portal:login"))
    assert "_auth_user_id" not in client.session


def test_a_professional_is_logged_out_after_twelve_hours_whatever_the_activity(
    client: Client, clinician: User
) -> None:
    with time_machine.travel("2026-11-25 08:00 +0000", tick=False) as traveller:
        login_as(client, clinician)
        session = client.session
        session["auth_at"] = time.time()
        session.save()
        for _ in range(12 * 4 + 1):
            traveller.shift(15 * 60)
            response = client.get("/")
    assert response["Location"].startswith(reverse("portal:login"))


def test_an_admin_is_logged_out_after_thirty_minutes_idle(
    admin_client: Client,
) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        assert admin_client.get("/admin/").status_code == 200
        traveller.shift(31 * 60)
        response = admin_client.get("/admin/")
    assert response["Location"].startswith(reverse("portal:login"))


def test_stay_logged_in_resets_the_idle_clock(client: Client, clinician: User) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        login_as(client, clinician)
        client.get("/")
        traveller.shift(29 * 60)
        assert client.post(reverse("portal:keep_alive")).status_code == 204
        traveller.shift(29 * 60)
        assert client.get("/").status_code == 200


def test_stay_logged_in_needs_a_post_and_a_session(client: Client, db: None) -> None:
    assert client.get(reverse("portal:keep_alive")).status_code == 405
    assert client.post(reverse("portal:keep_alive")).status_code == 401


def test_the_pages_carry_the_warning_before_the_idle_end(
    clinician_client: Client,
) -> None:
    body = clinician_client.get("/").content.decode()
    assert 'data-idle-seconds="1800"' in body
    assert "Rester connecté" in body


def test_demo_totp_prints_the_code_of_a_demo_account(capsys: pytest.CaptureFixture) -> None:
    from django_otp.oath import totp

    from accounts.services import DEMO_TOTP_KEY

    call_command("seed_demo", verbosity=0)
    call_command("demo_totp", "claire.martin@portail.test")
    assert capsys.readouterr().out.strip() == f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"


def test_demo_totp_refuses_an_account_that_is_not_a_demo_one(clinician: User) -> None:
    from django_otp.plugins.otp_totp.models import default_key

    TOTPDevice.objects.create(user=clinician, name="x", key=default_key())
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_totp", clinician.email)


def test_demo_totp_is_refused_in_production(settings: object, clinician: User) -> None:
    enrol_authenticator(clinician)
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_totp", clinician.email)


def test_the_demo_accounts_log_in_with_the_demo_code(client: Client) -> None:
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo", verbosity=0)
    client.post(
        reverse("portal:login"),
        {"username": "admin@portail.test", "password": DEMO_PASSWORD},
    )
    from django_otp.oath import totp

    from accounts.services import DEMO_TOTP_KEY

    code = f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"
    assert client.post(reverse("portal:login_code"), {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_account_is_locked_out_like_any_other(
    client: Client, admin_user: User, password: str
) -> None:
    for _ in range(12):
        client.post(reverse("portal:login"), {"username": admin_user.email, "password": "nope"})
    response = client.post(
        reverse("portal:login"), {"username": admin_user.email, "password": password}
    )
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admins_filter_the_login_attempts_by_outcome(admin_client: Client, clinician: User) -> None:
    Client().post(reverse("portal:login"), {"username": clinician.email, "password": "nope"})
    changelist = reverse("admin:audit_accesslog_changelist")
    failures = admin_client.get(changelist, {"action": "professional.login", "outcome": "failure"})
    assert failures.status_code == 200
    assert failures.context["cl"].result_count == 1
    successes = admin_client.get(changelist, {"action": "professional.login", "outcome": "success"})
    assert successes.context["cl"].result_count == 0


def test_the_admin_user_list_says_who_has_an_authenticator(
    admin_client: Client, clinician: User, other_clinician: User
) -> None:
    enrol_authenticator(clinician)
    response = admin_client.get(reverse("admin:portal_user_changelist"))
    rows = {user.email: user.authenticator for user in response.context["cl"].result_list}
    assert rows[clinician.email] is True
    assert rows[other_clinician.email] is False
    assert "Application d&#x27;authentification" in response.content.decode()
