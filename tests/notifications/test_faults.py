"""The fault scenarios of SECURITY.md, on real components: Redis, Celery worker processes,
PostgreSQL, and the real twilio client talking to a local server that speaks its API.

Expected every time: nothing lost, nothing sent twice.
"""

import datetime
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import DevMessage, Notification
from tests.notifications.fake_twilio import FakeTwilio
from tests.workers import CeleryWorker, wait_until

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def worker(
    celery_worker: CeleryWorker, fake_twilio: FakeTwilio, tmp_path: Path, settings: object
) -> CeleryWorker:
    """A worker sending SMS through the real twilio client to the fake, emails to the dev table."""
    celery_worker.env |= {
        "SMS_BACKEND": "twilio",
        "TEST_SMS_BACKEND": "tests.notifications.crashing_backend.CrashingTwilioBackend",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "MaSante",
        "TWILIO_API_BASE": fake_twilio.base_url,
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
        "CRASH_MARKER": str(tmp_path / "crash"),
    }
    return celery_worker


def _finalise(object_key: str = "delivery:1", mobile: str = "+33601023040") -> list[Notification]:
    """A business transaction that alerts the patient by SMS and by email."""
    with transaction.atomic():
        return [
            services.queue_sms(
                purpose="document_available",
                object_key=object_key,
                to=mobile,
                template="document_available",
            ),
            services.queue_email(
                purpose="document_available",
                object_key=object_key,
                to="bobby@teleconsultation.com",
                template="document_available",
            ),
        ]


def _status(notification: Notification) -> str:
    notification.refresh_from_db()
    return notification.status


def _crash_at(worker: CeleryWorker, moment: str) -> None:
    Path(worker.env["CRASH_MARKER"]).write_text(moment)


def _as_if_ten_minutes_passed() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=10)


def test_scenario_2_a_worker_killed_before_the_provider_call_sends_once(
    worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    _crash_at(worker, "before")
    worker.start()
    text, _email = _finalise()
    assert worker.wait_exit(timeout=30) == -9  # the worker died holding the SMS
    assert _status(text) == Notification.Status.SENDING
    assert fake_twilio.messages == []

    services.sweep(now=_as_if_ten_minutes_passed())
    worker.start()
    assert wait_until(lambda: _status(text) == Notification.Status.SENT)
    assert len(fake_twilio.messages) == 1
    assert text.provider_id == fake_twilio.messages[0]["sid"]


def test_scenario_3_a_worker_killed_after_the_provider_accepted_is_never_resent(
    worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    _crash_at(worker, "after")
    worker.start()
    text, _email = _finalise()
    assert worker.wait_exit(timeout=30) == -9
    assert len(fake_twilio.messages) == 1

    services.sweep(now=_as_if_ten_minutes_passed())
    worker.start()
    services.sweep(now=_as_if_ten_minutes_passed())
    assert _status(text) == Notification.Status.UNKNOWN
    wait_until(lambda: False, timeout=2)  # give a blind resend every chance to happen
    assert len(fake_twilio.messages) == 1


def test_scenario_4_three_provider_errors_then_success_send_one_message(
    worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(status=500, times=3)
    worker.start()
    text, email = _finalise()
    assert wait_until(lambda: _status(text) == Notification.Status.SENT, timeout=30)
    assert len(fake_twilio.messages) == 1
    assert text.attempts == 4
    assert wait_until(lambda: _status(email) == Notification.Status.SENT)
    assert DevMessage.objects.filter(channel="email").count() == 1


def test_scenario_4_a_provider_failing_for_good_ends_failed_and_visible(
    worker: CeleryWorker, fake_twilio: FakeTwilio, settings: object
) -> None:
    fake_twilio.fail_next(status=503, times=100)
    worker.env["NOTIFICATIONS_RETRY_BASE_SECONDS"] = "0.02"
    worker.start()
    text, _email = _finalise()
    assert wait_until(lambda: _status(text) == Notification.Status.FAILED, timeout=90)
    assert text.attempts == services.MAX_ATTEMPTS
    assert services.reason(text) == "Échec persistant après plusieurs tentatives."
    assert fake_twilio.messages == []


def test_scenario_5_an_invalid_number_fails_at_once_and_the_email_still_goes_once(
    worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reject_number("+33601023040", code=21211)
    worker.start()
    text, email = _finalise()
    assert wait_until(lambda: _status(text) == Notification.Status.FAILED)
    assert text.attempts == 1
    assert services.reason(text) == "Numéro de téléphone invalide."
    assert wait_until(lambda: _status(email) == Notification.Status.SENT)
    assert DevMessage.objects.filter(channel="email").count() == 1


def test_scenario_6_a_rollback_after_queueing_sends_nothing(
    worker: CeleryWorker, fake_twilio: FakeTwilio
) -> None:
    worker.start()

    class ViewFailed(Exception):
        pass

    with pytest.raises(ViewFailed), transaction.atomic():
        _finalise()
        raise ViewFailed
    _finalise(object_key="delivery:2")  # a later, committed one proves the worker is alive
    assert wait_until(lambda: len(fake_twilio.messages) == 1)
    assert not Notification.objects.filter(object_key="delivery:1").exists()
    assert [message["to"] for message in fake_twilio.messages] == ["+33601023040"]
    # The email of the committed sending is a task of its own, after the SMS.
    assert wait_until(lambda: DevMessage.objects.filter(channel="email").count() == 1)
    wait_until(lambda: False, timeout=1)  # a rolled-back one would have shown up by now
    assert DevMessage.objects.filter(channel="email").count() == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_scenario_1_redis_down_at_commit_delays_and_loses_nothing(
    worker_env: dict[str, str], fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = worker_env | {
        "REDIS_URL": broker,
        "CACHE_REDIS_URL": broker,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "MaSante",
        "TWILIO_API_BASE": fake_twilio.base_url,
    }
    # Redis is down: the professional's transaction still commits, and they see success.
    result = _run_django(
        "from tests.notifications.test_faults import _finalise\n_finalise()\nprint('committed')",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert "committed" in result.stdout
    rows = list(Notification.objects.order_by("pk"))
    assert [row.status for row in rows] == ["pending", "pending"]

    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = CeleryWorker(queue="celery", env=env)
    try:
        assert wait_until(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False
                ).returncode
                == 0
            )
        )
        worker.start()
        # Nothing happens until the sweeper notices rows pending for over 2 minutes.
        Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=3))
        swept = _run_django("from notifications import services\nprint(services.sweep())", env)
        assert swept.returncode == 0, swept.stderr
        assert wait_until(lambda: all(_status(row) == "sent" for row in rows), timeout=30)
    finally:
        worker.stop()
        redis.terminate()
        redis.wait(10)
    assert len(fake_twilio.messages) == 1
    assert DevMessage.objects.filter(channel="email").count() == 1
