"""Periodic housekeeping of the accounts."""

from celery import shared_task

from portal import services


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    """Run nightly by beat: expired sessions otherwise pile up in the database."""
    services.clear_expired_sessions()
