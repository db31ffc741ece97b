"""The entry point of a benchmark's own process (``bench.__main__.run_isolated``).

A module of its own because a spawned process imports its target by name, and ``__main__`` is
not importable under that name.
"""

import signal
import sys
from typing import Any

from bench.harness import REGISTRY, Context


def run_in_child(name: str, ctx: Context, connection: Any) -> None:
    from bench.__main__ import discover, run_one

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    discover()
    connection.send(run_one(REGISTRY[name], ctx))
