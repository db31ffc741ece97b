"""A real ClamAV daemon for the antivirus tests, on an EICAR database built with sigtool.

ClamAV's own databases cannot be downloaded here (no freshclam), and the tests need only one
signature: EICAR's test string, found anywhere in a file (an ``.ndb`` body signature whose hex
``sigtool --hex-dump`` writes). So a PDF or a PNG that passes the portal's checks can carry it.
clamd reports it as ``Eicar-Test-Signature.UNOFFICIAL`` (not from ClamAV's signed databases).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

# The EICAR anti-virus test file: harmless, and detected as a virus by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature.UNOFFICIAL"


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        raise RuntimeError(f"{name} is missing: install clamav-daemon and clamav (make test does).")
    return path


def build_eicar_database(folder: Path) -> None:
    """``eicar.ndb``: EICAR's string at any offset of any file type."""
    folder.mkdir(parents=True, exist_ok=True)
    hex_string = subprocess.run(
        [_tool("sigtool"), "--hex-dump"], input=EICAR, capture_output=True, check=True
    ).stdout.decode()
    (folder / "eicar.ndb").write_text(f"Eicar-Test-Signature:0:*:{hex_string.strip()}\n")


class Clamd:
    """One clamd process on a Unix socket in ``folder``; may be started, stopped and restarted."""

    def __init__(self, folder: Path, *, extra_config: str = "") -> None:
        self.folder = folder
        self.socket_path = folder / "clamd.sock"
        self.config = folder / "clamd.conf"
        self.extra_config = extra_config
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 30) -> "Clamd":
        if not (self.folder / "db" / "eicar.ndb").exists():
            build_eicar_database(self.folder / "db")
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket_path}",
                    f"DatabaseDirectory {self.folder / 'db'}",
                    f"TemporaryDirectory {self.folder}",
                    "LogSyslog no",
                    self.extra_config,
                    "",
                ]
            )
        )
        with open(self.folder / "clamd.log", "ab") as log:
            self.process = subprocess.Popen(
                [_tool("clamd"), f"--config-file={self.config}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log_text = (self.folder / "clamd.log").read_text(errors="replace")
                raise RuntimeError(f"clamd did not start:\n{log_text[-3000:]}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(2)
                connection.connect(str(self.socket_path))
                connection.sendall(b"zPING\0")
                return connection.recv(16) == b"PONG\0"
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
