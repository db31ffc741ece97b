"""Real Celery worker processes for the tests about tasks."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class CeleryWorker:
    """One `celery worker` process consuming one queue; can be killed and restarted.

    A solo pool by default; ``arguments`` replaces ``--pool=solo -Q <queue>``, e.g. with
    ``portal.workers.outbox_worker_arguments(...)`` to run the production outbox worker.
    """

    def __init__(
        self, *, queue: str, env: Mapping[str, str], arguments: Sequence[str] | None = None
    ) -> None:
        self.queue = queue
        self.env = dict(env)
        self.arguments = list(arguments) if arguments is not None else None
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []
        self._ready = threading.Event()

    def start(self, timeout: float = 60) -> "CeleryWorker":
        self._ready.clear()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                *(self.arguments or ["--pool=solo", "-Q", self.queue]),
                "--loglevel=INFO",
                "-n",
                f"{self.queue}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("The Celery worker did not start:\n" + "".join(self.log[-50:]))
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.log.append(line)
            if " ready." in line:
                self._ready.set()

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition: object, timeout: float = 30, interval: float = 0.1) -> bool:
    """Poll ``condition()`` until true or the timeout; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
