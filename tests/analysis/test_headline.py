"""Tests for lymphoma_evidence.analysis.headline: the numbers sentences quote, and who they come from."""

from __future__ import annotations

import pandas as pd
import pytest

from lymphoma_evidence.analysis.headline import HEADLINE_COLUMNS, headline_numbers, lead_number
from lymphoma_evidence.data.evidence import Evidence

CLASSES = pd.DataFrame([{"class_id": "bsab", "name": "Bispecific antibodies", "display_order": 1},
                        {"class_id": "allo", "name": "Allogeneic transplant", "display_order": 2}])
AGENTS = pd.DataFrame([{"agent_id": "odro", "name": "Odronextamab", "class_id": "bsab"},
                       {"agent_id": "hct", "name": "Allogeneic HCT", "class_id": "allo"}])
SOURCES = pd.DataFrame([{"source_id": "elm1", "label": "Topp 2025 (ELM-1)"},
                        {"source_id": "elm2", "label": "Kim 2025 (ELM-2)"},
                        {"source_id": "zurko", "label": "Zurko 2023"},
                        {"source_id": "small", "label": "Small 2024"}])


def _result(result_id, trial, n, responders, percent, basis="reported", source="elm1"):
    return {"result_id": result_id, "scope_id": "odro", "trial": trial, "nct_id": None, "phase": "2",
            "disease": "LBCL", "population": "", "post_car_t": percent == 100, "prior_car_t_percent": percent,
            "cohort_id": result_id, "subgroup_of": None, "endpoint": "ORR", "n": n, "responders": responders,
            "responders_basis": basis, "analysis_set": "treated", "data_cutoff": pd.NaT,
            "median_follow_up_months": None, "source_id": source}


RESULTS = pd.DataFrame([_result("elm1_orr", "ELM-1", 60, 29, 100.0, basis="rounded"),
                        _result("elm2_orr", "ELM-2", 127, 66, None, source="elm2")])
OUTCOMES = pd.DataFrame([
    {"outcome_id": "z_os", "scope_id": "hct", "measure": "os_rate", "timepoint_months": 12, "value": 59.0,
     "ci_low": None, "ci_high": None, "n": 88, "population": "", "post_car_t": True,
     "prior_car_t_percent": None, "design": "retrospective", "source_id": "zurko"},
    {"outcome_id": "s_os", "scope_id": "allo", "measure": "os_rate", "timepoint_months": 12, "value": 40.0,
     "ci_low": None, "ci_high": None, "n": 20, "population": "", "post_car_t": True,
     "prior_car_t_percent": 100, "design": "retrospective", "source_id": "small"},
    {"outcome_id": "z_med", "scope_id": "hct", "measure": "median_os_months", "timepoint_months": None,
     "value": 15.5, "ci_low": None, "ci_high": None, "n": None, "population": "", "post_car_t": True,
     "prior_car_t_percent": 100, "design": "retrospective", "source_id": "zurko"},
])
HARMS = pd.DataFrame([
    {"harm_id": "elm1_crs3", "scope_id": "odro", "cohort_id": "elm1_orr", "trial": "ELM-1", "event": "crs",
     "grade": "grade_3_plus", "grading_system": "ASTCT", "n": 60, "patients": 3, "patients_basis": "reported",
     "reported_percent": 5.0, "population": "", "prior_car_t_percent": 100, "post_car_t": True,
     "design": "single_arm", "source_id": "elm1"},
])


@pytest.fixture
def tiny() -> Evidence:
    return Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=RESULTS,
                                outcomes=OUTCOMES)


def test_one_row_per_class_stratum_and_measure(tiny, evidence):
    for ev in (tiny, evidence):
        numbers = headline_numbers(ev)
        assert list(numbers.columns) == HEADLINE_COLUMNS
        assert not numbers.duplicated(["class_id", "stratum", "measure"]).any()


def test_a_single_study_number_is_its_own_rate_with_who_it_comes_from(tiny):
    row = lead_number(headline_numbers(tiny), "bsab", "ORR")
    assert row["stratum"] == "post_car_t"                       # direct evidence leads
    assert row["rate"] == pytest.approx(29 / 60)
    assert row["n_studies"] == 1 and row["n_patients"] == 60 and bool(row["single_study"])
    assert bool(row["approximate"])                             # the count came from a rounded percent
    assert row["population"] == "people whose lymphoma came back after CAR T-cell therapy: ELM-1 (60 people)"
    assert row["result_ids"] == "elm1_orr" and row["source_ids"] == "elm1"


def test_indirect_evidence_is_labelled_by_its_stratum(tiny):
    numbers = headline_numbers(tiny)
    row = lead_number(numbers, "bsab", "ORR", strata=("unknown",))
    assert row["population"].startswith("a population whose share with earlier CAR T-cell therapy was not")
    assert lead_number(numbers, "bsab", "ORR", strata=("car_t_naive",)) is None


def test_outcomes_quote_the_largest_series_and_say_so(tiny):
    row = lead_number(headline_numbers(tiny), "allo", "os_rate_12m")
    assert row["rate"] == pytest.approx(0.59) and row["n_patients"] == 88
    assert row["result_ids"] == "z_os"
    assert row["population"].endswith("Zurko 2023, 88 people; the largest of 2 series")


def test_medians_are_months_not_rates(tiny):
    row = lead_number(headline_numbers(tiny), "allo", "median_os_months")
    assert pd.isna(row["rate"]) and row["value"] == 15.5 and row["unit"] == "months"


def test_harms_are_rates_per_event_and_grade(tiny):
    ev = Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=RESULTS)
    object.__setattr__(ev, "harms", HARMS)  # before the harms table exists in every checkout
    row = lead_number(headline_numbers(ev), "bsab", "crs/grade_3_plus")
    assert row["rate"] == pytest.approx(3 / 60) and row["n_patients"] == 60
    assert row["ci_low"] < 0.05 < row["ci_high"]


def test_the_real_evidence_leads_with_direct_evidence_where_it_has_it(evidence):
    numbers = headline_numbers(evidence)
    row = lead_number(numbers, "bispecific_antibodies", "ORR")
    assert row["stratum"] == "post_car_t" and "ELM-1" in row["population"]
    assert lead_number(numbers, "salvage_chemo", "pfs_rate_12m")["stratum"] == "post_car_t"


def test_headline_numbers_do_not_change_the_evidence(tiny):
    before = tiny.results.copy()
    headline_numbers(tiny)
    pd.testing.assert_frame_equal(tiny.results, before)
