"""Build-speed benchmarks (issue 9): the naive loop, a plain process pool, and the build engine.

Run with ``make bench`` (or ``python benchmarks/bench.py [--reports N] [--repeat R] [--scale 10,50,200]
[--validate 1000,10000,100000] [--real R] [--figures]``). Every build row reports wall seconds, CPU
seconds of all processes (build and kernels, from ``RUSAGE_CHILDREN``) and peak memory: the largest sum
of the proportional set size (PSS) of all processes of the run, sampled every 50 ms with psutil. PSS
splits a page shared by several processes between them, so kernels forked from one template (sharing
its imported libraries) are not counted as if each had its own copy; on systems without PSS it is the
resident set size (RSS). Memory is sampled in one more run of each step, after the timed ones: sampling
costs about 0.5 s of CPU per build (reading every process's page tables 20 times a second), which on 2
cores slowed the run it measured by 0.2 s.

Builds into a throw-away project made of the fixture evidence and the
``ok_params`` fixture notebook (loads the evidence, one table, one figure), so figures compare like with
like; validation runs ``lymphoma-evidence validate`` on synthetic evidence (the fixture's result rows
repeated under new ids, still valid). Prints Markdown tables of medians; paste them into
benchmarks/RESULTS.md with the machine line.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


Measured = tuple[float, float, float]  # wall seconds, CPU seconds, peak MiB


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _memory(process) -> int:
    """Bytes of memory ``process`` (a ``psutil.Process``) accounts for: its PSS, else its RSS."""
    full = process.memory_full_info()
    return getattr(full, "pss", full.rss)


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Run ``run()``: wall seconds, CPU seconds of the child processes."""
    cpu, started = _children_cpu(), time.perf_counter()
    run()
    return time.perf_counter() - started, _children_cpu() - cpu


def peak_memory(run: Callable[[], object]) -> float:
    """Run ``run()``: the peak summed PSS (MiB) of the child processes, sampled every 50 ms (the sampling
    takes CPU from the run: never time a sampled run)."""
    import psutil

    me, peak, done = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += _memory(child)
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run()
    finally:
        done.set()
        sampler.join()
    return peak[0] / 2**20


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


def run_quietly(command: list, root: Path, env: dict[str, str] | None = None) -> None:
    """Run ``command`` with its output hidden; when it fails, stop with the end of what it wrote to stderr."""
    done = subprocess.run(command, env=env or env_for(root), cwd=root, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, errors="replace")
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} exited with {done.returncode}; its stderr ended:\n"
                         f"{done.stderr[-4000:]}")


