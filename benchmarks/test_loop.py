"""Time the test loop: `make quick` (lint, layers, types, the tests not marked slow) and the whole suite.

Usage::

    .venv/bin/python benchmarks/test_loop.py [--workers 2] [--suite quick|test|both] [--repeat 1]

Prints one row per step with its wall and CPU time (children included) and the host's load average and
number of CPUs before and after, so a reader can tell a loaded host from a slow loop. `make quick` and
`make test` run these same steps; the README records the numbers.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _lint() -> list[list[str]]:
    return [[str(BIN / "ruff"), "check", "lymphoma_evidence", "tests", "benchmarks"],
            [str(BIN / "lint-imports")], [str(BIN / "mypy")]]


def steps(suite: str, workers: int) -> list[tuple[str, list[list[str]], dict[str, str]]]:
    """``(name, commands, extra environment)`` of each timed step."""
    xdist = ["-n", str(workers)] if workers else []
    pytest = str(BIN / "pytest")
    quick = ("make quick", [*_lint(), [pytest, "-q", "-m", "not slow", *xdist]],
             {"HYPOTHESIS_PROFILE": "quick"})
    full = ("make test (lint, pytest, nbval)",
            [*_lint(), [pytest, "-q", *xdist],
             [pytest, "-q", "--nbval", "notebooks/", "--nbval-current-env", "--nbval-sanitize-with",
              "tests/nbval_sanitize.cfg"]], {"REQUIRE_TOOLS": "1"})
    return {"quick": [lint_only(), quick], "test": [full], "both": [lint_only(), quick, full]}[suite]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def lint_only() -> tuple[str, list[list[str]], dict[str, str]]:
    """The lint part alone (serial: ruff, import-linter, mypy), to tell it from the tests."""
    return ("lint, layers, types", _lint(), {})


def timed(commands: list[list[str]], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of running ``commands`` one after another, and the first non-zero exit code."""
    started, cpu = time.perf_counter(), _children_cpu()
    code = 0
    for command in commands:
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode and not code:
            code = done.returncode
            print(f"  {' '.join(command[:3])}... exited {code}: {done.stderr[-500:]}", file=sys.stderr)
    return time.perf_counter() - started, _children_cpu() - cpu, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (0: one process)")
    parser.add_argument("--suite", choices=["quick", "test", "both"], default="quick")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"host: {os.cpu_count()} CPUs; load average before {os.getloadavg()}")
    print("| step | workers | wall s | CPU s | exit |\n|---|---:|---:|---:|---:|")
    for name, commands, env in steps(args.suite, args.workers):
        for _ in range(args.repeat):
            wall, cpu, code = timed(commands, env)
            print(f"| {name} | {args.workers} | {wall:.1f} | {cpu:.1f} | {code} |", flush=True)
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
