"""Helpers shared by the tests: project paths, and reading or changing one cell of an evidence CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"
FIXTURES = ROOT / "tests" / "fixtures"


def copy_evidence(source: Path, target: Path) -> Path:
    """Copy an evidence folder (its CSVs and schema, not its Markdown notes) to ``target``; returns it."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def read_rows(path: Path) -> list[list[str]]:
    """All rows of a CSV file, header first."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write rows the way the project's CSVs are written (minimal quoting, LF line ends)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(folder: Path, file: str, line: int, column: str, value: str) -> None:
    """Set one cell, addressed like a validation message: file, line (header = 1), column."""
    rows = read_rows(folder / file)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(folder / file, rows)


def cell(folder: Path, file: str, line: int, column: str) -> str:
    """Read one cell, addressed by file, line and column."""
    rows = read_rows(folder / file)
    return rows[line - 1][rows[0].index(column)]


def find_line(folder: Path, file: str, **match: str) -> int:
    """The line of the first row whose columns equal ``match``."""
    rows = read_rows(folder / file)
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return number
    raise LookupError(f"no row in {file} with {match}")


def digest(folder: Path) -> str:
    """A hash of every file in a folder, to prove a command changed nothing."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


#: Start of the reason of every skip for a tool that is not installed: under CI=true (or
#: REQUIRE_TOOLS=1, as `make test` sets it) the conftest turns such a skip into a failure.
MISSING_TOOL = "missing tool: "


def require_tool(present: bool, reason: str, module: bool = False) -> None:
    """Skip the test (or, with ``module``, the whole module) when a tool it runs is not installed.

    The skip's reason starts with :data:`MISSING_TOOL`, so `make test` and CI fail instead of skipping.
    """
    import pytest

    if not present:
        pytest.skip(MISSING_TOOL + reason, allow_module_level=module)


def libreoffice() -> str | None:
    """The LibreOffice program (Debian's ``libreoffice``/``soffice``), or ``None`` when not installed."""
    return shutil.which("libreoffice") or shutil.which("soffice")


#: The browser tests' Chromium (Debian's package), axe-core (npm ci) and launch flags.
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def complete(frame, model):
    """``frame`` with every column of an analysis table ``model`` (missing ones empty), in the model's order
    and any extra columns after: for small hand-made tables in tests."""
    import pandas as pd

    from lymphoma_evidence.analysis.frames import columns

    wanted = columns(model)
    filled = frame.assign(**{c: pd.NA for c in wanted if c not in frame.columns})
    return filled[[*wanted, *(c for c in frame.columns if c not in wanted)]]


_REAL_EVIDENCE: dict[str, bytes] = {}


def real_evidence():
    """The project's evidence as ``load_evidence(EVIDENCE)`` returns it, validated once per test process:
    each call returns a fresh copy (unpickled from the first load, a few ms instead of a validation), so a
    test that changes its copy changes nothing for the next one. Tests of loading itself call
    ``load_evidence``."""
    import pickle

    from lymphoma_evidence.data.evidence import content_hash, load_evidence

    key = content_hash(EVIDENCE)   # a CSV changed during the run is loaded (and validated) again
    if key not in _REAL_EVIDENCE:
        _REAL_EVIDENCE.clear()
        _REAL_EVIDENCE[key] = pickle.dumps(load_evidence(EVIDENCE), protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.loads(_REAL_EVIDENCE[key])


def build_reports(out: Path, evidence: Path = EVIDENCE, only: tuple[str, ...] = ()) -> Path:
    """Build the reports (all, or those named in ``only``) and the index from ``evidence`` into ``out``,
    with the project's own command."""
    command = [sys.executable, "-m", "lymphoma_evidence", "build", "--evidence", str(evidence),
               "--out", str(out), "--jobs", "2", *(f"--only={name}" for name in only)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stderr}"
    return out


#: SOURCE_DATE_EPOCH of the reports the tests share (2026-12-01 00:00 UTC, after the evidence release): pages
#: say this date, and trial records are judged fresh or stale against it.
SHARED_EPOCH = "1796083200"


def build_once(folder: Path, lock: Path, *options: str) -> Path:
    """All default reports and the index built into ``folder`` with the project's command (and its
    ``options``, such as ``--fresh-kernels``), once for every process that asks (pytest-xdist workers share
    one build through ``lock``); read-only for the tests.

    Built under :data:`SHARED_EPOCH`, so builds can be compared byte for byte.
    """
    import fcntl
    import os
    import subprocess
    import sys

    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not (folder / "index.html").is_file():
            env = {**os.environ, "SOURCE_DATE_EPOCH": SHARED_EPOCH}
            command = [sys.executable, "-m", "lymphoma_evidence", "build", "--evidence", str(EVIDENCE),
                       "--out", str(folder), "--jobs", "2", *options]
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stderr}"
    return folder
