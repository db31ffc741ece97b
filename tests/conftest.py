"""Fixtures shared by every test: isolation of files and tasks, and the personas."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from notifications.backends import sms
from portal import celery_app
from portal.models import User
from tests.factories import PASSWORD, AdminFactory, ClinicianFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _messages_stay_here(settings: object) -> Iterator[None]:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SMS_BACKEND = "notifications.backends.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run eagerly, except in the tests that start a real worker."""
    eager = request.node.get_closest_marker("celery_worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.conf import settings
    from django.core.cache import cache

    if settings.REDIS_URL and settings.CACHE_REDIS_URL == settings.REDIS_URL:
        pytest.fail("Set CACHE_REDIS_URL to another Redis database: clearing it wipes the queue.")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def clinician(db: None) -> User:
    return ClinicianFactory(first_name="Claire", last_name="MARTIN", email="claire@portail.test")


@pytest.fixture
def other_clinician(db: None) -> User:
    return ClinicianFactory(first_name="Paul", last_name="DURAND", email="paul@portail.test")


@pytest.fixture
def patient(db: None) -> User:
    return UserFactory(first_name="Bobby", last_name="TELECONSULTATION", email="bobby@portail.test")


@pytest.fixture
def admin_user(db: None) -> User:
    return AdminFactory(first_name="Alice", last_name="ADMIN", email="alice@portail.test")


@pytest.fixture
def clinician_client(client: Client, clinician: User) -> Client:
    client.force_login(clinician)
    return client


@pytest.fixture
def celery_worker_queue(transactional_db: None) -> Iterator[str]:
    """A real Celery worker process on Redis, consuming a queue of its own; yields the queue.

    It connects to the test database, so the test must commit what the worker should see
    (hence ``transactional_db``).
    """
    import os
    import subprocess
    import sys
    import threading
    import uuid

    import dj_database_url
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL:
        pytest.fail("A real worker needs REDIS_URL (make test sets it).")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    test_db = dj_database_url.parse(os.environ["DATABASE_URL"]) | {
        "NAME": connection.settings_dict["NAME"]
    }
    database_url = (
        f"postgres://{test_db['USER'] or 'postgres'}@{test_db['HOST'] or '127.0.0.1'}:"
        f"{test_db['PORT'] or 5432}/{test_db['NAME']}"
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env={**os.environ, "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "false"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    ready = threading.Event()
    log: list[str] = []

    def _read() -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            log.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=_read, daemon=True).start()
    try:
        if not ready.wait(timeout=60):
            pytest.fail("The Celery worker did not start:\n" + "".join(log))
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
