"""The virtual printer over IPP, under gunicorn in production mode: what a print dialog waits for.

- Get-Printer-Attributes, asked before every job (and by CUPS while it sets the queue up);
- Print-Job of a 5 MB PDF, until the printer says the job is accepted (stored and checked);
- the memory a worker needs to receive a 19.5 MB job, sent chunked as CUPS does, beside the
  memory it needs for a 1 MB one: the body is streamed to storage, so the two must match.
"""

import http.client
import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from bench.harness import (
    BenchError,
    Context,
    Row,
    at_most,
    benchmark,
    gunicorn,
    percentile,
    production_env,
    setup_django,
)

ATTRIBUTE_ROUNDS = 300
PRINT_ROUNDS = 10
CLINICIAN = "claire.martin@portail.test"


def pdf_of_size(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes, drawing an image of incompressible pixels (the
    upload tests use it too)."""
    import os

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    side = int((size / 3) ** 0.5)
    image = pikepdf.Stream(pdf, os.urandom(side * side * 3))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width = image.Height = side
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].Contents = pdf.make_stream(b"q 500 0 0 500 50 150 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def _request(operation: int, path: str, **extra: str) -> bytes:
    from printer import ipp

    message = ipp.Message((2, 0), operation, 1)
    group = message.add_group(ipp.OPERATION)
    group.add("attributes-charset", ipp.CHARSET, "utf-8")
    group.add("attributes-natural-language", ipp.LANGUAGE, "fr")
    group.add("printer-uri", ipp.URI, f"ipp://127.0.0.1{path}")
    for name, value in extra.items():
        group.add(
            name.replace("_", "-"), ipp.MIME_TYPE if name == "document_format" else ipp.NAME, value
        )
    return ipp.encode(message)


def _post(port: int, path: str, body: bytes, *, chunked: bool = False) -> float:
    """One IPP request on a new connection; its time in ms. Fails unless successful-ok."""
    from printer import ipp

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    if chunked:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/ipp")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for offset in range(0, len(body), 64 * 1024):
            piece = body[offset : offset + 64 * 1024]
            connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        connection.send(b"0\r\n\r\n")
    else:
        connection.request("POST", path, body, {"Content-Type": "application/ipp"})
    response = connection.getresponse()
    reply, _rest = ipp.decode(response.read())
    elapsed = (time.perf_counter() - start) * 1000
    connection.close()
    if response.status != 200 or reply.code != 0:
        raise BenchError(f"the printer answered HTTP {response.status}, IPP 0x{reply.code:04x}")
    return elapsed


def _peak_rss_mb(master_pid: int) -> float:
    """The highest resident memory any gunicorn worker has reached (VmHWM), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    if not peaks:
        raise BenchError("no gunicorn worker to measure")
    return max(peaks)


@benchmark("printer", budget_s=120)
def printer(ctx: Context) -> Iterator[Row]:
    """IPP under gunicorn: Get-Printer-Attributes, a 5 MB Print-Job, memory of a 19.5 MB job."""
    setup_django()
    from django.contrib.auth import get_user_model

    from printer import server, services

    clinician = get_user_model().objects.get(email=CLINICIAN)
    path = services.printer_path(services.create_printer_token(user=clinician))
    env = production_env(ctx, MEDIA_ROOT=str(ctx.out_dir / "printer-media"))
    try:
        with gunicorn(ctx, env, workers=1, name="gunicorn-printer") as running:
            port = int(running.base_url.rsplit(":", 1)[1])
            attributes = _request(server.GET_PRINTER_ATTRIBUTES, path)
            for _ in range(20):
                _post(port, path, attributes)
            timings = [_post(port, path, attributes) for _ in range(ATTRIBUTE_ROUNDS)]
            yield Row(
                "IPP Get-Printer-Attributes",
                "p95",
                percentile(timings, 95),
                "ms",
                at_most(20),
                {"rounds": ATTRIBUTE_ROUNDS, "p50_ms": percentile(timings, 50)},
            )

            job = _request(
                server.PRINT_JOB, path, job_name="bench", document_format="application/pdf"
            )
            five = pdf_of_size(5 * 1024 * 1024)
            timings = [_post(port, path, job + five) for _ in range(PRINT_ROUNDS)]
            yield Row(
                "IPP Print-Job, 5 MB PDF, accepted",
                "p95",
                percentile(timings, 95),
                "ms",
                at_most(500),
                {"rounds": PRINT_ROUNDS, "p50_ms": percentile(timings, 50), "bytes": len(five)},
            )

            small = pdf_of_size(1024 * 1024)
            for _ in range(3):
                _post(port, path, job + small, chunked=True)
            after_small = _peak_rss_mb(running.pid)
            large = pdf_of_size(int(19.5 * 1024 * 1024))
            _post(port, path, job + large, chunked=True)
            after_large = _peak_rss_mb(running.pid)
            details = {"peak_after_1mb_mb": after_small, "peak_after_19_5mb_mb": after_large}
            yield Row(
                "IPP Print-Job, 19.5 MB chunked",
                "worker peak memory",
                after_large,
                "MB",
                None,
                details,
            )
            yield Row(
                "IPP Print-Job, 19.5 MB chunked",
                "peak growth over a 1 MB job",
                after_large - after_small,
                "MB",
                at_most(5),
                details,
            )
    finally:
        services.waiting_jobs(clinician).filter(name="bench").delete()
        shutil.rmtree(ctx.out_dir / "printer-media", ignore_errors=True)
        services.revoke_printer_token(user=clinician)
