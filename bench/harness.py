"""What every benchmark shares: rows and targets, the registry, and the tools to measure.

A benchmark is a function of a ``Context`` that yields ``Row``s, registered with ``@benchmark``
in any module of this package; ``python -m bench`` finds it by itself.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

BASE_DIR = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """A benchmark could not measure what it meant to (the server did not start, got 500s...)."""


# --- Rows and targets --------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A threshold to respect: ``at_most(100)`` for a latency, ``at_least(500)`` for a rate."""

    op: Literal["<=", ">="]
    limit: float

    def met_by(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value >= self.limit

    def describe(self, unit: str) -> str:
        symbol = "≤" if self.op == "<=" else "≥"
        return f"{symbol} {format_number(self.limit)} {unit}".rstrip()


def at_most(limit: float) -> Target:
    return Target("<=", limit)


def at_least(limit: float) -> Target:
    return Target(">=", limit)


@dataclass
class Row:
    """One line of the table. Without a target the row is informative: no verdict."""

    benchmark: str
    measure: str
    value: float
    unit: str = ""
    target: Target | None = None
    details: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if self.target is None:
            return "—"
        return "pass" if self.target.met_by(self.value) else "fail"

    @property
    def failed(self) -> bool:
        return self.verdict in {"fail", "error"}

    def cells(self) -> list[str]:
        value = self.error or f"{format_number(self.value)} {self.unit}".rstrip()
        target = self.target.describe(self.unit) if self.target else "—"
        return [self.benchmark, self.measure, value, target, self.verdict]

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "measure": self.measure,
            "value": None if self.error else self.value,
            "unit": self.unit,
            "target": ({"op": self.target.op, "limit": self.target.limit} if self.target else None),
            "verdict": self.verdict,
            "error": self.error or None,
            "details": self.details,
        }


def format_number(value: float) -> str:
    """Three significant digits or so, never a scientific notation: 1234, 56.7, 8.91, 0.123."""
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


# --- Registry ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """Where a benchmark works: the checkout, and its own folder for logs and scratch files."""

    base_dir: Path
    out_dir: Path

    def log(self, message: str) -> None:
        print(f"\033[1m[bench]\033[0m {message}", file=sys.stderr, flush=True)


