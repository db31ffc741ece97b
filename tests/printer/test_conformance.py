"""Real IPP clients against the printer: CUPS's ipptool conformance files, under gunicorn and
under `make run` (Django's development server, which leaves chunked bodies as they came)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pikepdf
import pytest

from portal.models import User
from printer import services
from printer.models import PrintJob
from tests.printer.conftest import (
    ROOT,
    Server,
    free_port,
    pdf_bytes,
    run_ipptool,
    wait_for,
)

TESTS = ["ipp-1.1.test", "ipp-2.0.test", "print-job.test"]


def _assert_passes(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[FAIL]" not in result.stdout
    assert "[PASS]" in result.stdout


@pytest.mark.parametrize("test", TESTS)
def test_ipptool_passes_under_gunicorn(
    gunicorn_server: Server, ipptool_dir: Path, clinician: User, test: str
) -> None:
    token = services.create_printer_token(user=clinician)
    url = gunicorn_server.base.replace("http", "ipp") + services.printer_path(token)
    _assert_passes(run_ipptool(ipptool_dir, url, test))
    assert PrintJob.objects.filter(owner=clinician, state=PrintJob.State.COMPLETED).exists()


def test_ipptool_passes_under_make_run(ipptool_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    services_variables = {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in os.environ.items() if key not in services_variables}
    env |= {"VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "RUNSERVER_ARGS": "--noreload"}
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/sante/", process, log)
        printed = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "manage.py",
                "printer_url",
                "claire.martin@portail.test",
                "--base-url",
                f"http://127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env | {"DJANGO_SETTINGS_MODULE": "portal.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        url = printed.stdout.strip().splitlines()[-1]
        assert url.startswith(f"ipp://127.0.0.1:{port}/ipp/print/")
        for test in TESTS:
            _assert_passes(run_ipptool(ipptool_dir, url, test))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


CUPSD_CONF = """Listen 127.0.0.1:{port}
LogLevel debug
DefaultAuthType None
Browsing No
WebInterface No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
CUPS_FILES_CONF = """ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
Sandboxing relaxed
"""


