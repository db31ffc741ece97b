"""The Celery application: configuration comes from Django settings prefixed ``CELERY_``."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task: object = None, **kwargs: object) -> None:
    # With CELERY_DB_REUSE_MAX, connections live across tasks: drop the broken or too old ones.
    # Not for tasks run in-process: they share the caller's connection and transaction.
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
