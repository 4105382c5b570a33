"""The notebooks' stored outputs: stamped with the evidence hash, refreshed in place, stale ones caught."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, set_cell

from lymphoma_evidence.data.evidence import content_hash
from lymphoma_evidence.errors import BuildError, EvidenceError
from lymphoma_evidence.publish.refresh import (
    HASH_KEY,
    METADATA_KEY,
    REFRESH_COMMAND,
    refresh_notebooks,
    stale_notebooks,
    stored_evidence_hash,
)


def write_notebook(path: Path, *sources: str, evidence_hash: str | None = None) -> Path:
    """A notebook of code cells with ``sources``, optionally stamped with an evidence hash."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if evidence_hash is not None:
        notebook.metadata[METADATA_KEY] = {HASH_KEY: evidence_hash}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def project(evidence_copy: Path) -> Path:
    """A throw-away project: a copy of the real evidence and an empty notebooks folder."""
    (evidence_copy.parent / "notebooks").mkdir()
    return evidence_copy.parent


def test_stored_notebook_outputs_were_made_from_the_current_evidence():
    stale = stale_notebooks(ROOT)
    names = ", ".join(path.name for path in stale)
    assert not stale, (f"The stored outputs of {names} were not made from the current evidence/ "
                       f"(evidence changed since they were saved). Run `{REFRESH_COMMAND}` and commit the "
                       "notebooks.")


def test_project_notebooks_are_committed_with_outputs_of_every_code_cell():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        unrun = [i for i, cell in enumerate(notebook.cells)
                 if cell.cell_type == "code" and cell.execution_count is None]
        assert not unrun, f"{path.name}: cells {unrun} have no stored outputs; run `{REFRESH_COMMAND}`"


def test_notebook_stamped_with_the_current_hash_is_fresh(project: Path):
    write_notebook(project / "notebooks" / "a.ipynb", "1", evidence_hash=content_hash(project / "evidence"))
    assert stale_notebooks(project) == []


def test_notebook_is_stale_after_a_csv_changes(project: Path):
    path = write_notebook(project / "notebooks" / "a.ipynb", "1",
                          evidence_hash=content_hash(project / "evidence"))
    set_cell(project / "evidence", "sources.csv", 2, "citation", "A changed citation")
    assert stale_notebooks(project) == [path]


def test_notebook_without_a_recorded_hash_is_stale(project: Path):
    path = write_notebook(project / "notebooks" / "a.ipynb", "1")
    assert stored_evidence_hash(path) is None
    assert stale_notebooks(project) == [path]


@pytest.mark.slow
def test_refresh_stores_outputs_and_the_evidence_hash_and_keeps_sources(project: Path):
    path = write_notebook(project / "notebooks" / "a.ipynb", "6 * 7", "print('hello')")
    assert refresh_notebooks(project) == [path]
    notebook = nbformat.read(path, as_version=4)
    assert [cell.source for cell in notebook.cells] == ["6 * 7", "print('hello')"]
    assert notebook.cells[0].outputs[0]["data"]["text/plain"] == "42"
    assert notebook.cells[1].outputs[0]["text"] == "hello\n"
    assert stored_evidence_hash(path) == content_hash(project / "evidence")
    assert "execution" not in notebook.cells[0].metadata  # no timings: re-saving gives stable diffs
    assert stale_notebooks(project) == []


@pytest.mark.slow
def test_refresh_keeps_a_notebook_whose_cell_raises_byte_for_byte(project: Path):
    path = write_notebook(project / "notebooks" / "a.ipynb", "raise ValueError('boom')")
    before = path.read_bytes()
    expected = r"a\.ipynb: a cell raised ValueError: boom\. Its stored outputs were kept.*make notebooks"
    with pytest.raises(BuildError, match=expected):
        refresh_notebooks(project)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["a.ipynb"]  # no temporary file left behind


def test_refresh_on_invalid_evidence_touches_no_notebook(project: Path):
    path = write_notebook(project / "notebooks" / "a.ipynb", "1")
    before = path.read_bytes()
    set_cell(project / "evidence", "results.csv", 2, "n", "-5")
    with pytest.raises(EvidenceError):
        refresh_notebooks(project)
    assert path.read_bytes() == before
