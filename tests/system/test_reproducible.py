"""Reproducible builds: the same inputs built twice under SOURCE_DATE_EPOCH give the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SHARED_EPOCH

pytestmark = pytest.mark.slow

#: 2026-12-01 00:00 UTC, as the reports the tests share (conftest's built_reports) were built.
EPOCH = SHARED_EPOCH


def _build(out: Path) -> dict[str, bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "build", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.html"))}


def test_two_builds_of_the_same_inputs_write_byte_identical_pages(built_reports: Path,
                                                                  tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in sorted(built_reports.glob("*.html"))}   # the shared build
    second = _build(tmp_path / "second")
    assert len(first) >= 10 and "index.html" in first
    differ = [name for name in first if first[name] != second.get(name)]
    assert not differ, f"pages that differ between two builds: {differ}"
    assert first.keys() == second.keys()
    index = first["index.html"].decode()
    assert "1 December 2026" in index          # the build day is SOURCE_DATE_EPOCH's
    assert 'id="cell-id=injected-parameters"' in first["briefing_clinician.html"].decode()
