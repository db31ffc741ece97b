"""The beat task's sweep: rows left pending, claimed by a dead worker, or of unknown fate."""

import datetime

from django.conf import settings
from django.utils import timezone

from notifications.models import Notification
from notifications.services.queueing import enqueue

# Rows still pending this long after they were due are re-enqueued by the sweeper.
STALE_AFTER = datetime.timedelta(minutes=2)


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-enqueue forgotten rows, recover rows of dead workers; returns counts per outcome.

    ``now`` is the time the thresholds are measured from (tests pass a later one); rows given
    back are due at once, by the real clock.
    """
    due = timezone.now()
    now = now or due
    # A worker holding a row longer than the hard time limit is dead.
    abandoned_before = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    abandoned = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=abandoned_before
    )
    unknown = abandoned.filter(provider_called_at__isnull=False).update(
        status=Notification.Status.UNKNOWN,
        last_error="Worker stopped after calling the provider: the message may have been sent.",
        updated_at=now,
    )
    released_rows = list(
        abandoned.filter(provider_called_at__isnull=True).values_list("pk", "urgent")
    )
    released = Notification.objects.filter(
        pk__in=[pk for pk, _urgent in released_rows], status=Notification.Status.SENDING
    ).update(status=Notification.Status.PENDING, next_attempt_at=due, updated_at=due)
    stale = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lt=now - STALE_AFTER
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "urgent")[:1000]
    )
    requeued = sum(enqueue(pk, urgent=urgent) for pk, urgent in [*released_rows, *stale])
    return {"unknown": unknown, "released": released, "requeued": requeued}
