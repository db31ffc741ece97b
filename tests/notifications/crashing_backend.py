"""A Twilio backend that kills its own worker process at a chosen moment, once.

The moment is read from the file named by $CRASH_MARKER ("before": while preparing the call,
before anything reaches the provider; "after": once the provider accepted the message, before
its id is recorded). The file is removed first, so the next worker runs normally.
"""

import os
import signal
from pathlib import Path

from notifications.backends.sms import TwilioBackend


def _die_if(moment: str) -> None:
    marker = Path(os.environ.get("CRASH_MARKER", "/nonexistent"))
    if marker.exists() and marker.read_text() == moment:
        marker.unlink()
        os.kill(os.getpid(), signal.SIGKILL)


class CrashingTwilioBackend(TwilioBackend):
    def __init__(self) -> None:
        _die_if("before")
        super().__init__()

    def send(self, *, to: str, body: str) -> str:
        sid = super().send(to=to, body=body)
        _die_if("after")
        return sid
