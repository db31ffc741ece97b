"""Web replicas behind a load balancer, on one machine: what a second gunicorn instance brings.

``docs/capacity.md`` says the web processes scale out: several replicas behind a load balancer,
all their state in PostgreSQL, Redis and the storage. This measures it on the machine we have:
the login page (``GET /connexion/``: a template, a CSRF cookie, no database write) under wrk
(2 threads, 16 connections, 10 s after 2 s of warm-up), production settings, in four setups:

* one gunicorn instance of 2 sync workers, wrk straight at it (the ``http`` benchmark's setup);
* the same instance behind haproxy (round robin, HTTP mode): the cost of the proxy;
* two instances of 2 workers each behind the same haproxy: twice the processes;
* two instances of 1 worker each behind haproxy: as many processes as the first setup, spread.

The caveat is the point: every process here shares the same 2 cores (wrk and haproxy too), so a
second instance cannot add CPU; the ratio of the two-instance setup to the one-instance setup
behind the proxy shows what replicas cost or bring when they do not add cores (about 1: nothing
is lost by the spreading, and nothing gained). On separate machines, each replica brings its
own cores: that is the claim capacity.md makes, which this row cannot show. What it can show,
and what holds on a busy shared machine where requests/s swing by a factor of 2 from one run to
the next, is the **CPU time per request** of the gunicorn processes (masters and workers, from
``/proc/<pid>/stat``) and of haproxy: if it stays the same with two instances, a request costs
the same wherever it lands, and capacity grows with the cores the replicas bring. haproxy is
installed by ``scripts/bootstrap --test`` (Debian's package).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from bench.harness import (
    BenchError,
    Context,
    OtherProcesses,
    Row,
    Server,
    WrkResult,
    benchmark,
    collectstatic,
    gunicorn,
    production_env,
    setup_django,
    wrk,
)

PATH = "/connexion/"
THREADS, CONNECTIONS, WARM_UP_S, DURATION_S = 2, 16, 2, 10

HAPROXY_CONFIG = """\
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend portal
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
{servers}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def haproxy(ctx: Context, backends: Sequence[Server], name: str) -> Iterator[Server]:
    """haproxy in the foreground, round robin over ``backends``, until the block ends."""
    executable = shutil.which("haproxy")
    if executable is None:
        raise BenchError("haproxy is not installed: `scripts/bootstrap --test` installs it")
    port = _free_port()
    servers = "\n".join(
        f"    server r{index} {backend.base_url.removeprefix('http://')}"
        for index, backend in enumerate(backends, start=1)
    )
    config = ctx.out_dir / f"{name}.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
    log_path = ctx.out_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [executable, "-f", str(config), "-db"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise BenchError(f"haproxy exited with {process.returncode}: see {log_path}")
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise BenchError(f"haproxy did not listen on {port} within 10 s")
            time.sleep(0.05)
        yield Server(base_url=f"http://127.0.0.1:{port}", pid=process.pid)
    finally:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Measure:
    result: WrkResult
    # CPU time of the gunicorn processes (masters and workers) and of haproxy, per request:
    # what a request costs, which contention on a shared machine changes much less than the
    # throughput (it is the figure docs/capacity.md multiplies).
    app_cpu_ms: float
    proxy_cpu_ms: float
    # The share of the 2 cores other processes took meanwhile: on a shared machine more
    # processes take a larger share from the others, which a ratio would take for scaling.
    others_percent: float


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process and its children (gunicorn's workers), in clock ticks."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for each in [pid, *map(int, children)]:
        raw = Path(f"/proc/{each}/stat").read_text()
        fields = raw[raw.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total


def _load(ctx: Context, target: Server, apps: Sequence[Server], setup: str) -> Measure:
    url = target.url(PATH)
    wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=WARM_UP_S)
    proxy = target.pid if target not in apps else None
    others = OtherProcesses(ctx, setup)
    app_before = sum(_cpu_ticks(app.pid) for app in apps)
    proxy_before = _cpu_ticks(proxy) if proxy else 0
    result = wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=DURATION_S)
    app_ticks = sum(_cpu_ticks(app.pid) for app in apps) - app_before
    proxy_ticks = (_cpu_ticks(proxy) - proxy_before) if proxy else 0
    if result.error_count:
        raise BenchError(f"{result.error_count} errors loading {url}: {result.errors}")
    per_request_ms = 1000 / os.sysconf("SC_CLK_TCK") / max(result.requests, 1)
    return Measure(
        result,
        app_cpu_ms=app_ticks * per_request_ms,
        proxy_cpu_ms=proxy_ticks * per_request_ms,
        others_percent=others.percent(),
    )


def _rows(label: str, measure: Measure, setup: str) -> Iterator[Row]:
    details = {
        "cpu_of_other_processes_percent": measure.others_percent,
        **measure.result.as_json(),
        "app_cpu_ms_per_request": round(measure.app_cpu_ms, 3),
        "proxy_cpu_ms_per_request": round(measure.proxy_cpu_ms, 3),
        "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s",
        "setup": setup,
    }
    yield Row(label, "requests/s", measure.result.rps, "req/s", details=details)
    yield Row(label, "p95 latency", measure.result.p95_ms, "ms", details=details)
    yield Row(label, "gunicorn CPU per request", measure.app_cpu_ms, "ms", details=details)
    if measure.proxy_cpu_ms:
        yield Row(label, "haproxy CPU per request", measure.proxy_cpu_ms, "ms", details=details)


@benchmark("replicas", budget_s=150)
def replicas(ctx: Context) -> Iterator[Row]:
    """Login page: one gunicorn instance against two behind haproxy, on the same 2 cores."""
    setup_django()
    env = production_env(ctx)
    collectstatic(ctx, env)
    results: dict[str, Measure] = {}
    with gunicorn(ctx, env, workers=2, name="gunicorn-replica-a") as first:
        status, body = first.get(PATH)
        if status != 200 or b'name="csrfmiddlewaretoken"' not in body:
            raise BenchError(f"{PATH} answered {status}, not the login page")
        label = "1 instance x 2 workers, direct"
        results["direct"] = _load(ctx, first, [first], label)
        yield from _rows(label, results["direct"], "no proxy")
        with haproxy(ctx, [first], "haproxy-one") as proxy:
            label = "1 instance x 2 workers, behind haproxy"
            results["one"] = _load(ctx, proxy, [first], label)
        yield from _rows(label, results["one"], "haproxy")
        with (
            gunicorn(ctx, env, workers=2, name="gunicorn-replica-b") as second,
            haproxy(ctx, [first, second], "haproxy-two") as proxy,
        ):
            label = "2 instances x 2 workers, behind haproxy"
            results["two"] = _load(ctx, proxy, [first, second], label)
        yield from _rows(label, results["two"], "haproxy")
    with ExitStack() as stack:
        singles = [
            stack.enter_context(gunicorn(ctx, env, workers=1, name=f"gunicorn-single-{index}"))
            for index in (1, 2)
        ]
        proxy = stack.enter_context(haproxy(ctx, singles, "haproxy-singles"))
        label = "2 instances x 1 worker, behind haproxy"
        results["singles"] = _load(ctx, proxy, singles, label)
    yield from _rows(label, results["singles"], "haproxy")
    summary = {
        key: {
            "rps": round(value.result.rps, 1),
            "app_cpu_ms": round(value.app_cpu_ms, 2),
            "others_percent": value.others_percent,
        }
        for key, value in results.items()
    }
    yield Row(
        "2 instances / 1 instance behind haproxy (same 2 cores)",
        "requests/s ratio",
        results["two"].result.rps / results["one"].result.rps,
        "x",
        details={"setups": summary, "cores": 2},
    )
    yield Row(
        "2 instances / 1 instance behind haproxy (same 2 cores)",
        "gunicorn CPU per request ratio",
        results["two"].app_cpu_ms / results["one"].app_cpu_ms,
        "x",
        details={"setups": summary, "cores": 2},
    )
    yield Row(
        "haproxy / direct, 1 instance",
        "requests/s ratio (cost of the proxy)",
        results["one"].result.rps / results["direct"].result.rps,
        "x",
        details={"setups": summary},
    )
