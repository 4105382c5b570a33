"""The executed notebook the build keeps for audit: papermill's record without wall-clock time under
SOURCE_DATE_EPOCH, and with the times as measured without it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lymphoma_evidence.publish.execute import kept_notebook

MEASURED = {"start_time": "2026-12-06T22:20:21.735052+00:00", "end_time": "2026-12-06T22:20:25.186831+00:00",
            "duration": 3.451779}
NBCLIENT = {"iopub.status.busy": "2026-12-06T22:20:21.743807Z",
            "shell.execute_reply": "2026-12-06T22:20:21.747267Z"}


def executed(scratch: str) -> nbformat.NotebookNode:
    """A notebook carrying the records papermill and nbclient leave after running it (the parameters cell
    papermill injects gets a random id; the notebook's own cells keep the ids committed with it)."""
    cells = [new_code_cell("x = 1", metadata={"tags": ["injected-parameters"], "execution": dict(NBCLIENT),
                                              "papermill": {**MEASURED, "status": "completed"}}),
             new_code_cell("x", id="cell-01", metadata={"execution": dict(NBCLIENT),
                                          "papermill": {**MEASURED, "status": "completed"}})]
    notebook = new_notebook(cells=cells)
    notebook.metadata["papermill"] = {**MEASURED, "output_path": scratch, "parameters": {"x": 1}}
    return notebook


def test_under_source_date_epoch_no_wall_clock_time_or_scratch_name_is_kept(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")
    kept = tmp_path / "executed" / "r.ipynb"
    first = kept_notebook(executed("/x/executed/.r.1a2b.partial.ipynb"), kept)
    second = kept_notebook(executed("/x/executed/.r.9f8e.partial.ipynb"), kept)
    assert first == second
    notebook = nbformat.reads(first, as_version=4)
    for record in [notebook.metadata.papermill, *(cell.metadata.papermill for cell in notebook.cells)]:
        assert record["start_time"] == record["end_time"] == "2026-12-01T00:00:00+00:00"
        assert record["duration"] is None
    assert notebook.metadata.papermill["output_path"] == str(kept)
    assert notebook.metadata.papermill["parameters"] == {"x": 1}
    assert all("execution" not in cell.metadata for cell in notebook.cells)
    assert notebook.cells[0].id == "injected-parameters"
    assert notebook.cells[1].metadata.papermill["status"] == "completed"
    assert "2026-12-06" not in first


def test_without_source_date_epoch_the_measured_times_are_kept(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    kept = tmp_path / "r.ipynb"
    notebook = nbformat.reads(kept_notebook(executed("/x/.r.1a2b.partial.ipynb"), kept), as_version=4)
    assert {key: notebook.metadata.papermill[key] for key in MEASURED} == MEASURED
    assert notebook.cells[1].metadata.execution == NBCLIENT
    assert notebook.metadata.papermill["output_path"] == str(kept)
    assert notebook.cells[0].id == "injected-parameters"