BenchmarkFunction = Callable[[Context], Iterable[Row]]


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: BenchmarkFunction
    description: str
    budget_s: float


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str | None = None, *, budget_s: float = 60.0
) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register a benchmark under ``name`` (the function's name by default).

    ``budget_s`` is the wall-clock time it is meant to stay under; the runner warns past it.
    The first line of the docstring is its description in ``python -m bench --list``.
    """

    def register(func: BenchmarkFunction) -> BenchmarkFunction:
        key = name or func.__name__
        if key in REGISTRY:
            raise ValueError(f"two benchmarks are named {key!r}")
        description = (func.__doc__ or "").strip().splitlines()
        REGISTRY[key] = Benchmark(key, func, description[0] if description else "", budget_s)
        return func

    return register


# --- Statistics --------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolated linearly between the closest ranks."""
    if not values:
        raise ValueError("percentile of no value")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


# --- Django in the benchmark's process -----------------------------------------------------------
def setup_django() -> None:
    """The portal's settings in this benchmark's own process (``bench/_child.py``), DEBUG off
    (no SQL kept in memory), on PostgreSQL only."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise BenchError("DATABASE_URL must point to PostgreSQL: run `make bench`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        raise BenchError("DEBUG is on: every query would be kept in memory")


class OtherProcesses:
    """The share of the machine's CPU that other processes (a test run, another benchmark, the
    PostgreSQL backends serving them) took during a measure; past 10 % the log warns: re-run.

    Ours are this process, its descendants (workers, fake provider) and the PostgreSQL backends
    of this connection or named ``our_application_name``. A process that ends during the measure
    is missed: a lower bound.
    """

    SERVICES = frozenset({"postgres", "redis-server"})

    def __init__(
        self, ctx: "Context", measure: str, *, our_application_name: str | None = None
    ) -> None:
        self.ctx, self.measure, self.application_name = ctx, measure, our_application_name
        self.before = self._foreign_cpu_ticks()
        self.started = time.monotonic()

    def percent(self) -> float:
        after = self._foreign_cpu_ticks()
        elapsed = time.monotonic() - self.started
        ticks = sum(max(0, value - self.before.get(pid, 0)) for pid, value in after.items())
        capacity = os.sysconf("SC_CLK_TCK") * elapsed * (os.cpu_count() or 1)
        share = round(100 * ticks / capacity, 1) if capacity else 0.0
        if share > 10:
            self.ctx.log(
                f"WARNING other processes took {share:.0f} % of the CPU during {self.measure}: "
                "its figures are disturbed, re-run on a quiet machine"
            )
        return share

    def _foreign_cpu_ticks(self) -> dict[int, int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM %s",
                [self.application_name],
            )
            foreign_backends = {pid for (pid,) in cursor.fetchall()}
        processes: dict[int, tuple[str, int, int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                raw = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:  # gone meanwhile
                continue
            fields = raw[raw.rindex(")") + 2 :].split()
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            # utime + stime only: a shell reaping a long test run would add all its CPU at once.
            processes[int(entry.name)] = (comm, int(fields[1]), int(fields[11]) + int(fields[12]))
        ours = {os.getpid()}
        grown = True
        while grown:
            before = len(ours)
            ours |= {pid for pid, (_, ppid, _) in processes.items() if ppid in ours}
            grown = len(ours) > before
        return {
            pid: ticks
            for pid, (comm, _, ticks) in processes.items()
            if pid not in ours and (comm not in self.SERVICES or pid in foreign_backends)
        }


# --- The product as it runs in production ------------------------------------------------------
def log_in(client: Any, user: Any) -> Any:
    """Log anyone in as the real login leaves them: a professional (or an admin) with the second
    factor passed (a confirmed authenticator app, its marker in the session), a patient as is.
    Benchmarks measure pages, not the login, so they skip its forms."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import services as accounts
    from accounts import sessions

    client.force_login(user)
    if not user.is_patient:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = accounts.new_totp_device(user)
            device.confirmed = True
            device.save()
        session = client.session
        session[sessions.SECOND_FACTOR] = accounts.second_factor_marker(device)
        session.save()
    return client


