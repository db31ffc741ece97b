"""A real Celery worker sends what planning queued: the portal's activation and the invitations
leave once the transaction commits, each once."""

import time

import pytest

from accounts.models import User
from identities.models import Identity
from notifications.models import DevMessage, Notification
from tests.teleconsult.conftest import plan


@pytest.mark.celery_worker
def test_a_real_worker_sends_the_invitations_and_the_activation_once(
    celery_worker: object, clinician: User, identity_a: Identity
) -> None:
    celery_worker.env["TEST_SMS_BACKEND"] = "notifications.backends.sms.OutboxBackend"
    celery_worker.start()

    teleconsultation = plan(identity_a, clinician, sms=True, create_portal=True, consent_given=True)

    deadline = time.monotonic() + 30
    pending = Notification.objects.exclude(status=Notification.Status.SENT)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pending.exists()
    assert sorted(Notification.objects.values_list("purpose", "channel")) == [
        ("portal_activation", "email"),
        ("portal_activation", "sms"),
        ("teleconsultation_invitation", "email"),
        ("teleconsultation_invitation", "sms"),
    ]
    invitations = DevMessage.objects.filter(body__contains=teleconsultation.join_token)
    assert sorted(invitations.values_list("channel", flat=True)) == ["email", "sms"]
    assert DevMessage.objects.count() == 4
