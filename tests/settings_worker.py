"""Settings of the Celery worker processes started by the tests.

Those processes cannot share the test process's in-memory backends: emails go to the dev
outbox table (the test reads it from the database) and the SMS backend may be a test class.
Tasks they enqueue themselves go to the test's own queue, which they consume.
"""

import os

from portal.settings import *  # noqa: F403

SMS_BACKEND = os.environ.get("TEST_SMS_BACKEND", SMS_BACKEND)  # noqa: F405
MAILERS = {"default": {"BACKEND": "notifications.backends.email.OutboxEmailBackend"}}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
# The outbox's queues: the test's own queue too, unless the test names them.
NOTIFICATIONS_QUEUE = os.environ.get("TEST_NOTIFICATIONS_QUEUE", CELERY_TASK_DEFAULT_QUEUE)
NOTIFICATIONS_URGENT_QUEUE = os.environ.get(
    "TEST_NOTIFICATIONS_URGENT_QUEUE", CELERY_TASK_DEFAULT_QUEUE
)