@pytest.fixture
def cupsd() -> Iterator[str]:
    """A CUPS scheduler of the test's own (configuration in tmp, a free port).

    Its folder is not under pytest's tmp_path: the backends run as the lp user, who must be
    able to reach the spooled files.
    """
    root = Path(tempfile.mkdtemp(prefix="cups-"))
    for folder in ("spool", "cache", "state", "log", "tmp"):
        (root / folder).mkdir(parents=True)
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o777)  # filters run as the lp user
    port = free_port()
    (root / "cupsd.conf").write_text(CUPSD_CONF.format(port=port))
    (root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    process = subprocess.Popen(
        [
            "/usr/sbin/cupsd",
            "-f",
            "-c",
            str(root / "cupsd.conf"),
            "-s",
            str(root / "cups-files.conf"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["lpstat", "-h", server, "-r"], capture_output=True).returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("cupsd did not start:\n" + _tail(root / "log" / "error_log"))
            time.sleep(0.3)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def _tail(path: Path) -> str:
    return "\n".join(path.read_text().splitlines()[-40:]) if path.exists() else ""


def test_a_pdf_printed_through_a_real_cups_queue_lands_in_the_clinicians_inbox(
    gunicorn_server: Server, cupsd: str, clinician: User, other_clinician: User, tmp_path: Path
) -> None:
    token = services.create_printer_token(user=clinician)
    services.create_printer_token(user=other_clinician)
    url = gunicorn_server.base.replace("http", "ipp") + services.printer_path(token)
    subprocess.run(
        ["lpadmin", "-h", cupsd, "-p", "MonSisra", "-E", "-v", url, "-m", "everywhere"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    document = tmp_path / "ordonnance.pdf"
    document.write_bytes(pdf_bytes(pages=2))
    subprocess.run(
        ["lp", "-h", cupsd, "-d", "MonSisra", "-t", "Ordonnance Dupont", str(document)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    deadline = time.monotonic() + 60
    while not (jobs := list(services.waiting_jobs(clinician))):
        assert time.monotonic() < deadline, (
            "the job never arrived:\n" + gunicorn_server.log.read_text()
        )
        time.sleep(0.5)
    (job,) = jobs
    assert job.name == "Ordonnance Dupont"
    assert job.owner == clinician
    assert not services.waiting_jobs(other_clinician).exists()
    with job.file.open("rb") as handle, pikepdf.open(handle) as pdf:
        assert len(pdf.pages) == 2


MULTIPLE_DOCUMENTS_TEST = Path(__file__).with_name("multiple-documents.test")


def test_ipptool_sends_a_job_of_two_documents(
    gunicorn_server: Server, ipptool_dir: Path, clinician: User
) -> None:
    token = services.create_printer_token(user=clinician)
    url = gunicorn_server.base.replace("http", "ipp") + services.printer_path(token)
    shutil.copy(MULTIPLE_DOCUMENTS_TEST, ipptool_dir)
    _assert_passes(run_ipptool(ipptool_dir, url, "multiple-documents.test"))
    names = sorted(job.name for job in services.waiting_jobs(clinician))
    assert names == ["Courrier", "Ordonnance"]


def test_ipptool_passes_on_the_plain_address_with_basic_authentication(
    gunicorn_server: Server, ipptool_dir: Path, clinician: User
) -> None:
    secret = services.create_printer_token(user=clinician)
    user = quote(clinician.email, safe="")
    base = gunicorn_server.base.replace("http://", f"ipp://{user}:{secret}@")
    shutil.copy(MULTIPLE_DOCUMENTS_TEST, ipptool_dir)
    for test in [*TESTS, "multiple-documents.test"]:
        _assert_passes(run_ipptool(ipptool_dir, base + services.printer_path(), test))
    assert services.waiting_jobs(clinician).count() >= 3
    # Without the password, the job operations are refused.
    refused = run_ipptool(
        ipptool_dir, gunicorn_server.base.replace("http", "ipp") + services.printer_path(), TESTS[2]
    )
    assert "[FAIL]" in refused.stdout


def _add_queue(cupsd: str, url: str) -> None:
    subprocess.run(
        ["lpadmin", "-h", cupsd, "-p", "MonSisra", "-E", "-v", url, "-m", "everywhere"],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _wait_for_jobs(server: Server, clinician: User, count: int) -> list[PrintJob]:
    deadline = time.monotonic() + 60
    while len(jobs := list(services.waiting_jobs(clinician))) < count:
        assert time.monotonic() < deadline, (
            f"{len(jobs)} of {count} jobs:\n" + server.log.read_text()
        )
        time.sleep(0.5)
    return jobs


def test_lp_of_two_files_gives_two_pending_prints(
    gunicorn_server: Server, cupsd: str, clinician: User, tmp_path: Path
) -> None:
    token = services.create_printer_token(user=clinician)
    _add_queue(cupsd, gunicorn_server.base.replace("http", "ipp") + services.printer_path(token))
    first, second = tmp_path / "ordonnance.pdf", tmp_path / "courrier.pdf"
    first.write_bytes(pdf_bytes(pages=1))
    second.write_bytes(pdf_bytes(pages=3))
    subprocess.run(
        ["lp", "-h", cupsd, "-d", "MonSisra", "-t", "Dossier Dupont", str(first), str(second)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    jobs = _wait_for_jobs(gunicorn_server, clinician, 2)
    time.sleep(2)
    assert len(list(services.waiting_jobs(clinician))) == 2
    pages = []
    for job in sorted(jobs, key=lambda job: job.pk):
        with job.file.open("rb") as handle, pikepdf.open(handle) as pdf:
            pages.append(len(pdf.pages))
    assert pages == [1, 3]


def test_a_cups_queue_on_the_plain_address_prints_with_the_email_and_secret(
    gunicorn_server: Server, cupsd: str, clinician: User, tmp_path: Path
) -> None:
    secret = services.create_printer_token(user=clinician)
    user = quote(clinician.email, safe="")
    base = gunicorn_server.base.replace("http://", f"ipp://{user}:{secret}@")
    _add_queue(cupsd, base + services.printer_path())
    document = tmp_path / "ordonnance.pdf"
    document.write_bytes(pdf_bytes(pages=2))
    subprocess.run(
        ["lp", "-h", cupsd, "-d", "MonSisra", "-t", "Ordonnance Dupont", str(document)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    (job,) = _wait_for_jobs(gunicorn_server, clinician, 1)
    assert job.name == "Ordonnance Dupont"
    assert secret not in gunicorn_server.log.read_text()


def test_a_cups_queue_with_a_wrong_password_prints_nothing_and_is_traced(
    gunicorn_server: Server, cupsd: str, clinician: User, tmp_path: Path
) -> None:
    from audit.models import AccessLog

    services.create_printer_token(user=clinician)
    user = quote(clinician.email, safe="")
    base = gunicorn_server.base.replace("http://", f"ipp://{user}:not-the-secret@")
    _add_queue(cupsd, base + services.printer_path())
    document = tmp_path / "ordonnance.pdf"
    document.write_bytes(pdf_bytes())
    subprocess.run(
        ["lp", "-h", cupsd, "-d", "MonSisra", str(document)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    deadline = time.monotonic() + 60
    while not AccessLog.objects.filter(action="printer.basic_auth").exists():
        assert time.monotonic() < deadline, gunicorn_server.log.read_text()
        time.sleep(0.5)
    time.sleep(2)
    assert not PrintJob.objects.filter(owner=clinician).exists()
    row = AccessLog.objects.filter(action="printer.basic_auth").first()
    assert row.outcome == "failure"
    assert row.details == {"email": clinician.email}
    assert "not-the-secret" not in gunicorn_server.log.read_text()
