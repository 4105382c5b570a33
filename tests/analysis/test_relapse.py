"""Outcomes by time to relapse after CAR-T: one row per published window, as printed, with its source."""

from __future__ import annotations

import pandas as pd
import pytest

from lymphoma_evidence import Evidence
from lymphoma_evidence.analysis import frames
from lymphoma_evidence.analysis.clinical import clinical_questions
from lymphoma_evidence.analysis.relapse import relapse_timing_table
from lymphoma_evidence.errors import ParameterError


def _outcome(outcome_id: str, scope_id: str, measure: str, value: float, relapse: str | None,
             post_car_t: bool = True, timepoint: float | None = None, n: int | None = None) -> dict:
    return {"outcome_id": outcome_id, "scope_id": scope_id, "measure": measure,
            "timepoint_months": timepoint, "value": value, "ci_low": None, "ci_high": None, "n": n,
            "population": f"people of {outcome_id}", "post_car_t": post_car_t,
            "prior_car_t_percent": 100.0 if post_car_t else None, "time_to_relapse": relapse,
            "design": "retrospective", "source_id": "src"}


@pytest.fixture
def small(evidence) -> Evidence:
    outcomes = pd.DataFrame([
        _outcome("early_os", "any", "median_os_months", 1.9, "within 2 months", n=40),
        _outcome("whole_os", "any", "median_os_months", 5.3, "any", n=387),
        _outcome("untimed_os", "any", "median_os_months", 5.0, None),
        _outcome("late_pfs_rate", "radiotherapy", "pfs_rate", 41.5, "after 3 months", timepoint=12),
        _outcome("agent_late", "odronextamab", "median_pfs_months", 10.5, "after 6 months"),
        _outcome("not_after_car_t", "odronextamab", "median_pfs_months", 3.0, None, post_car_t=False),
    ])
    sources = pd.DataFrame({"source_id": ["src"], "label": ["Source 2024"]})
    return Evidence.from_frames(outcomes=outcomes, sources=sources, classes=evidence.classes,
                                agents=evidence.agents)


def test_only_windows_of_time_to_relapse_after_car_t_are_kept(small) -> None:
    table = relapse_timing_table(small)
    assert list(table["outcome_id"]) == ["early_os", "agent_late", "late_pfs_rate"]


def test_values_are_months_or_proportions_and_agents_map_to_their_class(small) -> None:
    table = relapse_timing_table(small).set_index("outcome_id")
    assert table.loc["early_os", ["value", "unit", "n"]].tolist() == [1.9, "months", 40]
    assert table.loc["late_pfs_rate", "value"] == pytest.approx(0.415)
    assert table.loc["late_pfs_rate", "unit"] == "proportion"
    assert table.loc["agent_late", "class_id"] == "bispecific_antibodies"
    assert pd.isna(table.loc["early_os", "class_id"])
    assert set(table["source_label"]) == {"Source 2024"}


def test_one_class_keeps_its_own_rows(small) -> None:
    assert list(relapse_timing_table(small, class_id="radiotherapy")["outcome_id"]) == ["late_pfs_rate"]
    assert relapse_timing_table(small, class_id="adcs").empty


def test_the_real_table_meets_its_contract(evidence) -> None:
    table = relapse_timing_table(evidence)
    frames.RelapseTimingTable.validate(table)
    assert list(table.columns) == frames.columns("RelapseTimingTable")
    assert {"within 3 months (<=3 months)", "after 6 months (>6 months)"} <= set(table["time_to_relapse"])


def test_clinical_questions_are_for_clinicians_and_filter_by_class(evidence) -> None:
    every = clinical_questions(evidence)
    assert len(every) == len(evidence.clinical_questions)
    assert every["source_label"].notna().all()
    allo = clinical_questions(evidence, class_id="allo_sct")
    assert set(allo["class_id"]) == {"allo_sct"}
    assert clinical_questions(evidence, audience="patient").empty
    with pytest.raises(ParameterError, match="audience"):
        clinical_questions(evidence, audience="nurse")


def test_a_window_whose_median_was_not_reached_has_no_value_and_says_so(evidence) -> None:
    outcomes = pd.DataFrame([
        {**_outcome("late_os", "any", "median_os_months", None, "after 6 months"), "not_reached": True},
        {**_outcome("early_os", "any", "median_os_months", 1.9, "within 2 months"), "not_reached": None},
    ])
    sources = pd.DataFrame({"source_id": ["src"], "label": ["Source 2024"]})
    small = Evidence.from_frames(outcomes=outcomes, sources=sources, classes=evidence.classes,
                                 agents=evidence.agents)
    table = relapse_timing_table(small).set_index("outcome_id")
    frames.RelapseTimingTable.validate(table.reset_index())
    assert table.loc["late_os", "not_reached"] and pd.isna(table.loc["late_os", "value"])
    assert not table.loc["early_os", "not_reached"] and table.loc["early_os", "value"] == 1.9
