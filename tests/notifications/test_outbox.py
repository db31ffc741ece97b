"""The outbox in one process: queueing, idempotency, claiming, recovery, delivery status."""

import datetime
import threading
from html import unescape

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from notifications import gsm, services
from notifications.backends import sms
from notifications.models import Notification
from notifications.services import sending
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _queue_alert(
    object_key: str = "delivery:1", to: str = "bobby@teleconsultation.com"
) -> Notification:
    return services.queue_email(
        purpose="document_available", object_key=object_key, to=to, template="document_available"
    )


def _queue_sms(object_key: str = "delivery:1", to: str = "06 01 02 30 40") -> Notification:
    return services.queue_sms(
        purpose="document_available", object_key=object_key, to=to, template="document_available"
    )


def test_nothing_leaves_before_the_commit(django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = _queue_alert()
    assert notification.status == Notification.Status.PENDING
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_after_the_commit_the_email_is_sent_once(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = _queue_alert()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.provider_id.startswith("<")
    assert notification.attempts == 1
    assert [message.to for message in mail.outbox] == [["bobby@teleconsultation.com"]]


def test_queueing_twice_is_a_no_op(django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _queue_alert()
        second = _queue_alert()
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_rollback_sends_nothing(django_capture_on_commit_callbacks: object) -> None:
    class ViewFailed(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ViewFailed),
        transaction.atomic(),
    ):
        _queue_alert()
        _queue_sms()
        raise ViewFailed
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == [] and sms.outbox == []


@pytest.mark.parametrize("address", ["bobby", "bobby@", "bob by@example.fr", ""])
def test_a_bad_email_is_refused_before_anything_is_written(address: str) -> None:
    with pytest.raises(services.InvalidRecipient, match="Cette adresse email n'est pas valide"):
        _queue_alert(to=address)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("06010230405", "Ce numéro de téléphone n'est pas valide"),
        ("not a number", "Ce numéro de téléphone n'est pas valide"),
        ("04 75 12 34 56", "ne peut pas recevoir de SMS"),
    ],
)
def test_a_bad_number_is_refused_before_anything_is_written(number: str, message: str) -> None:
    with pytest.raises(services.InvalidRecipient, match=message):
        _queue_sms(to=number)
    assert not Notification.objects.exists()


def test_numbers_are_stored_in_international_form(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = _queue_sms(to="06 01 02 30 40")
    assert notification.recipient == "+33601023040"
    assert [(message.to, message.provider_id) for message in sms.outbox] == [
        ("+33601023040", "locmem-1")
    ]


def test_the_document_alert_says_nothing_about_health() -> None:
    email, text = _queue_alert(), _queue_sms()
    assert email.subject == "Un nouveau document est disponible dans votre espace MaSantéConnectée"
    assert "Un nouveau document est disponible dans votre espace MaSantéConnectée" in email.body
    assert "http://127.0.0.1:8000/" in email.body
    assert "aucune information de santé" in unescape(email.html_body)
    for forbidden in ("ordonnance", "compte rendu", "Dr ", "diagnostic", "résultat"):
        assert forbidden not in email.body.lower() and forbidden not in text.body.lower()


def test_the_sms_fits_one_gsm7_segment() -> None:
    body = _queue_sms().body
    assert gsm.is_gsm7(body)
    assert gsm.segments(body) == 1


def test_gsm7_counts_segments() -> None:
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 161) == 2
    assert not gsm.is_gsm7("Votre être")  # ê is not in GSM-7
    assert gsm.segments("ê" * 70) == 1 and gsm.segments("ê" * 71) == 2


