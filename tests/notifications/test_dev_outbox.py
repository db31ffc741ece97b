import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications import services
from notifications.models import DevMessage

pytestmark = pytest.mark.django_db

OUTBOX_URL = reverse("notifications:dev_outbox")


@pytest.fixture
def dev_backends(settings: object) -> None:
    settings.DEV_OUTBOX = True
    settings.MAILERS = {"default": {"BACKEND": "notifications.backends.email.OutboxEmailBackend"}}
    settings.SMS_BACKEND = "notifications.backends.sms.OutboxBackend"


def test_it_lists_captured_emails_and_sms(client: Client, dev_backends: None) -> None:
    message = mail.EmailMultiAlternatives(
        "Votre code", "Code : 123456", to=["bobby@teleconsultation.com"]
    )
    message.attach_alternative("<p>Code : 123456</p>", "text/html")
    message.send()
    provider_id = services.send_sms(to="+33601023040", body="Votre code : 654321")

    assert provider_id.startswith("outbox-")
    assert DevMessage.objects.count() == 2
    body = client.get(OUTBOX_URL).content.decode()
    assert "bobby@teleconsultation.com" in body
    assert "Code : 123456" in body
    assert "+33601023040" in body
    assert "Votre code : 654321" in body


def test_it_does_not_exist_without_debug(client: Client, settings: object) -> None:
    settings.DEV_OUTBOX = False
    assert client.get(OUTBOX_URL).status_code == 404


def test_it_rejects_post(client: Client, dev_backends: None) -> None:
    assert client.post(OUTBOX_URL).status_code == 405


def test_the_locmem_sms_backend_keeps_messages_for_tests() -> None:
    from notifications.backends.sms import outbox

    services.send_sms(to="+33601023040", body="Bonjour")
    assert [(sent.to, sent.body) for sent in outbox] == [("+33601023040", "Bonjour")]
