"""Celery tasks of the outbox: they take ids, make one service call, and are idempotent."""

from celery import shared_task

from notifications import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one outbox row; a no-op if it was already sent or is being sent."""
    result = services.send_notification(notification_id=notification_id)
    if result.retry_in is not None:
        # The row holds the truth (next_attempt_at); this only wakes a worker at that time.
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(acks_late=True)
def sweep_notifications() -> dict[str, int]:
    """Every minute: nothing queued is ever forgotten, nothing ambiguous is blindly resent."""
    return services.sweep()
