"""The Twilio backend, through the real twilio client, against a local server speaking its API."""

from collections.abc import Iterator

import pytest

from notifications import services
from notifications.backends.sms import SmsError, TwilioBackend
from notifications.models import Notification
from tests.notifications.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "1" * 32
TOKEN = "backend-token"


@pytest.fixture
def fake(settings: object) -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=TOKEN) as fake:
        settings.SMS_BACKEND = "notifications.backends.sms.TwilioBackend"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = TOKEN
        settings.TWILIO_FROM = "MaSante"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE = fake.base_url
        settings.TWILIO_TIMEOUT = 1
        settings.TWILIO_STATUS_CALLBACK = "https://portail.example.fr/notifications/twilio/statut/"
        yield fake


def test_it_sends_and_returns_twilios_id(fake: FakeTwilio) -> None:
    sid = TwilioBackend().send(to="+33601023040", body="Bonjour")
    assert sid.startswith("SM")
    [message] = fake.messages
    assert (message["to"], message["from_"], message["body"]) == (
        "+33601023040",
        "MaSante",
        "Bonjour",
    )
    assert message["status_callback"] == "https://portail.example.fr/notifications/twilio/statut/"


@pytest.mark.parametrize(
    ("code", "permanent"), [(21211, True), (21610, True), (21612, True), (21614, True)]
)
def test_refusals_that_no_retry_fixes_are_permanent(
    fake: FakeTwilio, code: int, permanent: bool
) -> None:
    fake.fail_next(code=code)
    with pytest.raises(SmsError) as error:
        TwilioBackend().send(to="+33601023040", body="x")
    assert (error.value.code, error.value.permanent, error.value.ambiguous) == (
        str(code),
        True,
        False,
    )


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_retried(fake: FakeTwilio, status: int) -> None:
    fake.fail_next(status=status)
    with pytest.raises(SmsError) as error:
        TwilioBackend().send(to="+33601023040", body="x")
    assert not error.value.permanent and not error.value.ambiguous


def test_a_refused_connection_is_safe_to_retry(fake: FakeTwilio, settings: object) -> None:
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(SmsError) as error:
        TwilioBackend().send(to="+33601023040", body="x")
    assert not error.value.permanent and not error.value.ambiguous


def test_no_answer_in_time_may_have_been_sent(fake: FakeTwilio) -> None:
    fake.delay_next(3)
    with pytest.raises(SmsError) as error:
        TwilioBackend().send(to="+33601023040", body="x")
    assert error.value.ambiguous
    fake.wait_for_messages(1, timeout=5)  # Twilio did take it: a blind retry would duplicate


def test_a_connection_cut_after_sending_may_have_been_sent(fake: FakeTwilio) -> None:
    fake.drop_next()
    with pytest.raises(SmsError) as error:
        TwilioBackend().send(to="+33601023040", body="x")
    assert error.value.ambiguous


@pytest.mark.django_db
def test_an_ambiguous_failure_is_left_unknown_and_never_resent(fake: FakeTwilio) -> None:
    fake.delay_next(3)
    notification = services.queue_sms(
        purpose="document_available",
        object_key="delivery:9",
        to="0601023040",
        template="document_available",
    )
    result = services.send_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert result.status == Notification.Status.UNKNOWN
    assert notification.status == Notification.Status.UNKNOWN
    services.sweep()
    assert services.send_notification(notification_id=notification.pk).status == "skipped"
    fake.wait_for_messages(1, timeout=5)
    assert len(fake.messages) == 1


def test_it_refuses_to_start_without_credentials(settings: object) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        TwilioBackend()
