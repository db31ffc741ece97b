"""Fixtures shared by every test: isolation of files and tasks, and the personas."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

from notifications.backends import sms
from portal import celery_app
from portal.models import User
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ClinicianFactory,
    UserFactory,
    login_as,
    login_professional,
)


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Received files past 256 kB are written here (made by the upload handler when missing).
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    # Argon2 is deliberately slow; the settings test checks production keeps it first.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    """Claire, logged in with both factors (password, then her authenticator app)."""
    return login_professional(client, clinician)


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    """Alice the admin, logged in with both factors (pytest-django's would skip the second)."""
    return login_professional(client, admin_user)


def _test_database_url() -> str:
    import os

    import dj_database_url
    from django.db import connection

    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    return (
        f"postgres://{url['USER'] or 'postgres'}@{url['HOST'] or '127.0.0.1'}:"
        f"{url['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    )


@pytest.fixture
def worker_env(transactional_db: None) -> dict[str, str]:
    """The environment of a worker process: the test database, Redis, the worker settings."""
    import os

    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.fail("A real worker needs REDIS_URL (make test sets it).")
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


@pytest.fixture
def celery_worker(worker_env: dict[str, str]) -> Iterator[object]:
    """A real Celery worker on Redis, on a queue of its own that this test's tasks go to.

    It reads the test database, so the test must commit what it should see (hence
    ``transactional_db``). ``worker.env`` can be changed before ``worker.start()``.
    """
    import uuid

    from django.test import override_settings

    from tests.workers import CeleryWorker

    queue = f"test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    # Tasks the worker enqueues itself (an alert queued by a task) stay on this queue too, and
    # so do the outbox's sends (tests/settings_worker.py).
    worker = CeleryWorker(queue=queue, env=worker_env | {"TEST_CELERY_QUEUE": queue})
    try:
        with override_settings(NOTIFICATIONS_QUEUE=queue, NOTIFICATIONS_URGENT_QUEUE=queue):
            yield worker
    finally:
        worker.stop()
        celery_app.conf.task_default_queue = previous


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    """A fresh client logged in as this person (None: anonymous), as the persona clients are.

    The authorisation matrix and the crawler log their personas in through this one place: a
    change of the professionals' login (a second factor) is made here and applies to them.
    """

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            login_as(client, user)
        return client

    return make
