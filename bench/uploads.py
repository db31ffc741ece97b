"""Uploads under gunicorn: the memory a worker needs to receive a sending of 10 files of 20 MB.

The portal runs as in production (``harness.gunicorn``: ``DJANGO_ENV=production``, one sync
worker, its own ``MEDIA_ROOT`` and ``FILE_UPLOAD_TEMP_DIR`` under the bench's folder). The
sender is seed_demo's clinician Claire MARTIN, logged in with both factors (``harness.log_in``,
the session signed with the server's secret key); the patient is the ``documents`` benchmark's
own (BENCH-DOCUMENTS Patiente, with a portal). The client is ``http.client`` on a socket: it
takes the send page (its CSRF token and form token), then posts "Envoyer un document" with 10
files, each a PDF of 20 A4 pages drawing a 1 MB JPEG of noise (20.0 MB, under the 20 MiB cap;
written once to ``<out>/uploads-files/``), copy to the patient. The body, 200 MB, is written to
the socket by 1 MB pieces read from those files: neither side holds it whole. The answer must
be the 302 to the sending's recap, with 10 documents stored.

Measured on the worker (``/proc/<pid>/status``, we are root): ``VmRSS`` before the sending,
after a warm-up sending of one 1 MB file (imports, templates, connections); then ``VmHWM``,
the peak resident memory, reset to the current RSS through ``/proc/<pid>/clear_refs`` just
before the sending and read after its answer. The row is the growth, peak minus before: target
≤ 60 MB. Informative: the time of the sending (upload over loopback, 10 PDFs rewritten, hashed
and stored), and the peak of ``VmRSS`` sampled every 20 ms in another thread (a check of
``VmHWM``). The sending and its files are deleted at the end, whatever happens.
"""

import html
import http.client
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness import (
    BenchError,
    Context,
    OtherProcesses,
    Row,
    at_most,
    benchmark,
    collectstatic,
    gunicorn,
    log_in,
    production_env,
    setup_django,
)

FILES, PAGES = 10, 20  # x 1 MB images: 10 files of 20.0 MB
PEAK_GROWTH_TARGET_MB = 60
PIECE = 1024 * 1024


def _worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    if len(children) != 1:
        raise BenchError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


def _temp_files(ctx: Context) -> list[Path]:
    folder = ctx.out_dir / "uploads-tmp"
    return sorted(folder.iterdir()) if folder.exists() else []


def _files(ctx: Context) -> list[Path]:
    from bench.documents import make_pdf

    folder = ctx.out_dir / "uploads-files"
    folder.mkdir(exist_ok=True)
    paths = []
    for index in range(FILES):
        path = folder / f"scan-{index}.pdf"
        if not path.exists():
            ctx.log(f"uploads: making {path.name} ({PAGES} pages)")
            path.write_bytes(make_pdf(PAGES, seed=100 + index))
        paths.append(path)
    return paths


class Browser:
    """A clinician's browser in a few lines: cookies, the send page's tokens, a streamed post."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port, self.cookies = port, dict(cookies)

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)

    def _remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def form(self, path: str) -> dict[str, str]:
        connection = self._connection()
        connection.request("GET", path, headers={"Cookie": self._cookie_header()})
        response = connection.getresponse()
        body = response.read().decode()
        self._remember(response)
        connection.close()
        if response.status != 200:
            raise BenchError(f"the send page answered {response.status}: not logged in?")
        fields = {}
        for name in ("csrfmiddlewaretoken", "token"):
            found = re.search(rf'name="{name}" value="([^"]+)"', body)
            if found is None:
                raise BenchError(f"no {name} on the send page")
            fields[name] = html.unescape(found.group(1))
        return fields

    def post(self, path: str, fields: dict[str, str], files: dict[str, Path]) -> tuple[int, str]:
        """A multipart POST whose files are read from disk by 1 MB pieces as they are sent."""
        boundary = uuid.uuid4().hex
        head = b"".join(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
            for name, value in fields.items()
        )
        parts = [
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{path.name}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            for name, path in files.items()
        ]
        tail = f"--{boundary}--\r\n".encode()
        length = len(head) + len(tail)
        length += sum(
            len(part) + path.stat().st_size + 2
            for part, path in zip(parts, files.values(), strict=True)
        )
        connection = self._connection()
        connection.putrequest("POST", path)
        connection.putheader("Cookie", self._cookie_header())
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        connection.send(head)
        for part, file_path in zip(parts, files.values(), strict=True):
            connection.send(part)
            with file_path.open("rb") as handle:
                while piece := handle.read(PIECE):
                    connection.send(piece)
            connection.send(b"\r\n")
        connection.send(tail)
        response = connection.getresponse()
        response.read()
        location = response.headers.get("Location", "")
        connection.close()
        return response.status, location


class RssSampler(threading.Thread):
    """The highest VmRSS of a process, sampled every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stopping = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb(self.pid, "VmRSS"))
            time.sleep(0.02)

    def stop(self) -> int:
        self.stopping.set()
        self.join()
        return self.peak_kb


