"""The Celery workers of production, as the arguments of ``celery -A portal worker``.

One definition for docker-compose.yml, ``make worker``, the benchmark and the tests
(tests/test_deployment.py checks the compose file against it).

- **tasks**: the default queue (documents, antivirus, sweeps, sessions), prefork, one process
  per core: that work uses the CPU.
- **outbox**: the outbox's two queues, the urgent one first, on a pool of threads.

Why threads for the outbox. A send is one call to Twilio (100 to 400 ms) or to the SMTP server
around a few milliseconds of work: it waits. A prefork process waits for each call in turn, so
2 processes at 200 ms send about 10 SMS per second. A thread pool keeps ``OUTBOX_THREADS`` calls
in flight per process: at 200 ms, 32 threads send up to about 150 SMS/s per process, 300 for
two, as long as the CPU follows (about 5 ms of it per SMS in the worker: Celery, three UPDATEs,
the twilio client). ``make bench`` measures it (rows "outbox SMS"; bench/README.md). Threads
rather than gevent: no new dependency, no monkey-patching of psycopg, the Redis client or
``requests``. A batched task (one task sending many rows concurrently) was the other way: it
helps bulk sends only, since a login code is one row per transaction, and a worker dying in
the middle of a batch would leave every row of the batch of unknown fate.

What threads change, and how it is handled:

- **Database connections**: Django holds one per thread. ``CONN_MAX_AGE`` (60 s) keeps it
  between tasks and ``portal/celery.py`` drops a broken or old one around each task; threads
  are started on demand, so a worker holds as many connections as it ever ran sends at once,
  at most ``OUTBOX_THREADS``. Count per host: 2 outbox processes x 32 = 64, plus the web
  workers (``WEB_CONCURRENCY``, one each), the tasks worker (one per process) and beat (one).
  PostgreSQL's default ``max_connections`` is 100: 2 outbox workers fit beside a web of 4 and a
  tasks worker of 2 (71); a third outbox replica or more web workers need ``max_connections``
  raised (each idle connection costs a few MB) or PgBouncer in transaction mode.
- **Twilio**: one client, hence one ``requests`` session and one kept-alive connection, per
  thread (``notifications.backends.sms.TwilioBackend``).
- **Time limits**: Celery enforces ``CELERY_TASK_TIME_LIMIT`` only in prefork. A send is bounded
  by ``TWILIO_TIMEOUT`` and ``EMAIL_TIMEOUT`` (10 s), and a thread stalled longer than the
  sweeper's threshold cannot send twice: it calls the provider only if its claim still holds
  (``notifications.services.sending``).
- **Codes first**: the urgent queue comes first in ``--queues`` and the broker takes queues in
  that order (``queue_order_strategy: priority`` in ``CELERY_BROKER_TRANSPORT_OPTIONS``), so a
  code is the next task a thread takes, whatever number of alerts are queued behind it.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Sends in flight per outbox process; see the docstring for the connections it costs.
OUTBOX_THREADS = 32


def outbox_worker_arguments(*, queues: tuple[str, str] | None = None) -> list[str]:
    """``celery -A portal worker`` arguments of an outbox worker; ``queues`` (urgent, other)
    default to the settings' (the benchmark and the tests pass their own names)."""
    if queues is None:
        from django.conf import settings

        queues = (settings.NOTIFICATIONS_URGENT_QUEUE, settings.NOTIFICATIONS_QUEUE)
    return ["--pool=threads", f"--concurrency={OUTBOX_THREADS}", f"--queues={','.join(queues)}"]


def tasks_worker_arguments() -> list[str]:
    """``celery -A portal worker`` arguments of the worker of every other task (prefork)."""
    from django.conf import settings

    return [f"--queues={getattr(settings, 'CELERY_TASK_DEFAULT_QUEUE', 'celery')}"]


if __name__ == "__main__":  # scripts/worker: one argument a line
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    arguments = {"outbox": outbox_worker_arguments, "tasks": tasks_worker_arguments}
    if kind not in arguments:
        sys.exit("usage: python -m portal.workers outbox|tasks")
    print("\n".join(arguments[kind]()))
