"""The authenticator app, changing contact details, and a lost phone."""

import base64
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessLog
from identities.models import Identity
from notifications.models import Notification
from portal import services
from portal.models import User
from tests.factories import PASSWORD, login_as
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return unescape(response.content.decode())


def _now_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(user: User) -> TOTPDevice:
    device = services.start_totp_enrolment(user=user)
    services.confirm_totp_enrolment(user=user, token=_now_token(device))
    return TOTPDevice.objects.get(user=user, confirmed=True)


def _page_key(page: str) -> tuple[str, str]:
    """The signed key the page posts back, and the token the app would show for it."""
    signed = re.search(r'name="key" value="([^"]+)"', page).group(1)
    secret = re.search(r"<code>([A-Z2-7=]+)</code>", page).group(1)
    device = TOTPDevice(key=base64.b32decode(secret).hex())
    return signed, _now_token(device)


def test_opening_the_authenticator_page_writes_nothing(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    logged = AccessLog.objects.count()
    page = _text(client.get(reverse("portal:security")))
    assert "<svg" in page
    assert not TOTPDevice.objects.filter(user=patient_a).exists()
    assert AccessLog.objects.count() == logged


def test_a_forged_key_is_refused(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    _signed, token = _page_key(_text(client.get(reverse("portal:security"))))
    page = _text(client.post(reverse("portal:security"), {"token": token, "key": "forged"}))
    assert "Cette page a expiré" in page
    assert not TOTPDevice.objects.filter(user=patient_a).exists()


def test_a_patient_enrols_an_authenticator_app(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    page = _text(client.get(reverse("portal:security")))
    assert "<svg" in page and "Scannez ce QR code" in page
    key, token = _page_key(page)
    response = client.post(reverse("portal:security"), {"token": token, "key": key})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=patient_a).confirmed
    assert AccessLog.objects.filter(action="patient.totp_enrolled", actor=patient_a).exists()


def test_a_wrong_enrolment_code_is_refused(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    key, token = _page_key(_text(client.get(reverse("portal:security"))))
    wrong = f"{(int(token) + 1) % 10**6:06d}"
    assert "Ce code ne correspond pas" in _text(
        client.post(reverse("portal:security"), {"token": wrong, "key": key})
    )
    assert not TOTPDevice.objects.filter(user=patient_a, confirmed=True).exists()


def test_with_an_app_the_login_sends_no_sms_and_takes_its_code(
    client: Client, patient_a: User
) -> None:
    device = _enrol(patient_a)
    client.post(reverse("portal:patient_login"), {"email": patient_a.email, "password": PASSWORD})
    assert not Notification.objects.filter(purpose="one_time_code").exists()
    assert "application d'authentification" in _text(client.get(reverse("portal:patient_code")))
    device.refresh_from_db()
    device.last_t = -1  # the enrolment used the current step; a new step would come 30 s later
    device.save(update_fields=["last_t"])
    response = client.post(reverse("portal:patient_code"), {"code": _now_token(device)})
    assert response["Location"] == reverse("portal:patient_home")


def test_an_app_code_cannot_be_replayed(patient_a: User) -> None:
    from django.utils import timezone

    from portal.models import CodeChallenge

    device = _enrol(patient_a)
    # The enrolment consumed this time step: the same code again is refused.
    attempt = CodeChallenge.objects.create(
        user=patient_a,
        purpose="login",
        method="totp",
        expires_at=timezone.now() + services.CODE_VALIDITY,
    )
    with pytest.raises(services.PortalError, match="Code incorrect"):
        services.verify_code(challenge_uuid=attempt.uuid, code=_now_token(device))


def test_the_patient_can_ask_for_an_sms_instead_of_the_app(client: Client, patient_a: User) -> None:
    _enrol(patient_a)
    client.post(reverse("portal:patient_login"), {"email": patient_a.email, "password": PASSWORD})
    client.post(reverse("portal:resend_code"))
    response = client.post(reverse("portal:patient_code"), {"code": last_code()})
    assert response["Location"] == reverse("portal:patient_home")


def test_changing_the_mobile_needs_the_password_and_a_code_sent_to_the_new_one(
    client: Client, patient_a: User
) -> None:
    login_as(client, patient_a)
    url = reverse("portal:contact_details")
    wrong = client.post(url, {"mobile": "06 98 76 54 32", "password": "not-my-password"})
    assert "Mot de passe incorrect." in _text(wrong)
    client.post(url, {"mobile": "06 98 76 54 32", "password": PASSWORD})
    sms = Notification.objects.get(purpose="one_time_code")
    assert sms.recipient == "+33698765432"  # the code goes to the new number
    client.post(reverse("portal:patient_code"), {"code": last_code()})
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33698765432"
    told = Notification.objects.get(purpose="contact_changed")
    assert told.recipient == "+33601023040"  # the old number is told


def test_changing_the_email_sends_the_code_by_email(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    client.post(
        reverse("portal:contact_details"), {"email": "nouveau@exemple.fr", "password": PASSWORD}
    )
    code_email = Notification.objects.get(purpose="one_time_code")
    assert (code_email.channel, code_email.recipient) == ("email", "nouveau@exemple.fr")
    code = re.search(r"(\d{6})", code_email.body).group(1)
    client.post(reverse("portal:patient_code"), {"code": code})
    patient_a.refresh_from_db()
    assert patient_a.email == "nouveau@exemple.fr"
    assert (
        Notification.objects.get(purpose="contact_changed").recipient
        == "bobby@teleconsultation.com"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "a@b.fr", "mobile": "0698765432"},
            "Modifiez soit l'email, soit le téléphone portable.",
        ),
        ({}, "Modifiez soit l'email, soit le téléphone portable."),
        ({"mobile": "06010230405"}, "Saisissez un numéro de portable valide"),
        ({"email": "paul@exemple.fr"}, "déjà utilisée par une autre personne"),
    ],
)
def test_bad_contact_changes_are_explained(
    client: Client, patient_a: User, patient_b: User, data: dict[str, str], message: str
) -> None:
    login_as(client, patient_a)
    response = client.post(reverse("portal:contact_details"), data | {"password": PASSWORD})
    assert message in _text(response)
    patient_a.refresh_from_db()
    assert patient_a.email == "bobby@teleconsultation.com"


def test_a_professional_replaces_a_lost_phone_after_checking_the_identity(
    clinician_client: Client, clinician: User, patient_a: User, identity_a: Identity
) -> None:
    _enrol(patient_a)
    url = reverse("portal:lost_phone", args=[identity_a.portal.uuid])
    data = {"person": patient_a.pk, "mobile": "07 56 12 34 56"}
    assert "Vérifiez d'abord la pièce d'identité" in _text(clinician_client.post(url, data))
    response = clinician_client.post(url, data | {"identity_checked": "on", "attested": "on"})
    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33756123456"
    assert not TOTPDevice.objects.filter(user=patient_a).exists()
    email = Notification.objects.get(purpose="lost_phone", channel="email")
    assert email.recipient == patient_a.email
    log = AccessLog.objects.get(action="patient.lost_phone")
    assert (log.actor, log.object_id) == (clinician, str(patient_a.pk))


def test_patients_cannot_use_the_lost_phone_page(
    client: Client, patient_a: User, identity_a: Identity
) -> None:
    login_as(client, patient_a)
    assert (
        client.get(reverse("portal:lost_phone", args=[identity_a.portal.uuid])).status_code == 404
    )


@pytest.mark.parametrize("url", ["portal:security", "portal:contact_details"])
def test_clinicians_have_no_patient_security_pages(clinician_client: Client, url: str) -> None:
    assert clinician_client.get(reverse(url)).status_code == 404
