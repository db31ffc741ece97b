"""Celery tasks of the virtual printer."""

from celery import shared_task

from printer import services


@shared_task(acks_late=True)
def expire_print_jobs() -> int:
    """Every hour: delete the print jobs past their expiry, with their files."""
    return services.expire_jobs()