def test_a_row_is_claimed_once() -> None:
    notification = _queue_alert()
    assert services.send_notification(notification_id=notification.pk).status == "sent"
    assert services.send_notification(notification_id=notification.pk).status == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_ten_workers_racing_for_one_row_send_it_once() -> None:
    # Written directly: queueing here would commit and send it at once.
    notification = Notification.objects.create(
        channel="email",
        recipient="bobby@teleconsultation.com",
        template="document_available",
        purpose="document_available",
        object_key="delivery:1",
        idempotency_key="race",
        subject="Test",
        body="Test",
    )
    barrier = threading.Barrier(10)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(services.send_notification(notification_id=notification.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent"] + ["skipped"] * 9
    assert len(mail.outbox) == 1


def test_a_one_time_code_is_wiped_once_sent() -> None:
    notification = services.queue_sms(
        purpose="login_code",
        object_key="attempt:1",
        to="0601023040",
        template="document_available",
        redact=True,
    )
    services.send_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.body == ""
    assert len(sms.outbox) == 1


class _FailingBackend(sms.BaseSmsBackend):
    errors: list[sms.SmsError] = []

    def send(self, *, to: str, body: str) -> str:
        if self.errors:
            raise self.errors.pop(0)
        sms.outbox.append(sms.SentSms(to=to, body=body, provider_id="SMok"))
        return "SMok"


@pytest.fixture
def failing_backend(settings: object) -> type[_FailingBackend]:
    settings.SMS_BACKEND = f"{__name__}._FailingBackend"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    _FailingBackend.errors = []
    return _FailingBackend


def test_a_permanent_refusal_fails_at_once_with_a_french_reason(failing_backend: type) -> None:
    failing_backend.errors = [sms.SmsError("invalid", code="21211", permanent=True)]
    notification = _queue_sms()
    result = services.send_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert result.retry_in is None
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1
    assert services.reason(notification) == "Numéro de téléphone invalide."


def test_a_transient_failure_is_retried_later_then_sent(failing_backend: type) -> None:
    failing_backend.errors = [sms.SmsError("boom", code="500", permanent=False)] * 3
    notification = _queue_sms()
    start = timezone.now()
    delays = []
    for _ in range(3):
        result = services.send_notification(notification_id=notification.pk)
        delays.append(result.retry_in)
        notification.refresh_from_db()
        assert notification.status == Notification.Status.PENDING
        # Not due yet: a duplicate task must not send it early.
        assert services.send_notification(notification_id=notification.pk).status == "skipped"
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=start)
    assert services.send_notification(notification_id=notification.pk).status == "sent"
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert len(sms.outbox) == 1


def test_it_gives_up_after_eight_tries(failing_backend: type) -> None:
    failing_backend.errors = [sms.SmsError("timeout", code="network", permanent=False)] * 8
    notification = _queue_sms()
    for _ in range(8):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        result = services.send_notification(notification_id=notification.pk)
        assert result.retry_in is None or result.retry_in <= services.MAX_BACKOFF_SECONDS
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 8
    assert services.reason(notification) == "Échec persistant après plusieurs tentatives."


def test_the_backoff_never_reaches_the_visibility_timeout(settings: object) -> None:
    for attempts in range(1, 20):
        assert sending._backoff(attempts) <= services.MAX_BACKOFF_SECONDS < 3600


# --- Recovery -----------------------------------------------------------------------------------


def test_the_sweeper_sends_what_the_broker_lost() -> None:
    notification = _queue_alert()  # on_commit never ran: as if Redis was down
    later = timezone.now() + datetime.timedelta(minutes=3)
    counts = services.sweep(now=later)
    notification.refresh_from_db()
    assert counts["requeued"] == 1
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_leaves_recent_rows_to_their_task() -> None:
    _queue_alert()
    assert services.sweep()["requeued"] == 0
    assert mail.outbox == []


def _claimed(notification: Notification, *, provider_called: bool) -> None:
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING,
        attempts=1,
        claimed_at=long_ago,
        provider_called_at=long_ago if provider_called else None,
    )


def test_a_worker_dead_before_the_provider_call_is_replaced() -> None:
    notification = _queue_sms()
    _claimed(notification, provider_called=False)
    counts = services.sweep()
    notification.refresh_from_db()
    assert counts["released"] == 1
    assert notification.status == Notification.Status.SENT
    assert len(sms.outbox) == 1


def test_a_worker_dead_after_the_provider_call_leaves_it_unknown() -> None:
    notification = _queue_sms()
    _claimed(notification, provider_called=True)
    counts = services.sweep()
    services.sweep()
    notification.refresh_from_db()
    assert counts["unknown"] == 1
    assert notification.status == Notification.Status.UNKNOWN
    assert sms.outbox == []
    assert "vérifier" in services.reason(notification)


# --- Delivery status ---------------------------------------------------------------------


def _sent_sms(provider_id: str = "SM0123") -> Notification:
    notification = _queue_sms()
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, provider_id=provider_id
    )
    return notification


def _signed_post(
    client: Client, settings: object, params: dict[str, str], *, good: bool = True
) -> object:
    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_STATUS_CALLBACK = "https://portail.example.fr/notifications/twilio/statut/"
    signature = RequestValidator("secret-token" if good else "wrong").compute_signature(
        settings.TWILIO_STATUS_CALLBACK, params
    )
    return client.post(
        reverse("notifications:twilio_status"), params, headers={"x-twilio-signature": signature}
    )


def test_a_delivery_report_marks_the_sms_delivered(client: Client, settings: object) -> None:
    notification = _sent_sms()
    response = _signed_post(
        client, settings, {"MessageSid": "SM0123", "MessageStatus": "delivered"}
    )
    notification.refresh_from_db()
    assert response.status_code == 200
    assert notification.status == Notification.Status.DELIVERED


