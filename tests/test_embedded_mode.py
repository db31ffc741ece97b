"""`make run` on a machine with no service: SQLite, in-process tasks, dev outbox, demo data."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Variables that would point the embedded mode at real services.
SERVICE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "VAR_DIR"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read().decode()


@pytest.fixture
def embedded_server(tmp_path: Path) -> tuple[str, list[str]]:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env |= {"VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "RUNSERVER_ARGS": "--noreload"}
    output = tmp_path / "run.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(f"{base}/sante/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("make run did not serve:\n" + output.read_text())
                time.sleep(0.5)
        yield base, output.read_text().splitlines()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_make_run_serves_the_login_page_with_demo_data(
    embedded_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, banner = embedded_server
    status, body = _get(f"{base}/connexion/")
    assert status == 200
    assert "Connexion professionnel de santé" in body
    assert any("claire.martin@portail.test" in line for line in banner)
    assert (tmp_path / "var" / "portal.sqlite3").exists()


def test_make_run_shows_the_dev_outbox(embedded_server: tuple[str, list[str]]) -> None:
    base, _banner = embedded_server
    status, body = _get(f"{base}/notifications/dev/boite-d-envoi/")
    assert status == 200
    assert "Boîte d'envoi (développement)" in body
