"""Build-speed benchmarks (issue 9): the naive loop, a plain process pool, and the build engine.

Run with ``make bench`` (or ``python benchmarks/bench.py [--reports N] [--repeat R] [--scale 10,50,200]
[--validate 1000,10000,100000]``). Builds into a throw-away project made of the fixture evidence and the
``ok_params`` fixture notebook (loads the evidence, one table, one figure), so figures compare like with
like; validation runs ``lymphoma-evidence validate`` on synthetic evidence (the fixture's result rows
repeated under new ids, still valid). Prints Markdown tables of medians; paste them into
benchmarks/RESULTS.md with the machine line.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


def make_project(root: Path, count: int) -> Path:
    """A project with ``count`` parameter variants of the fixture notebook; returns reports.toml."""
    shutil.copytree(FIXTURES / "evidence_min", root / "evidence", ignore=shutil.ignore_patterns("*.md"))
    (root / "notebooks").mkdir()
    shutil.copy(FIXTURES / "notebooks" / "ok_params.ipynb", root / "notebooks")
    toml = "".join(f'[[report]]\nname = "r{i:03d}"\nnotebook = "ok_params.ipynb"\n'
                   f'[report.parameters]\ntitle = "Variant {i}"\nn_rows = {i % 3 + 1}\n\n'
                   for i in range(count))
    (root / "notebooks" / "reports.toml").write_text(toml, encoding="utf-8")
    return root / "notebooks" / "reports.toml"


def env_for(root: Path) -> dict[str, str]:
    return {**os.environ, "LYMPHOMA_EVIDENCE_ROOT": str(root), "MPLBACKEND": "Agg"}


def timed(command: list[str], root: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env_for(root), cwd=root, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def naive_loop(root: Path, count: int) -> float:
    """papermill CLI then jupyter nbconvert CLI, per report, sequentially."""
    out = root / "naive"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    for i in range(count):
        executed = out / f"r{i:03d}.ipynb"
        subprocess.run([BIN / "papermill", root / "notebooks" / "ok_params.ipynb", executed,
                        "-p", "n_rows", str(i % 3 + 1), "--no-progress-bar"], check=True,
                       env=env_for(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], check=True,
                       env=env_for(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _pool_one(args: tuple[str, str, int]) -> None:
    import papermill
    from nbconvert import HTMLExporter

    notebook, executed, n_rows = args
    nb = papermill.execute_notebook(notebook, executed, parameters={"n_rows": n_rows},
                                    progress_bar=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    Path(executed).with_suffix(".html").write_text(body, encoding="utf-8")


def plain_pool(root: Path, count: int, jobs: int) -> float:
    """papermill + nbconvert APIs in a process pool, a fresh kernel per report (no warm pool)."""
    out = root / "pool"
    out.mkdir(exist_ok=True)
    os.environ.update(env_for(root))
    work = [(str(root / "notebooks" / "ok_params.ipynb"), str(out / f"r{i:03d}.ipynb"), i % 3 + 1)
            for i in range(count)]
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_pool_one, work))
    return time.perf_counter() - started


def engine_build(root: Path, toml: Path, *flags: str) -> float:
    return timed([BIN / "lymphoma-evidence", "build", "--reports", str(toml), "--evidence",
                  str(root / "evidence"), "--out", str(root / "reports"), *flags], root)


def synthetic_evidence(root: Path, rows: int) -> Path:
    """The fixture evidence with ``rows`` result rows: its rows repeated, each copy a new trial.

    Ids, cohorts and trial names get a copy suffix, so no check sees duplicates and each trial keeps the
    fixture's few results (an ORR and a CR per cohort), as real evidence does.
    """
    folder = root / "evidence"
    shutil.copytree(FIXTURES / "evidence_min", folder, ignore=shutil.ignore_patterns("*.md"))
    with (folder / "results.csv").open(encoding="utf-8", newline="") as handle:
        header, *template = list(csv.reader(handle))
    renamed = [header.index(column) for column in ("result_id", "cohort_id", "subgroup_of", "trial")]
    with (folder / "results.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            row = list(template[i % len(template)])
            for column in renamed:
                row[column] = f"{row[column]}_s{i // len(template)}" if row[column] else ""
            writer.writerow(row)
    return folder


def timed_validate(folder: Path) -> tuple[float, float, int]:
    """Run ``lymphoma-evidence validate`` on ``folder``: wall seconds, peak RSS in MiB, problems found."""
    started = time.perf_counter()
    child = subprocess.Popen([BIN / "lymphoma-evidence", "validate", str(folder)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    problems = sum(b".csv:" in line for line in output.splitlines())
    return time.perf_counter() - started, usage.ru_maxrss / 1024, problems


def validation_rows(sizes: list[int], repeat: int) -> list[tuple[int, float, float, int]]:
    """Per size: median seconds, the largest peak RSS (MiB) and the number of problems reported."""
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
            folder = synthetic_evidence(Path(tmp), size)
            runs = [timed_validate(folder) for _ in range(repeat)]
        rows.append((size, statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]))
    return rows


def median_of(repeat: int, run) -> float:
    return statistics.median(run() for _ in range(repeat))


def side_by_side(n: int, repeat: int, jobs: int) -> list[tuple[str, int, float]]:
    """Rows 1-4: the naive loop, the plain pool, the full build and the no-op build, medians of ``repeat``."""
    with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
        root = Path(tmp)
        toml = make_project(root, n)
        naive = median_of(repeat, lambda: naive_loop(root, n))
        pool = median_of(repeat, lambda: plain_pool(root, n, jobs))
        full = median_of(repeat, lambda: engine_build(root, toml, "--force"))
        noop = median_of(repeat, lambda: engine_build(root, toml))
    return [("1 naive loop (papermill CLI + nbconvert CLI)", n, naive),
            (f"2 APIs in a {jobs}-process pool", n, pool),
            ("3 lymphoma-evidence build --force", n, full),
            ("4 lymphoma-evidence build (no-op)", n, noop)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=6, help="reports in the side-by-side runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--scale", default="10,50,200", help="report counts for the scale runs")
    parser.add_argument("--validate", default="1000,10000,100000",
                        help="result-row counts of the synthetic evidence for the validation runs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rows = []
    if args.reports:
        rows += side_by_side(args.reports, args.repeat, args.jobs)
    for count in [int(c) for c in args.scale.split(",") if c]:
        with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
            toml = make_project(Path(tmp), count)
            rows.append((f"5 build --force, {count} variants", count,
                         engine_build(Path(tmp), toml, "--force")))
    checked = validation_rows([int(c) for c in args.validate.split(",") if c], args.repeat)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if rows:
        print("\n| run | reports | seconds | s/report |\n|---|---:|---:|---:|")
    for name, count, seconds in rows:
        print(f"| {name} | {count} | {seconds:.2f} | {seconds / count:.2f} |")
    if checked:
        print("\n| run | result rows | seconds | peak RSS MiB | problems |\n|---|---:|---:|---:|---:|")
        for size, seconds, peak, problems in checked:
            print(f"| 6 validate, synthetic evidence | {size} | {seconds:.2f} | {peak:.0f} | {problems} |")
    if args.reports:
        naive, pool, full, noop = (seconds for _, _, seconds in rows[:4])
        print(f"\nfull build vs naive: {naive / full:.1f}x; vs plain pool: {pool / full:.1f}x; "
              f"no-op = {noop:.2f} s ({100 * noop / full:.1f}% of a full build)")


if __name__ == "__main__":
    main()
