"""Settings of the Celery worker processes started by the tests.

Those processes cannot share the test process's in-memory backends: emails go to the dev
outbox table (the test reads it from the database) and the SMS backend may be a test class.
"""

import os

from portal.settings import *  # noqa: F403

SMS_BACKEND = os.environ.get("TEST_SMS_BACKEND", SMS_BACKEND)  # noqa: F405
MAILERS = {"default": {"BACKEND": "notifications.backends.email.OutboxEmailBackend"}}
