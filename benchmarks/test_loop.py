"""Time the test loop: `make quick` (validate, lint, the fast tests an evidence edit can break) and the
whole suite (`make test`'s pytest and nbval steps), and where the time goes.

Usage::

    .venv/bin/python benchmarks/test_loop.py [--suite quick|test|both] [--workers 2] [--repeat 1]
    .venv/bin/python benchmarks/test_loop.py --by-dir [--marker "not slow"]

Each step runs the commands `make` runs (read from the Makefile with ``make -n``, so the two cannot drift
apart) and prints its wall seconds and CPU seconds (user + system of every child process: pytest, its
workers, the kernels and browsers they start), with the host's load average before and after: on a shared
host the wall time depends on the other jobs, the CPU time much less. On an idle host with 2 cores the wall
time of a well-spread run is about CPU / 2.

``--by-dir`` runs pytest once per test folder (one process, no workers) and prints each folder's wall and
CPU seconds, to see where the time goes. Speed is measured here, never in a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: `make` flags that take the installed venv as up to date (a benchmark never installs).
NO_INSTALL = ["-o", ".venv/.installed", "-o", ".venv/.installed-test", "-o", "tools"]


def make_commands(target: str, workers: int) -> list[str]:
    """The shell commands `make TARGET` runs, in order (its prerequisites' too), as `make -n` prints them."""
    done = subprocess.run(["make", "-n", "-s", *NO_INSTALL, target, f"PYTEST_WORKERS={workers}"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return [line for line in done.stdout.splitlines() if line.strip() and not line.startswith(("make", "@"))]


def steps(suite: str, workers: int) -> list[tuple[str, list[str]]]:
    """``(name, shell commands)`` of each timed step."""
    lint = make_commands("lint", workers)
    quick = [c for c in make_commands("quick", workers) if c not in lint]
    test = [c for c in make_commands("test", workers) if c not in lint and "npm ci" not in c
            and "missing=" not in c]
    chosen = {"quick": [("lint, layers, types", lint), ("make quick (after lint)", quick)],
              "test": [("make test (pytest, nbval; after lint)", test)],
              "both": [("lint, layers, types", lint), ("make quick (after lint)", quick),
                       ("make test (pytest, nbval; after lint)", test)]}
    return chosen[suite]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall and CPU seconds of running ``commands`` (shell lines) one after another, and the first non-zero
    exit code."""
    started, cpu = time.perf_counter(), _children_cpu()
    code = 0
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=ROOT, env={**os.environ, **(env or {})},
                              check=False, capture_output=True, text=True)
        if done.returncode and not code:
            code = done.returncode
            print(f"  {command[:80]}... exited {code}:\n{done.stdout[-3000:]}{done.stderr[-1000:]}",
                  file=sys.stderr)
    return time.perf_counter() - started, _children_cpu() - cpu, code


def by_directory(marker: str) -> None:
    """Wall and CPU seconds of pytest on each test folder (and the top-level test files), one process."""
    folders = sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name not in
                     ("fixtures", "__pycache__"))
    groups = [(f"tests/{p.name}", [str(p)]) for p in folders]
    groups.append(("tests/test_*.py", [str(p) for p in sorted((ROOT / "tests").glob("test_*.py"))]))
    print("| folder | wall s | CPU s | exit |\n|---|---:|---:|---:|")
    for name, paths in groups:
        command = shlex.join([str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-m", marker, *paths])
        wall, cpu, code = timed([command], {"HYPOTHESIS_PROFILE": "quick"} if marker == "not slow" else {})
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {code} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (0: one process)")
    parser.add_argument("--suite", choices=["quick", "test", "both"], default="quick")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--by-dir", action="store_true", help="time pytest per test folder instead")
    parser.add_argument("--marker", default="not slow", help="with --by-dir: the tests to run (-m)")
    args = parser.parse_args()
    print(f"host: {os.cpu_count()} CPUs; load average before {os.getloadavg()}")
    if args.by_dir:
        by_directory(args.marker)
    else:
        print("| step | workers | wall s | CPU s | exit |\n|---|---:|---:|---:|---:|")
        for name, commands in steps(args.suite, args.workers):
            for _ in range(args.repeat):
                wall, cpu, code = timed(commands)
                print(f"| {name} | {args.workers} | {wall:.1f} | {cpu:.1f} | {code} |", flush=True)
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
