"""First login of a professional: the app is set up, then 10 recovery codes are shown once."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from portal.models import User

pytestmark = pytest.mark.django_db

ENROL = reverse("portal:login_enrol")


def _start(client: Client, user: User, password: str) -> str:
    response = client.post(reverse("portal:login"), {"username": user.email, "password": password})
    assert response["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def _code_for(key_field: str, user: User) -> str:
    from accounts import services as accounts

    key = accounts.load_totp_key(user=user, signed_key=key_field)
    return f"{TOTP(bytes.fromhex(key)).token():06d}"


def test_the_first_login_shows_a_qr_code_and_writes_nothing(
    client: Client, clinician: User, password: str
) -> None:
    _start(client, clinician, password)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    assert "Configurer votre application d'authentification" in page
    assert TOTPDevice.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_keeps_the_same_key_and_creates_nothing(
    client: Client, clinician: User, password: str
) -> None:
    key = _start(client, clinician, password)
    wrong = f"{(int(_code_for(key, clinician)) + 1) % 10**6:06d}"
    response = client.post(ENROL, {"key": key, "token": wrong})
    body = response.content.decode()
    assert "Ce code ne correspond pas" in body
    assert TOTPDevice.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_a_forged_key_is_refused(client: Client, clinician: User, password: str) -> None:
    _start(client, clinician, password)
    response = client.post(ENROL, {"key": "forged", "token": "123456"})
    assert "Cette page a expiré" in response.content.decode()
    assert TOTPDevice.objects.count() == 0


def test_the_right_code_logs_in_and_shows_ten_recovery_codes_once(
    client: Client, clinician: User, password: str
) -> None:
    key = _start(client, clinician, password)
    response = client.post(ENROL, {"key": key, "token": _code_for(key, clinician)})
    assert response["Location"] == reverse("portal:recovery_codes")
    assert client.session["_auth_user_id"] == str(clinician.pk)
    page = client.get(reverse("portal:recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", page)
    assert len(set(codes)) == 10
    assert RecoveryCode.objects.filter(user=clinician, used_at__isnull=True).count() == 10
    assert client.get(reverse("portal:recovery_codes"))["Location"] == reverse("portal:home")
    assert TOTPDevice.objects.get(user=clinician).confirmed


def test_an_admin_enrols_the_same_way_and_then_opens_the_admin(
    client: Client, admin_user: User, password: str
) -> None:
    key = _start(client, admin_user, password)
    client.post(ENROL, {"key": key, "token": _code_for(key, admin_user)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_is_the_professionals_login(client: Client, db: None) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"].startswith(reverse("portal:login"))
