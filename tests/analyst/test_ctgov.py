"""ClinicalTrials.gov API v2 records -> trials.csv rows: parsing, update in place, new trials, the
validated atomic write, draft sources rows, and bad records.

The records under tests/fixtures/ctgov/ are made by the project in the API v2 structure; the NCT09...
ones are synthetic (not real trials)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, digest, find_line, read_rows

from lymphoma_evidence.analyst.ctgov import (
    TrialRecordError,
    draft_source,
    import_trials,
    parse_study,
    read_records,
)
from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.validate import validate_evidence
from lymphoma_evidence.errors import EvidenceError, ParameterError

RECORDS = FIXTURES / "ctgov"
KITE = RECORDS / "kite363_active_not_recruiting.json"
NEW = RECORDS / "synthetic_new_allogeneic_recruiting.json"
SEARCH = RECORDS / "search_two_studies.json"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid evidence folder whose trials.csv holds NCT04989803 (status RECRUITING)."""
    target = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence_min", target)
    return target


def _row(folder: Path, nct_id: str) -> dict[str, str]:
    rows = read_rows(folder / "trials.csv")
    return dict(zip(rows[0], rows[find_line(folder, "trials.csv", nct_id=nct_id) - 1], strict=True))


def test_a_record_gives_status_phase_date_and_interventions() -> None:
    (record,) = read_records([KITE])
    study = json.loads(KITE.read_text(encoding="utf-8"))["protocolSection"]
    assert record.nct_id == study["identificationModule"]["nctId"]
    assert record.status == "ACTIVE_NOT_RECRUITING"
    assert record.phase == "1/2"
    assert record.last_update == study["statusModule"]["lastUpdatePostDateStruct"]["date"]
    names = [i["name"] for i in study["armsInterventionsModule"]["interventions"]]
    assert record.interventions == "; ".join(names)


def test_a_search_response_yields_every_study() -> None:
    records = read_records([SEARCH])
    assert [(r.nct_id, r.phase, r.status) for r in records] == [
        ("NCT09000002", "early 1", "NOT_YET_RECRUITING"), ("NCT09000003", "1/2", "COMPLETED")]


def test_known_trial_is_updated_in_place_keeping_curated_columns(folder: Path) -> None:
    before = _row(folder, "NCT04989803")
    other_tables = {p.name: p.read_bytes() for p in folder.glob("*.csv") if p.name != "trials.csv"}
    (update,) = import_trials([KITE], folder, write=True)
    after = _row(folder, "NCT04989803")
    assert {c.column for c in update.changes} >= {"status", "status_date"}
    assert after["status"] == "ACTIVE_NOT_RECRUITING" and after["status_date"] == "2026-08-20"
    for column in ("title", "class_id", "population"):
        assert after[column] == before[column]
    assert {p.name: p.read_bytes() for p in folder.glob("*.csv") if p.name != "trials.csv"} == other_tables
    assert validate_evidence(folder) == []


def test_without_write_nothing_changes(folder: Path) -> None:
    before = digest(folder)
    (update,) = import_trials([KITE], folder)
    assert update.row["status"] == "ACTIVE_NOT_RECRUITING"
    assert digest(folder) == before


def test_a_new_trial_needs_a_class_id(folder: Path) -> None:
    before = digest(folder)
    with pytest.raises(ParameterError, match="NCT09000001 is not in trials.csv yet.*--class-id"):
        import_trials([NEW], folder, write=True)
    assert digest(folder) == before


def test_a_new_trial_is_appended_with_the_given_class(folder: Path) -> None:
    old_lines = (folder / "trials.csv").read_text(encoding="utf-8").splitlines()
    (update,) = import_trials([NEW], folder, class_id="allogeneic_car_t", write=True)
    assert update.is_new
    lines = (folder / "trials.csv").read_text(encoding="utf-8").splitlines()
    assert lines[: len(old_lines)] == old_lines and len(lines) == len(old_lines) + 1
    row = _row(folder, "NCT09000001")
    assert (row["class_id"], row["phase"], row["status"]) == ("allogeneic_car_t", "2", "RECRUITING")
    assert validate_evidence(folder) == []


def test_an_unknown_class_id_is_refused_and_nothing_is_written(folder: Path) -> None:
    before = digest(folder)
    with pytest.raises(EvidenceError) as caught:
        import_trials([NEW], folder, class_id="no_such_class", write=True)
    assert [(p.file, p.column) for p in caught.value.problems] == [("trials.csv", "class_id")]
    assert digest(folder) == before


def test_an_older_record_leaves_the_row_alone(folder: Path, tmp_path: Path) -> None:
    study = json.loads(KITE.read_text(encoding="utf-8"))
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2020-01-01"
    older = tmp_path / "older.json"
    older.write_text(json.dumps(study), encoding="utf-8")
    (update,) = import_trials([older], folder)
    assert not update.changes and "before status_date" in update.note


def test_draft_source_row_points_at_the_registry() -> None:
    (record,) = read_records([NEW])
    row = draft_source(record, today=date(2026, 11, 26))
    assert row["source_id"] == "ctgov_nct09000001"
    assert row["url"] == "https://clinicaltrials.gov/study/NCT09000001"
    assert (row["nct_id"], row["accessed"], row["source_type"]) == ("NCT09000001", "2026-11-26", "")


def _study(**status) -> dict:
    return {"protocolSection": {
        "identificationModule": {"nctId": "NCT09000009", "briefTitle": "Synthetic"},
        "statusModule": {"overallStatus": "RECRUITING",
                         "lastUpdatePostDateStruct": {"date": "2026-01-01"}, **status},
        "designModule": {"phases": ["PHASE2"]}}}


@pytest.mark.parametrize(("study", "message"), [
    ({"studies": []}, "holds no study"),
    ({"nctId": "NCT09000009"}, "has no protocolSection"),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT123", "briefTitle": "x"}}},
     "'NCT123' is not NCT \\+ 8 digits"),
    (_study(overallStatus="AVAILABLE"), "overallStatus 'AVAILABLE' is not a trial status"),
    (_study(lastUpdatePostDateStruct={"date": "2026-01"}), "has no statusModule.lastUpdatePostDateStruct"),
])
def test_bad_records_are_refused_with_the_reason(tmp_path: Path, study: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    with pytest.raises(TrialRecordError, match=message):
        read_records([path])


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text("<html>not json</html>", encoding="utf-8")
    with pytest.raises(TrialRecordError, match="is not JSON"):
        read_records([path])


def test_unknown_phase_is_refused() -> None:
    study = _study()
    study["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    with pytest.raises(TrialRecordError, match="designModule.phases"):
        parse_study(study, "x.json")


def test_cli_prints_the_row_changes_and_draft_source(folder: Path) -> None:
    before = digest(folder)
    result = CliRunner().invoke(cli, ["import-trial", str(KITE), "--source", "--evidence", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ",".join(read_rows(folder / "trials.csv")[0])
    assert "NCT04989803: status RECRUITING -> ACTIVE_NOT_RECRUITING" in lines
    assert ",".join(read_rows(folder / "sources.csv")[0]) in lines
    assert digest(folder) == before


def test_cli_write_updates_trials_csv(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["import-trial", str(NEW), "--class-id", "allogeneic_car_t",
                                      "--write", "--evidence", str(folder)])
    assert result.exit_code == 0, result.output
    assert _row(folder, "NCT09000001")["class_id"] == "allogeneic_car_t"