def test_an_undelivered_report_explains_why(client: Client, settings: object) -> None:
    notification = _sent_sms()
    _signed_post(
        client,
        settings,
        {"MessageSid": "SM0123", "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert services.reason(notification) == "Téléphone injoignable ou éteint."


def test_a_late_failure_never_undoes_a_delivery(client: Client, settings: object) -> None:
    notification = _sent_sms()
    _signed_post(client, settings, {"MessageSid": "SM0123", "MessageStatus": "delivered"})
    _signed_post(client, settings, {"MessageSid": "SM0123", "MessageStatus": "failed"})
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DELIVERED


def test_a_bad_signature_is_refused_and_changes_nothing(client: Client, settings: object) -> None:
    notification = _sent_sms()
    response = _signed_post(
        client, settings, {"MessageSid": "SM0123", "MessageStatus": "delivered"}, good=False
    )
    notification.refresh_from_db()
    assert response.status_code == 403
    assert notification.status == Notification.Status.SENT


def test_an_unknown_message_is_acknowledged_and_ignored(client: Client, settings: object) -> None:
    notification = _sent_sms()
    response = _signed_post(client, settings, {"MessageSid": "SMother", "MessageStatus": "failed"})
    notification.refresh_from_db()
    assert response.status_code == 200
    assert notification.status == Notification.Status.SENT


def test_a_report_without_a_message_id_changes_nothing(client: Client, settings: object) -> None:
    """An SMS the provider may have taken has no id yet: a report without one is not about it."""
    notification = _sent_sms()
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.UNKNOWN, provider_id=""
    )
    response = _signed_post(client, settings, {"MessageSid": "", "MessageStatus": "failed"})
    notification.refresh_from_db()
    assert response.status_code == 200
    assert notification.status == Notification.Status.UNKNOWN


def test_the_callback_rejects_get(client: Client) -> None:
    assert client.get(reverse("notifications:twilio_status")).status_code == 405


# --- Sender's view and admin --------------------------------------------------------------


def test_the_sender_sees_each_recipient_and_channel() -> None:
    _queue_alert()
    _queue_sms()
    _queue_alert(object_key="delivery:2")
    statuses = services.statuses_for(purpose="document_available", object_key="delivery:1")
    assert [(n.channel, n.get_status_display()) for n in statuses] == [
        ("sms", "En file d'attente"),
        ("email", "En file d'attente"),
    ]


def test_an_admin_resends_a_failed_notification(
    client: Client, admin_user: object, failing_backend: type
) -> None:
    failing_backend.errors = [sms.SmsError("unsubscribed", code="21610", permanent=True)]
    notification = _queue_sms()
    services.send_notification(notification_id=notification.pk)
    login_as(client, admin_user)
    response = client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend", "_selected_action": [notification.pk]},
        follow=True,
    )
    assert "1 notification(s) remise(s) en file d&#x27;attente." in response.content.decode()
    copy = Notification.objects.get(resend_of=notification)
    assert copy.status == Notification.Status.PENDING
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED  # the original is untouched
    assert AccessLog.objects.filter(action="notification.resend", actor=admin_user).exists()


def test_a_sent_notification_cannot_be_resent(admin_user: object) -> None:
    notification = _queue_alert()
    services.send_notification(notification_id=notification.pk)
    with pytest.raises(services.InvalidRecipient):
        services.resend_notification(notification=Notification.objects.get(), by=admin_user)


def test_a_clinician_cannot_see_the_outbox(clinician_client: Client) -> None:
    response = clinician_client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 302


def test_the_status_fragment_explains_failures_in_french(failing_backend: type) -> None:
    from django.template.loader import render_to_string

    failing_backend.errors = [sms.SmsError("stop", code="21610", permanent=True)]
    text = _queue_sms()
    _queue_alert()
    services.send_notification(notification_id=text.pk)
    html = unescape(
        render_to_string(
            "notifications/_statuses.html",
            {
                "notifications": services.statuses_for(
                    purpose="document_available", object_key="delivery:1"
                )
            },
        )
    )
    assert "+33601023040" in html and "bobby@teleconsultation.com" in html
    assert "Échec" in html and "Le destinataire a refusé les SMS (STOP)." in html
    assert "En file d'attente" in html


def test_provider_errors_are_logged_without_the_full_number(
    failing_backend: type, caplog: pytest.LogCaptureFixture
) -> None:
    failing_backend.errors = [
        sms.SmsError(
            "The 'To' number +33601023040 is not a valid phone number.",
            code="21211",
            permanent=True,
        )
    ]
    notification = _queue_sms()
    services.send_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert "+33601023040" not in caplog.text and "…40" in caplog.text
    assert "+33601023040" not in notification.last_error
