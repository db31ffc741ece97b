"""The notification outbox end to end: Redis, Celery workers, the real Twilio client, a fake Twilio.

The fake answers each Messages request after 200 ms, plus or minus 100 ms (uniform): the real
API takes 100 to 400 ms (``BENCH_TWILIO_LATENCY_MS`` and ``BENCH_TWILIO_JITTER_MS`` change it).
The workers are the production ones (``portal/workers.py``): 2 outbox worker processes, each a
pool of threads consuming the urgent queue first. ``BENCH_NOTIFICATIONS_POOL=prefork`` runs the
previous shape instead, one worker with a prefork pool of 2 processes, to compare.

Four measures, in this order:

1. throughput: 3,000 SMS queued in committed transactions of 100 while the workers run, from the
   first commit to the last row SENT; then every message is checked at the fake provider;
2. codes behind a burst: 3,000 alerts queued by 100 while the workers do not take alerts
   (Celery's ``cancel_consumer``), then taken again, and one urgent code per transaction at 10/s
   for 3 s, the backlog topped up to 3,000 between codes: commit to ``sent_at`` of each code;
3. latency: one SMS per transaction at a steady 50/s for 20 s, commit to ``sent_at``;
4. the outbox's cost to the caller, in this process: ``queue_sms()`` inside an open transaction,
   and the enqueue that ``transaction.on_commit`` adds to the commit (workers stopped).

The workers and the fake provider are processes of their own, stopped on the way out whatever
happens. The workers use ``bench/_notifications_settings.py`` (its docstring says why), and so
does this process, once Django is set up in it for measures 1 to 3.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

from bench.harness import (
    BenchError,
    Context,
    OtherProcesses,
    Row,
    at_least,
    at_most,
    benchmark,
    percentile,
    production_env,
)

SETTINGS_MODULE = "bench._notifications_settings"
# Queues no developer's worker listens to; the bench settings send alerts to the first, codes to
# the second (as NOTIFICATIONS_QUEUE and NOTIFICATIONS_URGENT_QUEUE).
QUEUE = "bench-notifications"
URGENT_QUEUE = f"{QUEUE}-urgent"
# "outbox": 2 outbox workers as production runs them (portal/workers.py, docker-compose.yml's
# outbox service with 2 replicas). "prefork": one worker with a prefork pool of 2 processes (the
# shape before the outbox worker); "solo": 2 solo workers.
POOL = os.environ.get("BENCH_NOTIFICATIONS_POOL", "outbox")
CONCURRENCY = 2
TWILIO_LATENCY_MS = float(os.environ.get("BENCH_TWILIO_LATENCY_MS", "200"))
TWILIO_JITTER_MS = float(os.environ.get("BENCH_TWILIO_JITTER_MS", "100"))

ACCOUNT_SID = "AC" + "be7c4" * 6 + "00"
AUTH_TOKEN = "bench-fake-twilio-token"  # noqa: S105 - the fake's, on 127.0.0.1 only
TWILIO_FROM = "MaSante"

# Smaller counts (BENCH_NOTIFICATIONS_COUNT) make a run of the prefork shape at 200 ms, which
# sends about 10 SMS/s, last minutes rather than an hour.
THROUGHPUT_COUNT = int(os.environ.get("BENCH_NOTIFICATIONS_COUNT", "3000"))
THROUGHPUT_BATCH = 100
BACKLOG = THROUGHPUT_COUNT  # alerts waiting when the codes are queued
CODE_RATE = 10  # codes per second
CODE_SECONDS = 3
LATENCY_RATE = 50  # notifications per second
LATENCY_SECONDS = 20
COST_WARM_UP = 50
COST_SAMPLES = 500
DRAIN_TIMEOUT_S = 40.0  # the last row SENT must come within this after the last commit

PURPOSE = "document_available"
TEMPLATE = "document_available"


@benchmark("notifications", budget_s=180)
def notifications(ctx: Context) -> Iterator[Row]:
    """Notification outbox: SMS/s, commit-to-sent latency, cost in the caller's transaction."""
    from tests.notifications.fake_twilio import FakeTwilioProcess

    run = f"{int(time.time())}"
    with ExitStack() as stack:
        fake = stack.enter_context(
            FakeTwilioProcess(
                ACCOUNT_SID,
                AUTH_TOKEN,
                lifetime=300.0,
                startup_timeout=15.0,
                latency=TWILIO_LATENCY_MS / 1000,
                jitter=TWILIO_JITTER_MS / 1000,
            )
        )
        env = _environment(ctx, fake.base_url)
        _setup_django(env)
        stack.callback(_close_connections)
        _clean(fake)
        # On the way out, even interrupted: no row and no task left, once the workers stopped.
        stack.callback(_clean_quietly, fake)
        workers = ExitStack()
        stack.enter_context(workers)
        ctx.log(f"notifications: starting {_pool_description()} on {URGENT_QUEUE},{QUEUE}")
        started = time.monotonic()
        for index, arguments in enumerate(_worker_arguments()):
            workers.enter_context(_celery_worker(ctx, env, arguments, index))
        ctx.log(f"notifications: workers ready in {time.monotonic() - started:.1f} s; warm-up")
        _warm_up(fake, run)
        _clean(fake)

        ctx.log(f"notifications: throughput, {THROUGHPUT_COUNT} SMS by {THROUGHPUT_BATCH}")
        yield from _throughput(ctx, fake, run)
        _clean(fake)

        ctx.log(f"notifications: drain, {THROUGHPUT_COUNT} SMS queued while no worker takes them")
        yield from _drain(ctx, fake, run)
        _clean(fake)

        ctx.log(f"notifications: codes at {CODE_RATE}/s behind {BACKLOG} queued alerts")
        yield from _codes_behind_alerts(ctx, fake, run)
        _clean(fake)

        ctx.log(f"notifications: latency, {LATENCY_RATE} SMS/s for {LATENCY_SECONDS} s")
        yield from _latency(ctx, fake, run)

        workers.close()  # the caller's cost is measured alone: no worker competes for the CPU
        _clean(fake)
        ctx.log(f"notifications: cost in the caller, {COST_SAMPLES} samples (workers stopped)")
        yield from _cost(ctx, run)