def _send(browser: Browser, url: str, form: dict[str, Any], kind: Any, files: list[Path]) -> str:
    fields = {
        "csrfmiddlewaretoken": form["csrfmiddlewaretoken"],
        "token": form["token"],
        "documents-TOTAL_FORMS": str(max(3, len(files))),
        "documents-INITIAL_FORMS": "0",
        "copy_to_patient": "on",
    }
    for index in range(len(files)):
        fields[f"documents-{index}-name"] = f"Scanner {index + 1}"
        fields[f"documents-{index}-document_type"] = str(kind.pk)
    status, location = browser.post(
        url, fields, {f"documents-{index}-file": path for index, path in enumerate(files)}
    )
    if status != 302 or "/envois/" not in location:
        raise BenchError(f"the sending answered {status} {location!r}, not the recap")
    return location


@benchmark("uploads", budget_s=240)
def uploads(ctx: Context) -> Iterator[Row]:
    """Uploads under gunicorn: a worker's peak memory growth receiving 10 files of 20 MB."""
    setup_django()
    from django.conf import settings
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.documents import PATIENT_EMAIL, _delete_sendings, _fixtures, make_pdf
    from documents.models import Dispatch
    from portal.celery import app

    fixtures = _fixtures(ctx)
    files = _files(ctx)
    small = ctx.out_dir / "uploads-files" / "small.pdf"
    small.write_bytes(make_pdf(1, seed=1))
    media = ctx.out_dir / "uploads-media"
    env = production_env(
        ctx, MEDIA_ROOT=str(media), FILE_UPLOAD_TEMP_DIR=str(ctx.out_dir / "uploads-tmp")
    )
    collectstatic(ctx, env)
    started = Dispatch.objects.filter(identity__email=PATIENT_EMAIL).values_list("pk", flat=True)
    before_ids = set(started)
    with override_settings(SECRET_KEY=env["DJANGO_SECRET_KEY"]):
        client = log_in(Client(), fixtures.sender)
        cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    url = reverse("documents:send", args=[fixtures.identity.uuid])
    try:
        with gunicorn(
            ctx, env, workers=1, name="gunicorn-uploads", extra_args=["--timeout=300"]
        ) as server:
            port = int(server.base_url.rsplit(":", 1)[1])
            worker = _worker_pid(server.pid)
            browser = Browser(port, cookies)
            for _ in range(2):  # warm: imports, pikepdf, templates, connections
                _send(browser, url, browser.form(url), fixtures.kind, [small])
            form = browser.form(url)
            rss_before = _status_kb(worker, "VmRSS")
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
            sampler = RssSampler(worker)
            sampler.start()
            others = OtherProcesses(ctx, "the 10 x 20 MB sending")
            start = time.perf_counter()
            try:
                _send(browser, url, form, fixtures.kind, files)
            finally:
                sampled_kb = sampler.stop()
            elapsed = time.perf_counter() - start
            peak = _status_kb(worker, "VmHWM")
            if _worker_pid(server.pid) != worker:
                raise BenchError("the worker was replaced during the sending (timeout? killed?)")
            # The worker deletes the temporary files when it closes the request, just after
            # writing the answer: give it a moment.
            deadline = time.monotonic() + 5
            while (leftovers := _temp_files(ctx)) and (time.monotonic() < deadline):
                time.sleep(0.05)
        made = Dispatch.objects.filter(identity__email=PATIENT_EMAIL).exclude(pk__in=before_ids)
        last = made.order_by("-pk").first()
        if last is None or last.documents.count() != FILES:
            raise BenchError("the sending of 10 files was not stored with its 10 documents")
        sizes = list(last.documents.values_list("size", flat=True))
        details = {
            "files": FILES,
            "bytes_sent": sum(path.stat().st_size for path in files),
            "stored_bytes": sum(sizes),
            "rss_before_mb": round(rss_before / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1),
            "sampled_peak_growth_mb": round((sampled_kb - rss_before) / 1024, 1),
            "seconds": round(elapsed, 2),
            "temporary_files_left": len(leftovers),
            "cpu_of_other_processes_percent": others.percent(),
            "measure": "gunicorn sync worker, /proc/<pid>/status VmHWM reset by clear_refs",
        }
        label = f"sending of {FILES} x {sum(sizes) / FILES / 1e6:.0f} MB PDFs, gunicorn worker"
        yield Row(
            label,
            "peak RSS growth",
            (peak - rss_before) / 1024,
            "MB",
            at_most(PEAK_GROWTH_TARGET_MB),
            details,
        )
        yield Row(
            label, "time (upload over loopback, checks, storage)", elapsed, "s", None, details
        )
        if leftovers:
            raise BenchError(f"temporary files left after the sending: {leftovers}")
    finally:
        made_ids = list(
            Dispatch.objects.filter(identity__email=PATIENT_EMAIL)
            .exclude(pk__in=before_ids)
            .values_list("pk", flat=True)
        )
        _delete_sendings(made_ids)
        with app.connection_for_write() as broker:  # the notifications' enqueues: nobody reads
            broker.default_channel.queue_purge(app.conf.task_default_queue)
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(ctx.out_dir / "uploads-tmp", ignore_errors=True)
