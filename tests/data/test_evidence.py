"""Loading the real evidence: typed, complete, refused when invalid."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import EVIDENCE, set_cell

from lymphoma_evidence import Evidence, EvidenceError, load_evidence
from lymphoma_evidence.data.evidence import content_hash


def test_real_evidence_loads_with_typed_columns() -> None:
    ev = load_evidence(EVIDENCE)
    assert len(ev.results) > 0 and len(ev.sources) > 0
    assert ev.results["n"].dtype == "Int64"
    assert ev.results["reported_percent"].dtype == "float64"
    assert ev.results["post_car_t"].dtype == "boolean"
    assert ev.sources["accessed"].dtype == "datetime64[ns]"
    assert ev.agents["name"].dtype == "string"
    assert ev.version and len(ev.content_hash) == 64


def test_every_result_row_cites_a_known_source() -> None:
    ev = load_evidence(EVIDENCE)
    assert set(ev.results["source_id"]) <= set(ev.sources["source_id"])


def test_invalid_evidence_is_refused_with_every_problem(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "endpoint", "PFS")
    set_cell(evidence_copy, "agents.csv", 3, "class_id", "nowhere")
    with pytest.raises(EvidenceError) as info:
        load_evidence(evidence_copy)
    located = {(p.file, p.line, p.column) for p in info.value.problems}
    assert {("results.csv", 2, "endpoint"), ("agents.csv", 3, "class_id")} <= located
    assert "results.csv:2:endpoint:" in str(info.value)


def test_content_hash_follows_any_csv_change(evidence_copy: Path) -> None:
    before = content_hash(evidence_copy)
    set_cell(evidence_copy, "agents.csv", 2, "notes", "edited")
    assert content_hash(evidence_copy) != before


def test_from_frames_fills_missing_tables_with_typed_empty_frames() -> None:
    results = pd.DataFrame({"result_id": ["a"], "n": pd.array([10], dtype="Int64")})
    ev = Evidence.from_frames(results=results)
    assert list(ev.agents.columns)[:2] == ["agent_id", "name"]
    assert len(ev.agents) == 0 and ev.agents["agent_id"].dtype == "string"
    results.loc[0, "n"] = 99
    assert ev.results.loc[0, "n"] == 10, "the bundle keeps a copy, not the caller's frame"


def test_from_frames_rejects_unknown_table_names() -> None:
    with pytest.raises(TypeError, match="unknown table"):
        Evidence.from_frames(resultz=pd.DataFrame())


def test_loaded_evidence_is_still_valid_until_a_file_changes(tmp_path: Path) -> None:
    from helpers import copy_evidence

    from lymphoma_evidence.data.evidence import still_valid

    folder = copy_evidence(EVIDENCE, tmp_path / "evidence")
    loaded = load_evidence(folder)
    assert still_valid(loaded)
    set_cell(folder, "results.csv", 2, "n", "many")
    assert not still_valid(loaded), "an edited file must be validated again"
    assert not still_valid(Evidence.from_frames(EVIDENCE, results=loaded.results))


def test_validating_the_same_tables_again_gives_the_same_problems_and_frames_of_its_own() -> None:
    from lymphoma_evidence.data.validate import check_folder

    _, frames, problems = check_folder(EVIDENCE)
    frames["results"]["n"] = -1  # a caller changing its frame must not change what the next call gets
    _, again, problems_again = check_folder(EVIDENCE)
    assert problems_again == problems
    assert (again["results"]["n"] >= 1).all()
