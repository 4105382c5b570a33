"""Reproducible builds: the same inputs built twice under SOURCE_DATE_EPOCH give the same bytes, pages and
executed notebooks alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SHARED_EPOCH

pytestmark = pytest.mark.slow

#: 2026-12-01 00:00 UTC, as the reports the tests share (conftest's built_reports) were built.
EPOCH = SHARED_EPOCH


def _files(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern))}


@pytest.fixture(scope="module")
def second_build(fresh_kernel_reports: Path) -> Path:
    """The default reports built again, into a folder of their own, under the shared build's epoch (with
    a fresh kernel each, so the same build also shows that reports do not leak through a reused kernel)."""
    return fresh_kernel_reports


def test_two_builds_of_the_same_inputs_write_byte_identical_pages(built_reports: Path,
                                                                  second_build: Path) -> None:
    first = _files(built_reports, "*.html")   # the shared build
    second = _files(second_build, "*.html")
    assert len(first) >= 10 and "index.html" in first
    differ = [name for name in first if first[name] != second.get(name)]
    assert not differ, f"pages that differ between two builds: {differ}"
    assert first.keys() == second.keys()
    index = first["index.html"].decode()
    assert "1 December 2026" in index          # the build day is SOURCE_DATE_EPOCH's
    assert 'id="cell-id=injected-parameters"' in first["briefing_clinician.html"].decode()


def test_two_builds_of_the_same_inputs_keep_byte_identical_executed_notebooks(built_reports: Path,
                                                                              second_build: Path) -> None:
    """No wall-clock time and no temporary file name in the notebooks kept for audit; the only difference
    allowed is the output folder's own path (the build folder is where each build was asked to write)."""
    first = _files(built_reports / "executed", "*.ipynb")
    second = {name: data.replace(str(second_build).encode(), str(built_reports).encode())
              for name, data in _files(second_build / "executed", "*.ipynb").items()}
    assert len(first) >= 10 and first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"executed notebooks that differ between two builds: {differ}"
    notebook = json.loads(first["briefing_clinician.ipynb"])
    record = notebook["metadata"]["papermill"]
    assert record["start_time"] == record["end_time"] == "2026-12-01T00:00:00+00:00"
    assert record["duration"] is None
    assert record["output_path"] == str(built_reports / "executed" / "briefing_clinician.ipynb")
    for cell in notebook["cells"]:
        assert "execution" not in cell["metadata"]
        assert cell["metadata"]["papermill"]["start_time"] == "2026-12-01T00:00:00+00:00"
