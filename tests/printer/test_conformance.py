"""Real IPP clients against the printer: CUPS's ipptool conformance files, under gunicorn and
under `make run` (Django's development server, which leaves chunked bodies as they came)."""

import os
import signal
import subprocess
from pathlib import Path

import pytest

from portal.models import User
from printer import services
from printer.models import PrintJob
from tests.printer.conftest import ROOT, Server, free_port, run_ipptool, wait_for

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