def naive_loop(root: Path, count: int) -> None:
    """papermill CLI then jupyter nbconvert CLI, per report, sequentially."""
    out = root / "naive"
    out.mkdir(exist_ok=True)
    for i in range(count):
        executed = out / f"r{i:03d}.ipynb"
        subprocess.run([BIN / "papermill", root / "notebooks" / "ok_params.ipynb", executed,
                        "-p", "n_rows", str(i % 3 + 1), "--no-progress-bar"], check=True,
                       env=env_for(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], check=True,
                       env=env_for(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _pool_one(args: tuple[str, str, int]) -> None:
    import papermill
    from nbconvert import HTMLExporter

    notebook, executed, n_rows = args
    nb = papermill.execute_notebook(notebook, executed, parameters={"n_rows": n_rows},
                                    progress_bar=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    Path(executed).with_suffix(".html").write_text(body, encoding="utf-8")


def plain_pool(root: Path, count: int, jobs: int) -> None:
    """papermill + nbconvert APIs in a process pool, a fresh kernel per report (no warm pool)."""
    out = root / "pool"
    out.mkdir(exist_ok=True)
    os.environ.update(env_for(root))
    work = [(str(root / "notebooks" / "ok_params.ipynb"), str(out / f"r{i:03d}.ipynb"), i % 3 + 1)
            for i in range(count)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_pool_one, work))


def engine_build(root: Path, toml: Path, *flags: str, out: Path | None = None,
                 evidence: Path | None = None) -> None:
    run_quietly([BIN / "lymphoma-evidence", "build", "--reports", str(toml), "--evidence",
                 str(evidence or root / "evidence"), "--out", str(out or root / "reports"), *flags], root)


def synthetic_evidence(root: Path, rows: int, basis: str = "") -> Path:
    """The fixture evidence with ``rows`` result rows: its rows repeated, each copy a new trial.

    Ids, cohorts and trial names of every copy after the first get a copy suffix, so no check sees
    duplicates and each trial keeps the fixture's few results (an ORR and a CR per cohort), as real evidence
    does; the first copy keeps the ids the other tables (harms) refer to. ``basis`` "derived_ci"
    starts from the project's evidence instead (the fixture's schema has no CI columns) and turns every
    row with a count into one derived from a printed percentage and exact 95% CI (one decimal each,
    computed from the row's n and responders, so the rows stay valid); "" keeps the fixture's bases.
    """
    folder = root / "evidence"
    template = ROOT / "evidence" if basis else FIXTURES / "evidence_min"
    shutil.copytree(template, folder, ignore=shutil.ignore_patterns("*.md"))
    with (folder / "results.csv").open(encoding="utf-8", newline="") as handle:
        header, *template = list(csv.reader(handle))
    renamed = [header.index(column) for column in ("result_id", "cohort_id", "subgroup_of", "trial")]
    with (folder / "results.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            row = list(template[i % len(template)])
            copy = i // len(template)
            for column in renamed:  # the first copy keeps its ids: harms.csv refers to its cohorts
                row[column] = f"{row[column]}_s{copy}" if row[column] and copy else row[column]
            if basis and row[header.index("n")] and row[header.index("responders")]:
                derive(header, row, basis)
            writer.writerow(row)
    return folder


def derive(header: list[str], row: list[str], basis: str) -> None:
    """Make ``row`` a derived count: percent (and CI) printed to one decimal from its n and responders."""
    from scipy.stats import beta

    n, k = int(row[header.index("n")]), int(row[header.index("responders")])
    row[header.index("responders_basis")] = basis
    row[header.index("reported_percent")] = f"{100 * k / n:.1f}"
    if basis == "derived_ci":
        low = 0.0 if k == 0 else 100 * beta.ppf(0.025, k, n - k + 1)
        high = 100.0 if k == n else 100 * beta.ppf(0.975, k + 1, n - k)
        row[header.index("reported_ci_low")] = f"{low:.1f}"
        row[header.index("reported_ci_high")] = f"{high:.1f}"


def timed_validate(folder: Path) -> tuple[float, float, int, float]:
    """Run ``lymphoma-evidence validate`` on ``folder``: wall s, peak RSS MiB, problems found, CPU s."""
    started = time.perf_counter()
    child = subprocess.Popen([BIN / "lymphoma-evidence", "validate", str(folder)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    problems = sum(b".csv:" in line for line in output.splitlines())
    return (time.perf_counter() - started, usage.ru_maxrss / 1024, problems,
            usage.ru_utime + usage.ru_stime)


def validation_rows(sizes: list[int], repeat: int) -> list[tuple[str, int, float, float, int, float]]:
    """Per basis and size: median seconds, the largest peak RSS (MiB) and the problems reported."""
    rows = []
    for basis in ("", "derived_ci"):
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
                folder = synthetic_evidence(Path(tmp), size, basis)
                runs = [timed_validate(folder) for _ in range(repeat)]
            rows.append((basis or "as in the fixture", size, statistics.median(r[0] for r in runs),
                         max(r[1] for r in runs), runs[0][2], statistics.median(r[3] for r in runs)))
    return rows


Step = tuple[Callable[[], object], Callable[[], object] | None]  # what to time, what to do untimed first


def in_rounds(repeat: int, steps: list[Step]) -> list[Measured]:
    """Medians of wall and CPU seconds of each step over ``repeat`` rounds, and its peak MiB from one
    more round, sampled (:func:`peak_memory`).

    A round runs every step once, in order (each after its untimed preparation), so steps compared with
    one another meet the same load on the machine: a host that slows down for a minute slows every step
    of a round, instead of all the runs of one step.
    """
    runs: list[list[tuple[float, float]]] = [[] for _ in steps]
    for _ in range(repeat):
        for measured, (run, before) in zip(runs, steps, strict=True):
            if before:
                before()
            measured.append(timed(run))
    peaks = []
    for run, before in steps:
        if before:
            before()
        peaks.append(peak_memory(run))
    return [(statistics.median(wall for wall, _ in measured), statistics.median(cpu for _, cpu in measured),
             peak) for measured, peak in zip(runs, peaks, strict=True)]


Row = tuple[str, int, Measured]


def _emptied(folder: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def side_by_side(n: int, repeat: int, jobs: int) -> list[Row]:
    """Rows 1-4: naive loop, plain pool, the build (fresh kernels; into an empty folder; again with
    ``--force``), no-op; medians.

    ``--force`` after a first build is what CI and analysts run most: the build then reuses the last
    validation when evidence and validator are unchanged, and sizes its kernels by the recorded times.
    Into an empty folder (row 3b) it has neither: it validates and starts ``--jobs`` kernels.
    """
    with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
        root = Path(tmp)
        toml = make_project(root, n)
        empty = root / "empty"
        naive, pool, fresh, cold, full, noop = in_rounds(repeat, [
            (lambda: naive_loop(root, n), None),
            (lambda: plain_pool(root, n, jobs), None),
            (lambda: engine_build(root, toml, "--force", "--fresh-kernels"), None),
            (lambda: engine_build(root, toml, out=empty), _emptied(empty)),
            (lambda: engine_build(root, toml, "--force"), None),
            (lambda: engine_build(root, toml), None)])
    return [("1 naive loop (papermill CLI + nbconvert CLI)", n, naive),
            (f"2 APIs in a {jobs}-process pool", n, pool),
            ("3a build --force --fresh-kernels (one kernel per report)", n, fresh),
            ("3b lymphoma-evidence build into an empty folder", n, cold),
            ("3 lymphoma-evidence build --force", n, full),
            ("4 lymphoma-evidence build (no-op)", n, noop)]


def scale_rows(count: int, repeat: int) -> list[Row]:
    """Row 5: ``count`` variants of the fixture report, into an empty folder and ``--force`` again."""
    with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
        root = Path(tmp)
        toml = make_project(root, count)
        cold, full = in_rounds(repeat, [(lambda: engine_build(root, toml), _emptied(root / "reports")),
                                        (lambda: engine_build(root, toml, "--force"), None)])
    return [(f"5 build into an empty folder, {count} variants", count, cold),
            (f"5 build --force again, {count} variants", count, full)]


def real_reports(repeat: int, before: Path | None) -> list[Row]:
    """Row 7: the project's own reports (notebooks/reports.toml, real evidence): fresh kernels, into an
    empty folder, ``--force`` again; and, with ``before``, another checkout's own report set built the
    same way (its ``.venv``, ``notebooks/reports.toml`` and ``evidence/``), into an empty folder."""
    import tomllib

    toml = ROOT / "notebooks" / "reports.toml"
    count = len(tomllib.loads(toml.read_text(encoding="utf-8"))["report"])
    with tempfile.TemporaryDirectory(prefix="le-bench-") as tmp:
        out, empty, old_empty = Path(tmp) / "reports", Path(tmp) / "empty", Path(tmp) / "before"
        build = functools.partial(engine_build, ROOT, toml, evidence=ROOT / "evidence")
        steps: list[Step] = [(functools.partial(build, "--force", "--fresh-kernels", out=out), None),
                             (functools.partial(build, out=empty), _emptied(empty)),
                             (functools.partial(build, "--force", out=out), None)]
        names = ["7a the project's reports, build --force --fresh-kernels",
                 "7b the project's reports, build into an empty folder",
                 "7 the project's reports, build --force"]
        counts = [count] * 3
        if before is not None:
            old_toml = before / "notebooks" / "reports.toml"
            counts.append(len(tomllib.loads(old_toml.read_text(encoding="utf-8"))["report"]))
            commit = subprocess.run(["git", "-C", str(before), "rev-parse", "--short", "HEAD"],
                                    capture_output=True, text=True, check=False).stdout.strip()
            command = [before / ".venv" / "bin" / "lymphoma-evidence", "build", "--out", str(old_empty)]
            clean = {k: v for k, v in os.environ.items() if not k.startswith("LYMPHOMA_EVIDENCE")}
            steps.append((lambda: run_quietly(command, before, clean), _emptied(old_empty)))
            names.append(f"7c before: {commit or before}'s own reports, build into an empty folder")
        return list(zip(names, counts, in_rounds(repeat, steps), strict=True))


def figure_formats() -> list[str]:
    """PNG (as embedded before, 150 dpi) against SVG (embedded now) for report figures, real evidence."""
    import base64
    import io

    import matplotlib

    from lymphoma_evidence.analysis.eligibility import PatientProfile
    from lymphoma_evidence.analysis.selections import forest_rows_for
    from lymphoma_evidence.data.evidence import load_evidence
    from lymphoma_evidence.figures.charts import forest_plot
    from lymphoma_evidence.figures.style import house_style
    from lymphoma_evidence.reports.briefing import Briefing
    from lymphoma_evidence.reports.display import HTML_DPI
    from lymphoma_evidence.reports.evidence_figures import eligibility_figure, ranges_figure

    evidence = load_evidence(ROOT / "evidence")
    briefing = Briefing(evidence, audience="clinician", endpoint="ORR")

    summary = briefing.summary()
    drawings = {"forest (briefing)": lambda: forest_plot(forest_rows_for(evidence, summary,
                                                                         briefing.post_car_t), summary),
                "ranges (briefing)": lambda: ranges_figure(evidence),
                "eligibility (patient)": lambda: eligibility_figure(
                    evidence, PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False))}
    lines = ["| figure | draw s | PNG s | PNG KiB (base64) | SVG s | SVG KiB | SVG text elements |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, draw in drawings.items():
        started = time.process_time()
        fig, _ = draw()
        drawn = time.process_time() - started
        out = {}
        for fmt, options in (("png", {"dpi": HTML_DPI, "metadata": {"Software": None}}),
                             ("svg", {"metadata": {"Date": None, "Creator": None}})):
            buffer = io.BytesIO()
            started = time.process_time()
            with house_style(), matplotlib.rc_context({"svg.fonttype": "none",
                                                       "svg.hashsalt": "lymphoma-evidence"}):
                fig.savefig(buffer, format=fmt, **options)
            out[fmt] = (time.process_time() - started, buffer.getvalue())
        png_kib = len(base64.b64encode(out["png"][1])) / 1024
        svg = out["svg"][1]
        lines.append(f"| {name} | {drawn:.2f} | {out['png'][0]:.2f} | {png_kib:.0f} | {out['svg'][0]:.2f} | "
                     f"{len(svg) / 1024:.0f} | {svg.count(b'<text')} |")
    return lines


def machine_load() -> str:
    """The load average, and the CPU seconds a fixed piece of Python takes (median of 3; about 0.19-0.21 s
    on this machine when its host leaves it alone). A host that takes CPU from this machine hardly shows in
    its counters (the steal time stays near zero), but it stretches every CPU second the machine accounts:
    this calibration, like the naive loop's row, says how loaded a run was."""
    def calibration() -> float:
        started = time.process_time()
        sum(i * i for i in range(2_000_000))
        return time.process_time() - started

    return (f"load average {os.getloadavg()[0]:.1f}, calibration loop "
            f"{statistics.median(calibration() for _ in range(3)):.2f} CPU s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=6, help="reports in the side-by-side runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--scale", default="10,50,200", help="report counts for the scale runs")
    parser.add_argument("--validate", default="1000,10000,100000",
                        help="result-row counts of the synthetic evidence for the validation runs")
    parser.add_argument("--real", type=int, default=3,
                        help="runs of the project's own reports, fresh vs reused kernels (0: skip)")
    parser.add_argument("--figures", action=argparse.BooleanOptionalAction, default=True,
                        help="measure PNG against SVG for the report figures")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout (with its own .venv) whose report set row 7c builds, e.g. the "
                             "commit before an optimisation")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"at the start: {machine_load()}", flush=True)
    rows: list[Row] = []

    def emit(new: list[Row]) -> None:
        """Print rows as soon as they are measured (a late failure loses nothing measured before it)."""
        if not rows:
            print("\n| run | reports | wall s | s/report | CPU s | peak MiB |")
            print("|---|---:|---:|---:|---:|---:|")
        rows.extend(new)
        for name, count, (wall, cpu, peak) in new:
            print(f"| {name} | {count} | {wall:.2f} | {wall / count:.2f} | {cpu:.1f} | {peak:.0f} |",
                  flush=True)

    if args.reports:
        emit(side_by_side(args.reports, args.repeat, args.jobs))
    for count in [int(c) for c in args.scale.split(",") if c]:
        emit(scale_rows(count, args.repeat))
    if args.real:
        emit(real_reports(args.real, args.before))
    checked = validation_rows([int(c) for c in args.validate.split(",") if c], args.repeat)
    if checked:
        print("\n| run | basis | result rows | wall s | CPU s | peak RSS MiB | problems |\n"
              "|---|---|---:|---:|---:|---:|---:|")
        for basis, size, seconds, peak, problems, cpu in checked:
            print(f"| 6 validate, synthetic evidence | {basis} | {size} | {seconds:.2f} | {cpu:.2f} | "
                  f"{peak:.0f} | {problems} |")
    if args.reports:
        naive, pool, fresh, cold, full, noop = (measured[0] for _, _, measured in rows[:6])
        print(f"\nbuild --force vs naive: {naive / full:.1f}x; vs plain pool: {pool / full:.1f}x; "
              f"vs fresh kernels: {fresh / full:.1f}x; into an empty folder vs naive: {naive / cold:.1f}x, "
              f"vs plain pool: {pool / cold:.1f}x; no-op = {noop:.2f} s")
    if args.figures:
        print("\n" + "\n".join(figure_formats()))
    print(f"at the end: {machine_load()}")


if __name__ == "__main__":
    main()
