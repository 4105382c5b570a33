"""Tests for lymphoma_evidence.analysis.strata: strata of directness, one analysis set per trial
population, pooling within strata only, and the test for a difference between strata."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from helpers import real_evidence

from lymphoma_evidence.analysis.strata import (
    STRATA,
    one_per_population,
    pool_within_strata,
    response_studies,
    stratum_of,
    stratum_summary,
    stratum_tests,
    with_strata,
)
from lymphoma_evidence.data.evidence import Evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.stats import pool_proportions

CLASSES = pd.DataFrame([
    {"class_id": "bsab", "name": "Bispecific antibodies", "display_order": 1},
    {"class_id": "adc", "name": "Antibody-drug conjugates", "display_order": 2},
])
AGENTS = pd.DataFrame([
    {"agent_id": "odro", "name": "Odronextamab", "class_id": "bsab"},
    {"agent_id": "glofit", "name": "Glofitamab", "class_id": "bsab"},
    {"agent_id": "pola", "name": "Polatuzumab vedotin", "class_id": "adc"},
])
SOURCES = pd.DataFrame([{"source_id": s, "label": s.upper()} for s in ("s1", "s2", "s3", "s4", "s5")])

_BASE = {"phase": "2", "disease": "LBCL", "subgroup_of": None, "responders_basis": "reported",
         "data_cutoff": pd.NaT, "median_follow_up_months": float("nan"), "post_car_t": False}


def result(result_id: str, scope_id: str, trial: str, endpoint: str, n: int, responders: int,
           percent: float | None, **extra) -> dict:
    row = _BASE | {"result_id": result_id, "scope_id": scope_id, "trial": trial, "nct_id": f"NCT-{trial}",
                   "endpoint": endpoint, "n": n, "responders": responders, "prior_car_t_percent": percent,
                   "cohort_id": f"{trial.lower()}_all", "analysis_set": "treated", "source_id": "s1"}
    return row | extra


#: Hand-checked strata (see the comments): the expected stratum, kept rows and pooled groups.
RESULTS = pd.DataFrame([
    # ELM-1 post-CAR-T cohort: 100% -> post_car_t
    result("elm1_orr", "odro", "ELM-1", "ORR", 60, 29, 100.0, post_car_t=True, source_id="s2"),
    # NP30179 whole population: 33.5% -> partly; its prior-CAR-T subgroup -> post_car_t
    result("np_orr", "glofit", "NP30179", "ORR", 155, 80, 33.5, analysis_set="itt", source_id="s3"),
    result("np_sub_orr", "glofit", "NP30179", "ORR", 52, 20, None, post_car_t=True,
           cohort_id="np_prior_car_t", subgroup_of="np30179_all", source_id="s3"),
    # ELM-2: percent not reported -> unknown; two analysis sets: itt is kept, evaluable dropped
    result("elm2_itt_orr", "odro", "ELM-2", "ORR", 127, 66, None, analysis_set="itt", source_id="s4"),
    result("elm2_ee_orr", "odro", "ELM-2", "ORR", 110, 66, None, analysis_set="efficacy_evaluable",
           source_id="s4"),
    # a class-scope post-CAR-T series (several bispecifics): class bsab, post_car_t
    result("series_orr", "bsab", "Series 2025", "ORR", 92, 40, 100.0, source_id="s5"),
    # Pola-BR: 0% -> car_t_naive, two data cuts of one cohort: the later is kept
    result("go_early_orr", "pola", "GO29365", "ORR", 106, 40, 0.0, data_cutoff=pd.Timestamp("2019-01-01")),
    result("go_late_orr", "pola", "GO29365", "ORR", 106, 44, 0.0, data_cutoff=pd.Timestamp("2020-07-07")),
])


@pytest.fixture
def tiny() -> Evidence:
    return Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=RESULTS)


def test_stratum_of_follows_the_published_share():
    assert [stratum_of(p) for p in (100, 99.9, 0.5, 0, None, float("nan"))] == [
        "post_car_t", "partly", "partly", "car_t_naive", "unknown", "unknown"]


def test_stratum_of_rejects_a_share_outside_0_to_100():
    with pytest.raises(ParameterError, match="outside 0-100"):
        stratum_of(150)


def test_post_car_t_flag_without_a_percent_counts_as_100():
    frame = with_strata(pd.DataFrame({"post_car_t": [True, False, True],
                                      "prior_car_t_percent": [None, None, 100]}))
    assert frame["prior_car_t_percent"].tolist()[0] == 100
    assert frame["stratum"].tolist() == ["post_car_t", "unknown", "post_car_t"]


def test_with_strata_does_not_change_the_callers_frame():
    frame = RESULTS.copy()
    with_strata(frame)
    pd.testing.assert_frame_equal(frame, RESULTS)


def test_hand_checked_strata_and_kept_rows(tiny):
    studies = response_studies(tiny, "ORR").set_index("result_id")
    assert studies["stratum"].to_dict() == {
        "elm1_orr": "post_car_t", "np_orr": "partly", "np_sub_orr": "post_car_t",
        "elm2_itt_orr": "unknown", "series_orr": "post_car_t", "go_late_orr": "car_t_naive"}
    assert studies.loc["series_orr", "class_id"] == "bsab"


def test_a_subgroup_is_dropped_when_its_whole_population_is_in_the_same_stratum():
    rows = pd.DataFrame([
        result("whole", "odro", "T1", "ORR", 100, 50, 100.0, cohort_id="t1_all"),
        result("sub", "odro", "T1", "ORR", 40, 25, 100.0, cohort_id="t1_sub", subgroup_of="t1_all"),
    ])
    ev = Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=rows)
    assert response_studies(ev)["result_id"].tolist() == ["whole"]


def test_one_per_population_prefers_itt_then_latest_cut_then_file_order():
    frame = with_strata(pd.DataFrame([
        result("a", "odro", "T", "ORR", 90, 40, 0.0, analysis_set="efficacy_evaluable",
               data_cutoff=pd.Timestamp("2024-01-01")),
        result("b", "odro", "T", "ORR", 100, 40, 0.0, analysis_set="itt"),
        result("c", "odro", "U", "ORR", 50, 20, 0.0),
        result("d", "odro", "U", "ORR", 50, 21, 0.0),
    ]))
    frame["population_key"] = frame["trial"]
    assert one_per_population(frame)["result_id"].tolist() == ["b", "d"]


def test_pooling_never_mixes_strata_and_counts_trials_and_patients(tiny):
    pooled = pool_within_strata(response_studies(tiny, "ORR")).set_index(["class_id", "stratum"])
    post = pooled.loc[("bsab", "post_car_t")]
    assert post["n_studies"] == 3 and post["n_patients"] == 60 + 52 + 92
    expected = pool_proportions([29, 20, 40], [60, 52, 92])
    assert post["rate"] == pytest.approx(expected.rate)
    assert pooled.loc[("bsab", "partly"), "n_patients"] == 155
    assert pooled.loc[("bsab", "unknown"), "n_patients"] == 127       # the ITT set, not 127 + 110
    assert pooled.loc[("adc", "car_t_naive"), "rate"] == pytest.approx(44 / 106)
    assert bool(pooled.loc[("adc", "car_t_naive"), "single_study"])


def _strata_of(evidence, ids: str) -> set[str]:
    studies = response_studies(evidence).set_index("result_id")
    return {studies.loc[i.strip(), "stratum"] for i in ids.split(";")}


@pytest.mark.parametrize("which", ["tiny", "real"])
def test_no_pooled_estimate_mixes_strata_or_counts_a_population_twice(which, tiny, evidence):
    ev = tiny if which == "tiny" else evidence
    summary = stratum_summary(ev)
    assert set(summary["stratum"]) <= set(STRATA)
    studies = response_studies(ev).set_index("result_id")
    for row in summary.itertuples(index=False):
        ids = [i.strip() for i in row.result_ids.split(";")]
        assert _strata_of(ev, row.result_ids) == {row.stratum}
        keys = studies.loc[ids, "population_key"]
        assert keys.is_unique, f"{row.class_id} {row.stratum} {row.measure} counts a population twice"
        assert row.n_studies == len(ids)
        assert row.n_patients == int(studies.loc[ids, "n"].sum())


def test_real_evidence_keeps_one_analysis_set_per_trial(evidence):
    studies = response_studies(evidence)
    for endpoint, group in studies.groupby("endpoint"):
        whole = group[group["subgroup_of"].isna()]
        assert whole.groupby(["nct_id", "stratum"]).size().max() == 1, endpoint


def test_stratum_tests_compare_strata_within_a_class(tiny):
    tests = stratum_tests(response_studies(tiny, "ORR"))
    row = tests.set_index("class_id").loc["bsab"]
    assert row["strata"] == "post_car_t; partly; unknown" and row["df"] == 2
    assert 0 <= row["p_value"] <= 1 and not math.isnan(row["qm"])
    assert "adc" not in set(tests["class_id"])         # one stratum: nothing to compare


def test_cohorts_by_time_to_relapse_are_different_patients_and_named_so():
    rows = pd.DataFrame([
        result("early", "odro", "T9", "ORR", 30, 10, 100.0, cohort_id="t9_early",
               time_to_relapse="within 3 months"),
        result("late", "odro", "T9", "ORR", 40, 22, 100.0, cohort_id="t9_late",
               time_to_relapse="after 3 months"),
    ])
    ev = Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=rows)
    studies = response_studies(ev)
    assert sorted(studies["result_id"]) == ["early", "late"]
    pooled = pool_within_strata(studies).iloc[0]
    assert pooled["n_patients"] == 70
    assert pooled["trials"] == ("T9 (relapse within 3 months after CAR-T); "
                                "T9 (relapse after 3 months after CAR-T)")


def test_count_trials_counts_a_trial_in_two_strata_once():
    from lymphoma_evidence.analysis.headline import headline_numbers
    from lymphoma_evidence.analysis.strata import count_trials

    numbers = headline_numbers(real_evidence())
    cr = numbers[(numbers["measure"] == "CR") & (numbers["class_id"] == "bispecific_antibodies")]
    assert set(cr["stratum"]) >= {"post_car_t", "partly"}  # NP30179: subgroup after CAR-T, whole partly
    assert int(cr["n_studies"].sum()) == count_trials(cr) + 1
    frame = pd.DataFrame({"trials": ["NP30179; ELM-1", "NP30179", "Shumilov 2025 (relapse within 3 months "
                                     "after CAR-T); Shumilov 2025 (relapse after 6 months after CAR-T)"]})
    assert count_trials(frame) == 3


def test_trials_that_print_their_share_pool_in_the_partly_stratum_and_silent_ones_stay_unknown(evidence):
    pooled = pool_within_strata(response_studies(evidence))
    cr = pooled[pooled["measure"] == "CR"].set_index(["class_id", "stratum"])
    partly = cr.loc[("bispecific_antibodies", "partly"), "trials"]
    assert set(partly.split("; ")) == {"NP30179", "EPCORE NHL-1"}
    assert cr.loc[("bispecific_antibodies", "unknown"), "trials"] == "ELM-2"
    assert ("adcs", "partly") not in cr.index   # LOTIS-2's share was seen only in news: not reported
    assert "LOTIS-2" in cr.loc[("adcs", "unknown"), "trials"]
