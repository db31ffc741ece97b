"""Run the benchmarks and print one Markdown table: ``python -m bench [NAME ...]``.

Every module of this package (except harness and private ``_`` modules) is imported, so that
its ``@benchmark`` functions register. The table is also written to ``<out>/results.md``, with
every figure and the machine in ``<out>/results.json``. Exit status 1 if a row fails or errs.
"""

import argparse
import datetime
import importlib
import json
import multiprocessing
import os
import pkgutil
import platform
import signal
import subprocess
import sys
import time
import traceback
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any

import bench
from bench._child import run_in_child
from bench.harness import BASE_DIR, REGISTRY, Benchmark, Context, Row

COLUMNS = ["benchmark", "measure", "value", "target", "verdict"]
NOT_BENCHMARKS = {"harness"}


def discover() -> None:
    for module in pkgutil.iter_modules(bench.__path__):
        if not module.name.startswith("_") and module.name not in NOT_BENCHMARKS:
            importlib.import_module(f"bench.{module.name}")


def run_one(entry: Benchmark, ctx: Context) -> tuple[list[Row], float]:
    """The rows of one benchmark; if it crashes, the rows it gave plus one error row."""
    rows: list[Row] = []
    started = time.monotonic()
    ctx.log(f"{entry.name}: start (budget {entry.budget_s:.0f} s)")
    try:
        iterator = iter(entry.func(ctx))
        # Closing a generator runs its `finally`s (servers stopped) even if we stop early.
        with closing(iterator) if hasattr(iterator, "close") else nullcontext():
            rows.extend(iterator)
    except Exception as error:  # one broken benchmark must not hide the others' rows
        traceback.print_exc(file=sys.stderr)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        rows.append(Row(entry.name, "error", float("nan"), error=message))
    elapsed = time.monotonic() - started
    ctx.log(f"{entry.name}: done in {elapsed:.1f} s")
    if elapsed > entry.budget_s:
        ctx.log(f"{entry.name}: WARNING over its budget of {entry.budget_s:.0f} s")
    return rows, elapsed


def run_isolated(entry: Benchmark, ctx: Context) -> tuple[list[Row], float]:
    """``run_one`` in a fresh interpreter: benchmarks set Django up with different settings
    (the notifications one with its workers' own), which one process can do only once."""
    processes = multiprocessing.get_context("spawn")
    receiver, sender = processes.Pipe(duplex=False)
    child = processes.Process(target=run_in_child, args=(entry.name, ctx, sender))
    started = time.monotonic()
    child.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:  # the child died without a word: a crash, the OOM killer...
        child.join()
        message = f"its process ended with exit code {child.exitcode}"
        return [Row(entry.name, "error", float("nan"), error=message)], time.monotonic() - started
    except BaseException:  # we are unwinding (Ctrl-C, SIGTERM): its finally blocks run too
        child.terminate()
        child.join()
        raise
    child.join()  # it has answered: let it exit on its own
    return result


def markdown_table(rows: list[Row]) -> str:
    lines = [COLUMNS, *[[cell.replace("|", "\\|") for cell in row.cells()] for row in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]

    def render(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(lines[0]), rule, *[render(line) for line in lines[1:]]])


def machine() -> dict[str, Any]:
    cpu_model = memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GiB"
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model or platform.processor(),
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f"{commit}+dirty" if dirty else commit


def caption(info: dict[str, Any], when: datetime.datetime) -> str:
    return (
        f"{when:%Y-%m-%d %H:%M} UTC · {info['cpus']} CPU {info['cpu_model']} · {info['memory']} · "
        f"Python {info['python']} · commit {info['commit'] or '?'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("BENCH_OUT") or BASE_DIR / "var" / "bench"),
        help="folder of results.md, results.json and logs (default: var/bench)",
    )
    args = parser.parse_args(argv)

    discover()
    if args.list:
        for entry in REGISTRY.values():
            print(f"{entry.name:<16} {entry.description} (≤ {entry.budget_s:.0f} s)")
        return 0
    unknown = [name for name in args.names if name not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    selected = [REGISTRY[name] for name in args.names] if args.names else list(REGISTRY.values())

    # A SIGTERM (CI timeout, kill) unwinds like Ctrl-C, so servers started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    args.out.mkdir(parents=True, exist_ok=True)
    ctx = Context(base_dir=BASE_DIR, out_dir=args.out.resolve())
    when = datetime.datetime.now(datetime.UTC)
    rows: list[Row] = []
    timings: dict[str, float] = {}
    for entry in selected:
        entry_rows, timings[entry.name] = run_isolated(entry, ctx)
        rows.extend(entry_rows)

    info = machine()
    table = markdown_table(rows)
    print(f"\n{table}\n\n_{caption(info, when)}_")
    (args.out / "results.md").write_text(f"{table}\n\n_{caption(info, when)}_\n")
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "date": when.isoformat(timespec="seconds"),
                "machine": info,
                "durations_s": {name: round(value, 1) for name, value in timings.items()},
                "rows": [row.as_json() for row in rows],
            },
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
            default=str,
        )
        + "\n"
    )
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
