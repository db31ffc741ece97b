"""The outbox worker as production runs it (portal/workers.py): a pool of threads on two queues,
codes first. Real Redis, a real Celery worker process, the real twilio client and the fake.
"""

import uuid
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from notifications import services
from notifications.models import Notification
from notifications.services import sending
from portal import celery_app
from portal.workers import OUTBOX_THREADS, outbox_worker_arguments
from tests.notifications.fake_twilio import FakeTwilio
from tests.workers import CeleryWorker, wait_until

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-outbox-token"


@pytest.fixture
def queues() -> Iterator[tuple[str, str]]:
    """(urgent, other): queues of this test only, where the portal's services send."""
    name = f"test-outbox-{uuid.uuid4().hex[:12]}"
    urgent, other = f"{name}-urgent", name
    with override_settings(NOTIFICATIONS_QUEUE=other, NOTIFICATIONS_URGENT_QUEUE=urgent):
        yield urgent, other
    with celery_app.connection_for_write() as broker:
        for queue in (urgent, other):
            broker.default_channel.queue_purge(queue)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def outbox_worker(
    worker_env: dict[str, str], queues: tuple[str, str], fake_twilio: FakeTwilio
) -> Iterator[CeleryWorker]:
    """The production outbox worker's arguments, on this test's queues; started by the test."""
    urgent, other = queues
    worker = CeleryWorker(
        queue=other,
        arguments=outbox_worker_arguments(queues=(urgent, other)),
        env=worker_env
        | {
            "TEST_CELERY_QUEUE": other,
            "TEST_NOTIFICATIONS_QUEUE": other,
            "TEST_NOTIFICATIONS_URGENT_QUEUE": urgent,
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": "MaSante",
            "TWILIO_API_BASE": fake_twilio.base_url,
        },
    )
    try:
        yield worker
    finally:
        worker.stop()


def _alerts(count: int, first: int = 0) -> list[Notification]:
    with transaction.atomic():
        return [
            services.queue_sms(
                purpose="document_available",
                object_key=f"delivery:{index}",
                to=f"+336110{index:05d}",
                template="document_available",
            )
            for index in range(first, first + count)
        ]


def _code(index: int = 0) -> Notification:
    with transaction.atomic():
        return services.queue_sms(
            purpose="one_time_code",
            object_key=f"challenge:{index}",
            to=f"+336220{index:05d}",
            template="one_time_code",
            context={"code": "123456", "minutes": 10},
            redact=True,
            urgent=True,
        )


def _waiting(queue: str) -> int:
    with celery_app.connection_for_write() as broker:
        return broker.default_channel.client.llen(queue)


@pytest.mark.celery_worker
def test_codes_go_to_the_urgent_queue_and_alerts_to_the_other(
    transactional_db: None, queues: tuple[str, str]
) -> None:
    urgent, other = queues
    alerts = _alerts(3)
    code = _code()
    assert (_waiting(urgent), _waiting(other)) == (1, 3)
    assert code.urgent and not any(alert.urgent for alert in alerts)
    # The sweeper re-enqueues a forgotten code on the urgent queue too.
    Notification.objects.filter(pk=code.pk).update(
        next_attempt_at=code.next_attempt_at - services.STALE_AFTER * 2
    )
    assert services.sweep()["requeued"] == 1
    assert (_waiting(urgent), _waiting(other)) == (2, 3)


@pytest.mark.celery_worker
def test_codes_are_sent_before_the_alerts_queued_ahead_of_them(
    outbox_worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    """Two waves of codes behind six waves of alerts: the codes take the first two waves. (Kombu's
    default round robin would alternate the queues and spread them over four.)"""
    fake_twilio.set_latency(0.2)
    alerts = _alerts(6 * OUTBOX_THREADS)
    codes = [_code(index) for index in range(2 * OUTBOX_THREADS)]
    outbox_worker.start()  # everything waits in Redis, the codes last
    total = len(alerts) + len(codes)
    try:
        messages = fake_twilio.wait_for_messages(total, timeout=60)
    except TimeoutError:
        from django.db.models import Count

        print(dict(Notification.objects.values_list("status").annotate(Count("pk")).order_by()))
        print("".join(line for line in outbox_worker.log if "succeeded" not in line)[-20000:])
        raise
    recipients = [message["to"] for message in messages]
    assert len(set(recipients)) == len(recipients) == total
    positions = sorted(recipients.index(code.recipient) for code in codes)
    # A few places of slack at the end of the second wave, for the threads' scheduling.
    assert positions[-1] < len(codes) + 8, positions
    assert wait_until(lambda: Notification.objects.filter(status="sent").count() == total)


@pytest.mark.celery_worker
def test_concurrent_threads_send_each_row_once(
    outbox_worker: CeleryWorker, fake_twilio: FakeTwilio, queues: tuple[str, str]
) -> None:
    """Every row enqueued four times at once (a redelivery, the sweeper, a resend race): the
    threads race for it, one claim wins, one message leaves."""
    fake_twilio.set_latency(0.05, jitter=0.05)
    rows = _alerts(100)
    for _ in range(3):
        for row in rows:
            services.enqueue(row.pk)
    outbox_worker.start()
    assert wait_until(
        lambda: Notification.objects.filter(status="sent").count() == len(rows), timeout=60
    )
    assert wait_until(lambda: _waiting(queues[1]) == 0)
    wait_until(lambda: False, timeout=1)  # a late duplicate would show up here
    recipients = [message["to"] for message in fake_twilio.messages]
    assert sorted(recipients) == sorted(row.recipient for row in rows)
    sids = dict(Notification.objects.values_list("recipient", "provider_id"))
    assert {message["to"]: message["sid"] for message in fake_twilio.messages} == sids


def test_a_stalled_thread_whose_row_was_given_back_does_not_send(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hard time limit with threads: a thread that stalls while preparing its call, past the
    sweeper's threshold, finds its row released and sent by another worker; it must not send."""
    from notifications.backends import sms

    sms.outbox.clear()
    (row,) = _alerts(1)
    prepare = sending._prepare
    stalled = True

    def stall_then_lose_the_row(notification: Notification) -> object:
        nonlocal stalled
        if stalled:
            stalled = False
            # Meanwhile, the sweeper gave the row back and another thread sent it.
            Notification.objects.filter(pk=notification.pk).update(status="pending")
            assert services.send_notification(notification_id=notification.pk).status == "sent"
        return prepare(notification)

    monkeypatch.setattr(sending, "_prepare", stall_then_lose_the_row)
    with override_settings(SMS_BACKEND="notifications.backends.sms.LocmemBackend"):
        result = services.send_notification(notification_id=row.pk)
    assert result.status == "skipped"
    assert [message.to for message in sms.outbox] == [row.recipient]
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
