"""Pages served the production way (gunicorn, 2 sync workers, DJANGO_ENV=production), under wrk.

Both pages are loaded in the same gunicorn, one after the other, each after a short warm-up.
wrk sends no cookie: every request is a first visit, as the login page sees most of the time.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from bench.harness import (
    BenchError,
    Context,
    Row,
    Target,
    at_most,
    benchmark,
    collectstatic,
    gunicorn,
    production_env,
    wrk,
)

WORKERS = 2
THREADS = 2
CONNECTIONS = 16
WARM_UP_S = 2
DURATION_S = 10


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    expect: bytes  # found in the body of a correct answer: we measure the right page
    p95: Target | None = None


PAGES = [
    Page(
        "login page GET /connexion/",
        "/connexion/",
        expect=b'name="csrfmiddlewaretoken"',
        p95=at_most(100),
    ),
    Page("health check GET /sante/", "/sante/", expect=b"ok"),
]


@benchmark("http", budget_s=45)
def http(ctx: Context) -> Iterator[Row]:
    """Login page and health check under wrk: requests/s and p95 latency."""
    env = production_env(ctx)
    ctx.log("http: collectstatic (production storage: hashed names and manifest)")
    collectstatic(ctx, env)
    with gunicorn(ctx, env, workers=WORKERS, name="gunicorn-http") as server:
        for page in PAGES:
            status, body = server.get(page.path)
            if status != 200 or page.expect not in body:
                raise BenchError(f"{page.path} answered {status}, not the expected page")
            url = server.url(page.path)
            ctx.log(f"http: {page.path} warm-up {WARM_UP_S} s, then {DURATION_S} s measured")
            wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=WARM_UP_S)
            result = wrk(ctx, url, threads=THREADS, connections=CONNECTIONS, duration_s=DURATION_S)
            details = {
                **result.as_json(),
                "load": f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s",
                "server": f"gunicorn, {WORKERS} sync workers",
            }
            yield Row(page.label, "requests/s", result.rps, "req/s", details=details)
            yield Row(page.label, "p95 latency", result.p95_ms, "ms", page.p95, details=details)
            if result.error_count:
                yield Row(page.label, "errors", result.error_count, "", at_most(0), result.errors)
