import datetime
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal import tasks


def _session(expire_in: datetime.timedelta) -> str:
    store = SessionStore()
    store["who"] = "test"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expire_in)
    return store.session_key


@pytest.mark.django_db
def test_clearing_sessions_keeps_the_live_ones() -> None:
    expired = _session(datetime.timedelta(minutes=-1))
    live = _session(datetime.timedelta(hours=1))
    tasks.clear_expired_sessions.delay()
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert expired != live


@pytest.mark.celery_worker
def test_a_real_worker_clears_expired_sessions(celery_worker: object) -> None:
    from portal import celery_app

    assert not celery_app.conf.task_always_eager
    celery_worker.start()
    expired = _session(datetime.timedelta(minutes=-1))
    live = _session(datetime.timedelta(hours=1))

    tasks.clear_expired_sessions.delay()

    deadline = time.monotonic() + 30
    while Session.objects.filter(pk=expired).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Session.objects.filter(pk=expired).exists()
    assert Session.objects.filter(pk=live).exists()


def test_the_beat_schedule_runs_the_cleaning_every_night() -> None:
    from portal import celery_app

    entry = celery_app.conf.beat_schedule["clear-expired-sessions"]
    assert entry["task"] == tasks.clear_expired_sessions.name
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.accept_content == ["json"]