# --- Processes ---------------------------------------------------------------------------------
def _pool_description() -> str:
    from portal.workers import OUTBOX_THREADS

    if POOL == "solo":
        return f"{CONCURRENCY} solo Celery workers"
    if POOL == "outbox":
        return f"{CONCURRENCY} outbox workers (threads pool of {OUTBOX_THREADS} each)"
    return f"1 Celery worker, prefork pool of {CONCURRENCY} processes"


def _worker_arguments() -> list[list[str]]:
    """The arguments of each worker process to start, after ``celery -A portal worker``."""
    from portal.workers import outbox_worker_arguments

    queues = f"--queues={URGENT_QUEUE},{QUEUE}"
    if POOL == "outbox":
        return [outbox_worker_arguments(queues=(URGENT_QUEUE, QUEUE))] * CONCURRENCY
    if POOL == "solo":
        return [["--pool=solo", queues]] * CONCURRENCY
    return [["--pool=prefork", f"--concurrency={CONCURRENCY}", queues]]


def _environment(ctx: Context, fake_url: str) -> dict[str, str]:
    """Production settings, the bench queues, SMS through the real client to the fake."""
    if POOL not in {"outbox", "prefork", "solo"}:
        raise BenchError(f"BENCH_NOTIFICATIONS_POOL must be outbox, prefork or solo: {POOL!r}")
    return production_env(
        ctx,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        BENCH_NOTIFICATIONS_QUEUE=QUEUE,
        BENCH_NOTIFICATIONS_URGENT_QUEUE=URGENT_QUEUE,
        CELERY_TASK_ALWAYS_EAGER="false",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=TWILIO_FROM,
        TWILIO_MESSAGING_SERVICE_SID="",
        TWILIO_API_BASE=fake_url,
    )


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the benchmark dies, even by SIGKILL (Linux)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def _celery_worker(
    ctx: Context, env: dict[str, str], arguments: list[str], index: int
) -> Iterator[subprocess.Popen[bytes]]:
    """One `celery worker` on the bench queues, ready when it logs "ready."; stopped on exit.

    Its own process group: SIGTERM (warm shutdown) then SIGKILL go to the consumer and its pool.
    """
    log_path = ctx.out_dir / f"celery-notifications-{index}.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        *arguments,
        "--loglevel=INFO",
        "-n",
        f"{QUEUE}-{index}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ctx.base_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes():
            if process.poll() is not None:
                raise BenchError(f"celery worker exited ({process.returncode}):\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                raise BenchError(f"celery worker not ready within 60 s:\n{_tail(log_path)}")
            time.sleep(0.1)
        yield process
    finally:
        _stop_group(process, grace_s=20.0)


def _stop_group(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM to the worker's group (warm shutdown), SIGKILL to whatever remains after."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # pool processes that outlived their parent
    process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- Django in this process --------------------------------------------------------------------
def _setup_django(env: dict[str, str]) -> None:
    """Django with the workers' settings; the environment of this process is left as it was."""
    import django
    from django.conf import settings

    if settings.configured:
        if getattr(settings, "SETTINGS_MODULE", None) != SETTINGS_MODULE:
            raise BenchError("Django is already set up in this process with other settings")
        return
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        django.setup()
        from django.db import connection

        if connection.vendor != "postgresql":
            raise BenchError("the notifications benchmark needs PostgreSQL: run scripts/bench")
        from notifications.tasks import send_notification

        if send_notification.app.conf.task_always_eager:
            raise BenchError("Celery tasks are eager: REDIS_URL is not set, run scripts/bench")
        from django.conf import settings

        queues = (settings.NOTIFICATIONS_URGENT_QUEUE, settings.NOTIFICATIONS_QUEUE)
        if send_notification.app.conf.task_default_queue != QUEUE or queues != (
            URGENT_QUEUE,
            QUEUE,
        ):
            raise BenchError(f"tasks would go to {queues}, not to the bench's queues")
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('notifications_notification') IS NOT NULL")
            if not cursor.fetchone()[0]:
                raise BenchError(
                    "portal_bench has no notifications_notification table: its notifications "
                    "migration predates the outbox (recreate the database: dropdb portal_bench)"
                )
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _clean_quietly(fake: Any) -> None:
    with suppress(Exception):  # an error here must not hide the one that stopped the run
        _clean(fake)


def _clean(fake: Any) -> None:
    """No row, no queued task, nothing recorded by the fake: each measure starts from zero."""
    from django.db import connection, transaction

    from portal.celery import app

    with transaction.atomic(), connection.cursor() as cursor:
        # Fail rather than wait behind another transaction holding the table.
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        # No RESTART IDENTITY: a task left by an interrupted run then finds no row to send.
        cursor.execute("TRUNCATE notifications_notification")
    with app.connection_for_write() as broker:
        for queue in (QUEUE, URGENT_QUEUE):
            broker.default_channel.queue_purge(queue)
    fake.reset()


# --- Queueing ----------------------------------------------------------------------------------
def _mobile(index: int) -> str:
    """A distinct valid French mobile number per notification of a measure."""
    return f"+3361{index:07d}"


def _queue(run: str, label: str, index: int) -> Any:
    from notifications import services

    return services.queue_sms(
        purpose=PURPOSE,
        object_key=f"bench-{run}-{label}-{index}",
        to=_mobile(index),
        template=TEMPLATE,
    )


def _code_mobile(index: int) -> str:
    return f"+3362{index:07d}"


def _queue_code(run: str, index: int) -> Any:
    """A login code, as portal.services.challenges queues it."""
    from notifications import services

    return services.queue_sms(
        purpose="one_time_code",
        object_key=f"bench-{run}-code-{index}",
        to=_code_mobile(index),
        template="one_time_code",
        context={"code": f"{index:06d}", "minutes": 10},
        redact=True,
        urgent=True,
    )


def _on_commit_stamp(marks: dict[str, float], key: str, clock: Callable[[], float]) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: marks.__setitem__(key, clock()))


FINAL_FAILURES = ("failed", "unknown")


def _wait_sent(expected: int, timeout_s: float) -> dict[str, int]:
    """Poll the database until ``expected`` rows are done (SENT, or failed for good), or until
    no row was sent for ``timeout_s``; the count of rows by status."""
    from django.db.models import Count

    from notifications.models import Notification

    last_progress, last_sent = time.monotonic(), -1
    while True:
        counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
        sent = counts.get(Notification.Status.SENT, 0)
        done = sent + sum(counts.get(status, 0) for status in FINAL_FAILURES)
        if done >= expected:
            return counts
        if sent != last_sent:
            last_progress, last_sent = time.monotonic(), sent
        elif time.monotonic() - last_progress > timeout_s:
            return counts
        time.sleep(0.1)  # the end time comes from sent_at, not from this poll


def _check_delivery(fake: Any, expected: dict[str, int]) -> dict[str, Any]:
    """Compare what reached the fake provider with the rows queued (recipient → row id).

    Returns the counts of lost messages (queued, never received), duplicates (received more
    than once), strays (not ours) and rows whose provider id is not the message received.
    """
    from notifications.models import Notification

    messages = fake.messages
    by_recipient: dict[str, list[str]] = {}
    for message in messages:
        by_recipient.setdefault(message["to"], []).append(message["sid"])
    provider_ids = dict(
        Notification.objects.filter(pk__in=expected.values()).values_list("pk", "provider_id")
    )
    lost = sum(1 for to in expected if to not in by_recipient)
    duplicates = sum(len(sids) - 1 for to, sids in by_recipient.items() if to in expected)
    strays = sum(len(sids) for to, sids in by_recipient.items() if to not in expected)
    mismatched = sum(
        1
        for to, pk in expected.items()
        if to in by_recipient and provider_ids.get(pk) not in by_recipient[to]
    )
    return {
        "queued": len(expected),
        "received": len(messages),
        "lost": lost,
        "duplicates": duplicates,
        "strays": strays,
        "provider_id_mismatches": mismatched,
        "bad": lost + duplicates + strays + mismatched,
    }


APPLICATION_NAME = "bench-notifications"  # of our PostgreSQL connections (bench settings)


def _row_stats() -> dict[str, Any]:
    from django.db.models import Count, Max

    from notifications.models import Notification

    stats = Notification.objects.aggregate(max_attempts=Max("attempts"), rows=Count("pk"))
    stats["statuses"] = dict(
        Notification.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    return stats


def _warm_up(fake: Any, run: str) -> None:
    """SMS and one email through every worker thread: connections, imports, caches."""
    from django.db import transaction

    from notifications import services
    from notifications.models import Notification
    from portal.workers import OUTBOX_THREADS

    count = 2 * CONCURRENCY * OUTBOX_THREADS
    with transaction.atomic():
        queued = {_mobile(i): _queue(run, "warm", i).pk for i in range(count)}
        services.queue_email(
            purpose=PURPOSE,
            object_key=f"bench-{run}-warm",
            to="patient@example.org",
            template=TEMPLATE,
        )
    counts = _wait_sent(count + 1, timeout_s=30)
    if counts.get(Notification.Status.SENT, 0) != count + 1:
        raise BenchError(f"warm-up: {counts} instead of {count + 1} rows sent; see celery logs")
    check = _check_delivery(fake, queued)
    if check["bad"]:
        raise BenchError(f"warm-up: the fake provider got the wrong messages: {check}")


# --- 1. Throughput -----------------------------------------------------------------------------
def _throughput(ctx: Context, fake: Any, run: str) -> Iterator[Row]:
    from django.db import transaction
    from django.db.models import Max

    from notifications.models import Notification

    label = f"outbox SMS, {THROUGHPUT_COUNT} in batches of {THROUGHPUT_BATCH}"
    queued: dict[str, int] = {}
    commits: list[float] = []
    others = OtherProcesses(ctx, "the throughput measure", our_application_name=APPLICATION_NAME)
    queue_started = time.monotonic()
    for start in range(0, THROUGHPUT_COUNT, THROUGHPUT_BATCH):
        marks: dict[str, float] = {}
        with transaction.atomic():
            _on_commit_stamp(marks, "committed", time.time)
            for index in range(start, min(start + THROUGHPUT_BATCH, THROUGHPUT_COUNT)):
                queued[_mobile(index)] = _queue(run, "throughput", index).pk
        commits.append(marks["committed"])
    queue_seconds = time.monotonic() - queue_started

    counts = _wait_sent(THROUGHPUT_COUNT, timeout_s=DRAIN_TIMEOUT_S)
    sent = counts.get(Notification.Status.SENT, 0)
    last_sent = Notification.objects.aggregate(last=Max("sent_at"))["last"]
    end = last_sent.timestamp() if sent == THROUGHPUT_COUNT and last_sent else time.time()
    elapsed = end - commits[0]
    rate = sent / elapsed if elapsed > 0 else 0.0
    check = _check_delivery(fake, queued)
    details = {
        "count": THROUGHPUT_COUNT,
        "batch": THROUGHPUT_BATCH,
        "sent": sent,
        "seconds_first_commit_to_last_sent": round(elapsed, 3),
        "seconds_to_queue_all": round(queue_seconds, 3),
        "queue_rate_per_s": round(THROUGHPUT_COUNT / queue_seconds, 1),
        "workers": _pool_description(),
        "cpu_of_other_processes_percent": others.percent(),
        "rows": _row_stats(),
        "delivery": check,
    }
    yield Row(label, "throughput", rate, "SMS/s", at_least(200), details)
    yield Row(label, "lost or duplicated", check["bad"], "SMS", at_most(0), check)


# --- 1b. Drain: the workers alone ---------------------------------------------------------------
def _drain(ctx: Context, fake: Any, run: str) -> Iterator[Row]:
    """What the workers send when the queueing is not in the way: THROUGHPUT_COUNT alerts wait
    in the queue, then the workers take them; from that moment to the last ``sent_at``."""
    from django.db.models import Max

    from notifications.models import Notification

    label = f"outbox SMS, {THROUGHPUT_COUNT} queued beforehand"
    queued: dict[str, int] = {}
    _consume_alerts(False)
    try:
        for start in range(0, THROUGHPUT_COUNT, THROUGHPUT_BATCH):
            _queue_alerts(run, start, THROUGHPUT_BATCH, queued)
        others = OtherProcesses(ctx, "the drain measure", our_application_name=APPLICATION_NAME)
    finally:
        started = time.time()
        _consume_alerts(True)
    counts = _wait_sent(THROUGHPUT_COUNT, timeout_s=DRAIN_TIMEOUT_S)
    sent = counts.get(Notification.Status.SENT, 0)
    last_sent = Notification.objects.aggregate(last=Max("sent_at"))["last"]
    end = last_sent.timestamp() if sent == THROUGHPUT_COUNT and last_sent else time.time()
    check = _check_delivery(fake, queued)
    details = {
        "count": THROUGHPUT_COUNT,
        "sent": sent,
        "seconds_consumers_back_to_last_sent": round(end - started, 3),
        "workers": _pool_description(),
        "cpu_of_other_processes_percent": others.percent(),
        "rows": _row_stats(),
        "delivery": check,
    }
    rate = sent / (end - started) if end > started else 0.0
    yield Row(label, "drain rate (workers only)", rate, "SMS/s", None, details)
    yield Row(label, "lost or duplicated", check["bad"], "SMS", at_most(0), check)


# --- 2. Codes behind a burst of alerts --------------------------------------------------------
def _pending_alerts() -> int:
    from notifications.models import Notification

    return Notification.objects.filter(status=Notification.Status.PENDING, urgent=False).count()


def _queue_alerts(run: str, start: int, count: int, queued: dict[str, int]) -> int:
    from django.db import transaction

    with transaction.atomic():
        for index in range(start, start + count):
            queued[_mobile(index)] = _queue(run, "burst", index).pk
    return start + count


def _consume_alerts(consume: bool) -> None:
    """Every bench worker stops (or starts again) taking from the alerts' queue."""
    from portal.celery import app

    command = app.control.add_consumer if consume else app.control.cancel_consumer
    replies = command(QUEUE, reply=True, timeout=5.0)
    if len(replies) != len(_worker_arguments()):
        raise BenchError(f"{command.__name__}: {len(replies)} workers answered: {replies}")


def _codes_behind_alerts(ctx: Context, fake: Any, run: str) -> Iterator[Row]:
    """BACKLOG alerts wait; then a code every 1/CODE_RATE s, the backlog topped up to BACKLOG by
    more alerts between codes. Each code's commit to sent_at."""
    from django.db import transaction

    from notifications.models import Notification

    label = f"login codes at {CODE_RATE}/s while {BACKLOG} alerts wait"
    queued: dict[str, int] = {}
    alerts = 0
    _consume_alerts(False)
    try:
        while alerts < BACKLOG:
            alerts = _queue_alerts(run, alerts, THROUGHPUT_BATCH, queued)
    finally:
        _consume_alerts(True)  # after the urgent queue: add_consumer appends
    committed_at: dict[int, float] = {}
    backlog: list[int] = []
    others = OtherProcesses(ctx, "the codes measure", our_application_name=APPLICATION_NAME)
    start = time.monotonic() + 0.05
    for index in range(CODE_RATE * CODE_SECONDS):
        due = start + index / CODE_RATE
        # Between two codes, top the backlog up (batches of 25 alerts) while there is time.
        while due - time.monotonic() > 0.06 and _pending_alerts() < BACKLOG:
            alerts = _queue_alerts(run, alerts, 25, queued)
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        marks: dict[str, float] = {}
        with transaction.atomic():
            _on_commit_stamp(marks, "committed", time.time)
            code = _queue_code(run, index)
        committed_at[code.pk] = marks["committed"]
        queued[_code_mobile(index)] = code.pk
        backlog.append(_pending_alerts())

    _wait_sent(len(queued), timeout_s=DRAIN_TIMEOUT_S)
    sent_at = dict(
        Notification.objects.filter(
            pk__in=committed_at, status=Notification.Status.SENT
        ).values_list("pk", "sent_at")
    )
    latencies_ms = [
        (sent_at[pk].timestamp() - committed) * 1000
        for pk, committed in committed_at.items()
        if sent_at.get(pk) is not None
    ]
    if not latencies_ms:
        raise BenchError("codes: no code was sent")
    check = _check_delivery(fake, queued)
    details = {
        "codes": len(committed_at),
        "codes_sent": len(latencies_ms),
        "alerts_queued": alerts,
        "alerts_waiting_at_each_code": {
            "min": min(backlog),
            "p50": percentile(backlog, 50),
            "max": max(backlog),
        },
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "max_ms": max(latencies_ms),
        "workers": _pool_description(),
        "cpu_of_other_processes_percent": others.percent(),
        "rows": _row_stats(),
        "delivery": check,
    }
    if len(latencies_ms) < len(committed_at):  # a code never sent counts as late
        latencies_ms += [DRAIN_TIMEOUT_S * 1000] * (len(committed_at) - len(latencies_ms))
    yield Row(label, "code commit to sent p50", percentile(latencies_ms, 50), "ms", None, details)
    yield Row(
        label, "code commit to sent p95", percentile(latencies_ms, 95), "ms", at_most(1000), details
    )
    yield Row(label, "lost or duplicated", check["bad"], "SMS", at_most(0), check)


# --- 3. Latency --------------------------------------------------------------------------------
def _latency(ctx: Context, fake: Any, run: str) -> Iterator[Row]:
    from django.db import transaction

    from notifications.models import Notification

    label = f"outbox SMS at {LATENCY_RATE}/s for {LATENCY_SECONDS} s"
    total = LATENCY_RATE * LATENCY_SECONDS
    committed_at: dict[int, float] = {}
    queued: dict[str, int] = {}
    behind = 0
    others = OtherProcesses(ctx, "the latency measure", our_application_name=APPLICATION_NAME)
    start = time.monotonic() + 0.05
    for index in range(total):
        # Open loop: each one at its time, whatever the previous ones took.
        delay = start + index / LATENCY_RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -0.01:
            behind += 1
        marks: dict[str, float] = {}
        with transaction.atomic():
            _on_commit_stamp(marks, "committed", time.time)
            notification = _queue(run, "latency", index)
        committed_at[notification.pk] = marks["committed"]
        queued[_mobile(index)] = notification.pk
    achieved = total / (time.monotonic() - start)

    counts = _wait_sent(total, timeout_s=DRAIN_TIMEOUT_S)
    sent_at = dict(
        Notification.objects.filter(status=Notification.Status.SENT).values_list("pk", "sent_at")
    )
    latencies_ms = [
        (sent_at[pk].timestamp() - committed) * 1000
        for pk, committed in committed_at.items()
        if sent_at.get(pk) is not None
    ]
    if not latencies_ms:
        raise BenchError(f"latency: no notification was sent ({counts})")
    check = _check_delivery(fake, queued)
    details = {
        "count": total,
        "sent": len(latencies_ms),
        "rate_target_per_s": LATENCY_RATE,
        "rate_achieved_per_s": round(achieved, 1),
        "late_submissions": behind,
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "p99_ms": percentile(latencies_ms, 99),
        "max_ms": max(latencies_ms),
        "workers": _pool_description(),
        "cpu_of_other_processes_percent": others.percent(),
        "rows": _row_stats(),
        "delivery": check,
    }
    measure = "commit to sent"
    yield Row(label, f"{measure} p50", details["p50_ms"], "ms", None, details)
    yield Row(label, f"{measure} p95", details["p95_ms"], "ms", at_most(1000), details)
    yield Row(label, f"{measure} p99", details["p99_ms"], "ms", None, details)
    yield Row(label, "lost or duplicated", check["bad"], "SMS", at_most(0), check)


# --- 4. Cost in the caller's transaction -------------------------------------------------------
def _cost(ctx: Context, run: str) -> Iterator[Row]:
    """Per notification: queue_sms() in an open transaction; the enqueue on commit.

    Each sample is two transactions, one after the other: one that queues an SMS, one that
    writes the same kind of row with the ORM and queues nothing. The difference of their commit
    times is what on_commit's enqueue adds; callbacks registered around it time it directly.

    The first transaction has begun before queue_sms() is timed: psycopg sends BEGIN, a round
    trip of its own, with a transaction's first statement, and every caller queues after its
    own change (the code's challenge, the sending's rows), which pays it. A ``SELECT 1`` stands
    for that change.
    """
    from django.db import connection, transaction

    from notifications.models import Channel, Notification

    clock = time.perf_counter
    queue_ms: list[float] = []
    enqueue_ms: list[float] = []
    commit_with_ms: list[float] = []
    commit_without_ms: list[float] = []
    total_ms: list[float] = []
    others = OtherProcesses(ctx, "the cost measure", our_application_name=APPLICATION_NAME)
    for index in range(COST_WARM_UP + COST_SAMPLES):
        marks: dict[str, float] = {}
        with transaction.atomic():
            with connection.cursor() as cursor:  # the caller's own change: BEGIN goes with it
                cursor.execute("SELECT 1")
            _on_commit_stamp(marks, "committed", clock)
            before = clock()
            _queue(run, "cost", index)
            queued = clock()
            _on_commit_stamp(marks, "enqueued", clock)
            commit_started = clock()
        commit_ended = clock()

        with transaction.atomic():
            Notification.objects.create(
                channel=Channel.SMS,
                recipient=_mobile(index),
                purpose=PURPOSE,
                object_key=f"bench-{run}-bare-{index}",
                template=TEMPLATE,
                idempotency_key=f"bench-{run}-bare-{index}",
                body="Un nouveau document est disponible.",
                status=Notification.Status.SENT,  # never sent: nothing is enqueued for it
            )
            bare_started = clock()
        bare_ended = clock()
        if index < COST_WARM_UP:
            continue
        queue_ms.append((queued - before) * 1000)
        enqueue = (marks["enqueued"] - marks["committed"]) * 1000
        enqueue_ms.append(enqueue)
        commit_with_ms.append((commit_ended - commit_started) * 1000)
        commit_without_ms.append((bare_ended - bare_started) * 1000)
        total_ms.append((queued - before) * 1000 + enqueue)

    def summary(values: list[float]) -> dict[str, float]:
        return {f"p{p}_ms": round(percentile(values, p), 4) for p in (50, 95, 99)}

    details = {
        "samples": COST_SAMPLES,
        "warm_up": COST_WARM_UP,
        "queue_sms": summary(queue_ms),
        "enqueue_on_commit_direct": summary(enqueue_ms),
        "commit_with_notification": summary(commit_with_ms),
        "commit_without_notification": summary(commit_without_ms),
        "queue_sms_plus_enqueue": summary(total_ms),
        "workers": "stopped (the tasks wait in the bench queue, purged afterwards)",
        "cpu_of_other_processes_percent": others.percent(),
    }
    label = "outbox cost in the caller's transaction"
    commit_difference = percentile(commit_with_ms, 95) - percentile(commit_without_ms, 95)
    yield Row(label, "queue_sms() p95", percentile(queue_ms, 95), "ms", None, details)
    yield Row(label, "commit with vs without, p95 diff", commit_difference, "ms", None, details)
    yield Row(label, "enqueue on commit p95", percentile(enqueue_ms, 95), "ms", None, details)
    yield Row(label, "queue_sms + enqueue p95", percentile(total_ms, 95), "ms", at_most(2), details)
