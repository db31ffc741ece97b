"""The activation link: single use, expiring, then a password and the mobile confirmed by SMS."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from identities.models import Identity
from notifications.models import Notification
from portal.models import ActivationLink, User
from tests.portal.conftest import last_code, open_portal

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def _text(response: object) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def activation_url(identity_a: Identity, clinician: User) -> str:
    open_portal(identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040")
    email = Notification.objects.get(purpose="portal_activation", channel="email")
    return re.search(r"http://127\.0\.0\.1:8000(/espace/activation/[^/\s]+/)", email.body).group(1)


def _activate(client: Client, url: str) -> object:
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return client.post(reverse("portal:patient_code"), {"code": last_code()})


def test_the_activation_email_and_sms_say_what_to_do(activation_url: str) -> None:
    email = Notification.objects.get(purpose="portal_activation", channel="email")
    text = Notification.objects.get(purpose="portal_activation", channel="sms")
    assert email.urgent and text.urgent  # sent from the urgent queue, before any alert
    assert email.subject == "Activez votre espace MaSantéConnectée"
    assert "dans les 72 heures" in email.body
    assert text.body == (
        "Votre espace MaSantéConnectée est prêt : activez-le avec le lien envoyé à "
        "bobby@teleconsultation.com."
    )


def test_activation_sets_the_password_confirms_the_mobile_and_logs_in(
    client: Client, activation_url: str
) -> None:
    assert "Activer mon espace" in _text(client.get(activation_url))
    response = _activate(client, activation_url)
    assert response["Location"] == reverse("portal:patient_home")
    user = User.objects.get(email="bobby@teleconsultation.com")
    assert user.activated_at is not None and user.check_password(NEW_PASSWORD)
    assert ActivationLink.objects.get().used_at is not None


def test_the_password_is_checked_by_django_validators(client: Client, activation_url: str) -> None:
    body = _text(client.post(activation_url, {"password1": "123456", "password2": "123456"}))
    assert "Ce mot de passe est trop court." in body
    assert not User.objects.get(email="bobby@teleconsultation.com").has_usable_password()


def test_two_different_passwords_are_refused(client: Client, activation_url: str) -> None:
    body = _text(
        client.post(activation_url, {"password1": NEW_PASSWORD, "password2": "autre-chose-2026"})
    )
    assert "Les deux mots de passe sont différents." in body


def test_a_used_link_explains_what_to_do(client: Client, activation_url: str) -> None:
    _activate(client, activation_url)
    response = Client().get(activation_url)
    assert response.status_code == 410
    assert "il a déjà été utilisé" in _text(response)


def test_an_expired_link_explains_what_to_do(
    client: Client, identity_a: Identity, clinician: User
) -> None:
    with time_machine.travel("2026-11-25 10:00 +0000", tick=False) as traveller:
        open_portal(
            identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040"
        )
        email = Notification.objects.get(purpose="portal_activation", channel="email")
        url = re.search(r"(/espace/activation/[^/\s]+/)", email.body).group(1)
        traveller.shift(datetime.timedelta(hours=72, seconds=1))
        response = client.get(url)
    assert response.status_code == 410
    assert "Ce lien a expiré" in _text(response)


def test_a_tampered_link_gets_the_same_answer_as_a_used_one(
    client: Client, activation_url: str
) -> None:
    response = client.get(activation_url[:-5] + "xxxx/")
    assert response.status_code == 410
    assert "Ce lien n'est plus valable" in _text(response)


def test_the_activation_link_is_not_kept_in_the_outbox_once_sent(activation_url: str) -> None:
    from notifications import services as notifications

    email = Notification.objects.get(purpose="portal_activation", channel="email")
    notifications.send_notification(notification_id=email.pk)
    email.refresh_from_db()
    assert email.status == "sent" and "activation" not in email.body
