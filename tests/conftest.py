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
    from django.core.cache import cache

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
