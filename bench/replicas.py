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
own cores: that is the claim capacity.md makes, which this row cannot show. haproxy is installed
by ``scripts/bootstrap --test`` (Debian's package).
"""

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress

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
def haproxy(ctx: Context, backends: Sequence[Server], name: str) -> Iterator[str]:
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
        yield f"http://127.0.0.1:{port}"
    finally:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The share of the 2 cores other processes took during each measure: on a shared machine more
# processes take a larger share from the others, which a ratio would take for scaling.
OTHERS: dict[str, float] = {}


def _load(ctx: Context, base_url: str, setup: str) -> WrkResult:
    url = base_url + PATH
    wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=WARM_UP_S)
    others = OtherProcesses(ctx, setup)
    result = wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=DURATION_S)
    OTHERS[setup] = others.percent()
    if result.error_count:
        raise BenchError(f"{result.error_count} errors loading {url}: {result.errors}")
    return result


def _rows(label: str, result: WrkResult, setup: str) -> Iterator[Row]:
    details = {
        "cpu_of_other_processes_percent": OTHERS.get(label),
        **result.as_json(),
        "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s",
        "setup": setup,
    }
    yield Row(label, "requests/s", result.rps, "req/s", details=details)
    yield Row(label, "p95 latency", result.p95_ms, "ms", details=details)


@benchmark("replicas", budget_s=150)
def replicas(ctx: Context) -> Iterator[Row]:
    """Login page: one gunicorn instance against two behind haproxy, on the same 2 cores."""
    setup_django()
    env = production_env(ctx)
    collectstatic(ctx, env)
    results: dict[str, WrkResult] = {}
    with gunicorn(ctx, env, workers=2, name="gunicorn-replica-a") as first:
        status, body = first.get(PATH)
        if status != 200 or b'name="csrfmiddlewaretoken"' not in body:
            raise BenchError(f"{PATH} answered {status}, not the login page")
        label = "1 instance x 2 workers, direct"
        results["direct"] = _load(ctx, first.base_url, label)
        yield from _rows(label, results["direct"], "no proxy")
        with haproxy(ctx, [first], "haproxy-one") as proxy:
            label = "1 instance x 2 workers, behind haproxy"
            results["one"] = _load(ctx, proxy, label)
        yield from _rows(label, results["one"], "haproxy")
        with (
            gunicorn(ctx, env, workers=2, name="gunicorn-replica-b") as second,
            haproxy(ctx, [first, second], "haproxy-two") as proxy,
        ):
            label = "2 instances x 2 workers, behind haproxy"
            results["two"] = _load(ctx, proxy, label)
        yield from _rows(label, results["two"], "haproxy")
    with ExitStack() as stack:
        singles = [
            stack.enter_context(gunicorn(ctx, env, workers=1, name=f"gunicorn-single-{index}"))
            for index in (1, 2)
        ]
        proxy = stack.enter_context(haproxy(ctx, singles, "haproxy-singles"))
        label = "2 instances x 1 worker, behind haproxy"
        results["singles"] = _load(ctx, proxy, label)
    yield from _rows(label, results["singles"], "haproxy")
    ratio = {key: round(value.rps, 1) for key, value in results.items()}
    yield Row(
        "2 instances / 1 instance behind haproxy (same 2 cores)",
        "requests/s ratio",
        results["two"].rps / results["one"].rps,
        "x",
        details={"requests_per_s": ratio, "cores": 2, "cpu_of_other_processes_percent": OTHERS},
    )
    yield Row(
        "haproxy / direct, 1 instance",
        "requests/s ratio (cost of the proxy)",
        results["one"].rps / results["direct"].rps,
        "x",
        details={"requests_per_s": ratio},
    )