def production_env(ctx: Context, **overrides: str) -> dict[str, str]:
    """The environment of ``DJANGO_ENV=production`` with bench-only values, on plain http.

    DATABASE_URL and REDIS_URL come from scripts/bench (PostgreSQL portal_bench, Redis).
    """
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise BenchError("DATABASE_URL must point to PostgreSQL: run `make bench`")
    if not os.environ.get("REDIS_URL"):
        raise BenchError("REDIS_URL must be set: run `make bench`")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters, new at every run
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # wrk speaks plain http to 127.0.0.1
        "SMS_BACKEND": "twilio",  # required in production; nothing here sends an SMS
        "TWILIO_ACCOUNT_SID": "ACbench",
        "TWILIO_AUTH_TOKEN": "bench",
        "TWILIO_FROM": "Bench",
        "SITE_URL": "https://bench.invalid",
        "STATIC_ROOT": str(ctx.out_dir / "static"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(overrides)
    return env


def collectstatic(ctx: Context, env: dict[str, str]) -> None:
    """Production serves the manifest-hashed files WhiteNoise finds in STATIC_ROOT."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ctx.base_dir,
        env=env,
        check=True,
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 3xx is an answer to report, not to follow


# No proxy from the environment (loopback only), no redirect followed.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """One GET, for checks before a measurement (status, body); never raises on a 4xx/5xx."""
        try:
            with _opener.open(self.url(path), timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _free_listening_socket() -> socket.socket:
    """A socket already listening on a free loopback port: gunicorn inherits it (fd://), so no
    other process can take the port between choosing it and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_group(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM to the whole process group (master and workers), SIGKILL to what remains."""
    pgid = process.pid  # start_new_session: the master leads its own group
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    # The master reaps its workers before exiting; anything still in the group is a leftover.
    if _group_alive(pgid):
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    process.wait()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def gunicorn(
    ctx: Context,
    env: dict[str, str],
    *,
    workers: int = 2,
    worker_class: str = "sync",
    name: str = "gunicorn",
    startup_timeout_s: float = 30.0,
    extra_args: Sequence[str] = (),
) -> Iterator[Server]:
    """Serve ``portal.wsgi`` with gunicorn on a free 127.0.0.1 port until the block ends.

    Ready once ``/sante/`` answers 200. Its log goes to ``<out_dir>/<name>.log``. On the way
    out, whatever happened, the whole process group is stopped: nothing is left running.
    """
    log_path = ctx.out_dir / f"{name}.log"
    listener = _free_listening_socket()
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind=fd://{listener.fileno()}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        "--graceful-timeout=5",
        "--log-level=warning",
        f"--error-logfile={log_path}",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ctx.base_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            pass_fds=(listener.fileno(),),
            start_new_session=True,
        )
    listener.close()  # gunicorn has its own copy
    server = Server(base_url=f"http://127.0.0.1:{port}", pid=process.pid)
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            if process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with status {process.returncode}:\n{_tail(log_path)}"
                )
            try:
                status, _ = server.get("/sante/", timeout=1.0)
            except OSError:
                status = 0
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise BenchError(
                    f"gunicorn did not answer /sante/ within {startup_timeout_s:.0f} s "
                    f"(last status {status}):\n{_tail(log_path)}"
                )
            time.sleep(0.1)
        yield server
    finally:
        _stop_group(process, grace_s=10.0)


# --- Load generation with wrk ------------------------------------------------------------------
# wrk calls done() once, at the end: print what we need as one JSON line, so the harness never
# parses wrk's human-readable report. Latencies are in microseconds in wrk, in ms here.
WRK_REPORT_LUA = """\
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests": %d, "seconds": %.3f, "rps": %.2f, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def error_count(self) -> int:
        """Socket errors, timeouts and non-2xx/3xx answers."""
        return sum(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "errors": self.errors,
        }


def wrk(
    ctx: Context,
    url: str,
    *,
    threads: int = 2,
    connections: int = 16,
    duration_s: int = 10,
    timeout_s: int = 5,
) -> WrkResult:
    """Load ``url`` (loopback only) with wrk for ``duration_s`` seconds; the summary of the run."""
    if not url.startswith(("http://127.0.0.1:", "http://[::1]:", "http://localhost:")):
        raise BenchError(f"load tests target loopback only, not {url}")
    executable = shutil.which("wrk")
    if executable is None:
        raise BenchError("wrk is not installed: `scripts/bootstrap --test` installs it")
    script = ctx.out_dir / "wrk-report.lua"
    if not script.exists() or script.read_text() != WRK_REPORT_LUA:
        script.write_text(WRK_REPORT_LUA)
    command = [
        executable,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        f"--timeout={timeout_s}s",
        "--latency",
        f"--script={script}",
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration_s + 30, check=False
    )
    report = next(
        (line for line in reversed(completed.stdout.splitlines()) if line.startswith("{")), None
    )
    if completed.returncode != 0 or report is None:
        raise BenchError(
            f"wrk failed (status {completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    data = json.loads(report)
    return WrkResult(
        requests=data["requests"],
        seconds=data["seconds"],
        rps=data["rps"],
        p50_ms=data["p50_ms"],
        p95_ms=data["p95_ms"],
        p99_ms=data["p99_ms"],
        max_ms=data["max_ms"],
        errors={key: int(value) for key, value in data["errors"].items()},
    )
