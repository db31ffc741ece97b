"""Helpers of the printer tests: IPP requests, PDFs, servers started by the test."""

import io
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from printer import ipp

# Personas of the documents and portal tests: a seeded document type, a recipient, patients.
from tests.documents.conftest import (  # noqa: F401
    prescription_type,
    recipient,
    recipient_clinician,
)
from tests.portal.conftest import identity_a, identity_b, patient_a  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
IPPTOOL_DIR = Path("/usr/share/cups/ipptool")


def pdf_bytes(pages: int = 1, size: tuple[int, int] = (595, 842)) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=size)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def ipp_request(
    operation: int,
    *,
    uri: str = "ipp://localhost/ipp/print/x",
    request_id: int = 1,
    version: tuple[int, int] = (2, 0),
    extra: list[tuple[str, int, object]] = (),  # type: ignore[assignment]
    job: list[tuple[str, int, object]] = (),  # type: ignore[assignment]
) -> bytes:
    message = ipp.Message(version, operation, request_id)
    group = message.add_group(ipp.OPERATION)
    group.add("attributes-charset", ipp.CHARSET, "utf-8")
    group.add("attributes-natural-language", ipp.LANGUAGE, "fr")
    group.add("printer-uri", ipp.URI, uri)
    for name, tag, value in extra:
        group.add(name, tag, *(value if isinstance(value, list) else [value]))
    if job:
        job_group = message.add_group(ipp.JOB)
        for name, tag, value in job:
            job_group.add(name, tag, value)
    return ipp.encode(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback only)
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer:\n{log.read_text()}")
            time.sleep(0.3)


@pytest.fixture
def ipptool_dir(tmp_path: Path) -> Path:
    """The standard test files beside the documents they name (Debian ships none of them):
    ipptool reads every FILE when it loads a test file, skipped tests included."""
    if shutil.which("ipptool") is None or not IPPTOOL_DIR.exists():
        pytest.fail("ipptool is missing: scripts/bootstrap --test installs cups-ipp-utils.")
    folder = tmp_path / "ipptool"
    folder.mkdir()
    for name in ("ipp-1.1.test", "ipp-2.0.test", "print-job.test"):
        shutil.copy(IPPTOOL_DIR / name, folder / name)
    (folder / "document-a4.pdf").write_bytes(pdf_bytes())
    (folder / "document-letter.pdf").write_bytes(pdf_bytes(size=(612, 792)))
    # Formats the printer does not advertise: their tests are skipped, the files must exist.
    for name in ("document-a4.ps", "document-letter.ps", "color.jpg", "gray.jpg"):
        (folder / name).write_bytes(b"%!PS\n")
    return folder


def run_ipptool(folder: Path, url: str, test: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ipptool", "-t", "-I", "-T", "30", "-f", str(folder / "document-a4.pdf"), url, test],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Server:
    def __init__(self, base: str, process: subprocess.Popen, log: Path) -> None:
        self.base = base
        self.process = process
        self.log = log

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


@pytest.fixture
def gunicorn_server(worker_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """The portal under gunicorn (the production server) on the test database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = worker_env | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "portal.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_for(f"{server.base}/sante/", process, log)
        yield server
    finally:
        server.stop()


@pytest.fixture
def waiting_job(clinician: object) -> object:
    """A PDF printed by the clinician, waiting in their inbox."""
    from printer import services

    return services.print_job(
        owner=clinician,
        name="Microsoft Word - ordonnance.docx",
        originating_user_name="claire",
        document_format="application/pdf",
        stream=io.BytesIO(pdf_bytes()),
    )
