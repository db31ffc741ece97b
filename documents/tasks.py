"""Celery tasks of the documents app: sendings held while the antivirus could not scan them."""

from celery import shared_task

from documents import services


@shared_task(acks_late=True)
def release_held_dispatch(dispatch_id: int) -> str:
    """Scan a held sending again; send it when clean, refuse it on a virus. Idempotent."""
    return services.release_held_dispatch(dispatch_id=dispatch_id)


@shared_task(acks_late=True)
def sweep_held_dispatches() -> int:
    """Every minute: once clamd answers again, retry the sendings still held."""
    return services.sweep_held_dispatches()
