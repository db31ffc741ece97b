"""The access log is append-only, read-only in the admin, and purged only past its retention."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import services
from audit.models import AccessLog
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _row() -> AccessLog:
    return services.record(action="identity.read", object_type="identity", object_id="x")


def _row_of(days: int) -> AccessLog:
    # Inserting an old row is allowed (append-only); ageing one would be an UPDATE.
    return AccessLog.objects.create(
        action="identity.read",
        outcome="success",
        created_at=timezone.now() - datetime.timedelta(days=days),
    )


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL")


def test_an_update_of_the_log_fails() -> None:
    row = _row()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(action="nothing happened")


def test_a_delete_of_the_log_fails() -> None:
    row = _row()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_purge_removes_only_rows_past_the_retention() -> None:
    _row_of(400)
    recent = _row_of(200)
    call_command("purge_access_log", days=365, verbosity=0)
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_purge_refuses_less_than_six_months() -> None:
    with pytest.raises(CommandError, match="cannot be shorter than 183 days"):
        call_command("purge_access_log", days=30, verbosity=0)


def test_admins_read_the_log_but_cannot_change_it(client: Client, admin_user: object) -> None:
    row = _row()
    login_as(client, admin_user)
    assert client.get(reverse("admin:audit_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_accesslog_change", args=[row.pk])).status_code == 200
    assert client.post(reverse("admin:audit_accesslog_delete", args=[row.pk])).status_code == 403
