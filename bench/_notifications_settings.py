"""Settings of the processes of the ``notifications`` benchmark (bench/notifications.py).

The portal's own settings, read from the environment the benchmark gives (production shape,
PostgreSQL ``portal_bench``, Redis db 13, SMS through the real ``TwilioBackend`` pointed at the
local fake by ``TWILIO_API_BASE``), with two changes of behaviour:

- **Celery queues of its own** (``BENCH_NOTIFICATIONS_QUEUE``, and
  ``BENCH_NOTIFICATIONS_URGENT_QUEUE`` for codes): tasks published by the benchmark go there,
  and its workers consume only those queues, so a developer's worker running on the same Redis
  cannot take (and send) them, and the benchmark's workers cannot take anyone else's.
- **Emails to Django's dummy backend.** Production's SMTP backend needs a mail server (none
  here: every email would time out and be retried), and the development default writes every
  email to the ``DevMessage`` table: database writes production does not do, which would be
  counted in the outbox's cost. ``locmem`` would keep every message in the memory of a
  long-running worker, where the benchmark cannot read it anyway. The dummy backend discards the
  message at no cost: the email path of the outbox (claim, build, send, mark SENT) still runs in
  full. The SMS rows of the benchmark measure the real provider path.

Its PostgreSQL connections are named ``bench-notifications`` (``application_name``), so that
the benchmark tells the database work it causes from other clients' (a test run at the same
time).

A module of bench/ rather than tests/settings_worker.py: that one serves the tests (emails to
the DevMessage table, test SMS backends) and changes with them. Its name starts with ``_`` so
that ``python -m bench`` does not import it as a benchmark.
"""

import os

from portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_NOTIFICATIONS_QUEUE", "bench-notifications")
NOTIFICATIONS_QUEUE = CELERY_TASK_DEFAULT_QUEUE
NOTIFICATIONS_URGENT_QUEUE = os.environ.get(
    "BENCH_NOTIFICATIONS_URGENT_QUEUE", f"{CELERY_TASK_DEFAULT_QUEUE}-urgent"
)
DATABASES["default"]["OPTIONS"] = {  # noqa: F405
    **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
    "application_name": "bench-notifications",
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend", "OPTIONS": {}}}
