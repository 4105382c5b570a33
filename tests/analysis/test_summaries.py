"""Tests for lymphoma_evidence.analysis.summaries: response tables, class summaries, reported-range checks."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from helpers import real_evidence as project_evidence
from scipy.stats import beta

from lymphoma_evidence.analysis.frames import ClassSummary, RangeCheck, ResponseTable, columns
from lymphoma_evidence.analysis.summaries import (
    check_reported_ranges,
    class_summary,
    response_table,
)
from lymphoma_evidence.data.evidence import Evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.stats import pool_proportions

TEMPLATE = Evidence.from_frames()



def typed(table: str, rows: list[dict]) -> pd.DataFrame:
    """A frame with the loaded evidence's columns and dtypes (missing keys become empty cells)."""
    empty = getattr(TEMPLATE, table)
    return pd.DataFrame(rows, columns=empty.columns).astype(empty.dtypes.to_dict())


CLASSES = [
    {"class_id": "bispecific_antibodies", "name": "Bispecific antibodies", "display_order": 1},
    {"class_id": "adcs", "name": "Antibody-drug conjugates", "display_order": 2},
    {"class_id": "cd19_car_t", "name": "Approved CD19 CAR T-cell products", "display_order": 6},
]
AGENTS = [
    {"agent_id": "glofitamab", "name": "Glofitamab", "class_id": "bispecific_antibodies"},
    {"agent_id": "epcoritamab", "name": "Epcoritamab", "class_id": "bispecific_antibodies"},
    {"agent_id": "mosunetuzumab", "name": "Mosunetuzumab", "class_id": "bispecific_antibodies"},
    {"agent_id": "polatuzumab_vedotin", "name": "Polatuzumab vedotin", "class_id": "adcs"},
]
SOURCES = [{"source_id": "s1", "label": "Source One 2022"}, {"source_id": "s2", "label": "Two 2023"}]


def result(result_id: str, scope_id: str, n: int, responders: int, **extra) -> dict:
    row = {
        "result_id": result_id, "scope_id": scope_id, "regimen": f"{scope_id} monotherapy",
        "trial": extra.pop("trial", result_id.split("_")[0].upper()), "disease": "LBCL",
        "population": "R/R LBCL", "post_car_t": False, "cohort_id": result_id, "endpoint": "ORR",
        "n": n, "responders": responders, "analysis_set": "treated", "source_id": "s1",
    }
    return row | extra


RESULTS = [
    result("glofit_2022", "glofitamab", 155, 80, trial="NP30179", cohort_id="np30179_lbcl",
           data_cutoff="2022-03-14"),
    result("glofit_2023", "glofitamab", 155, 81, trial="NP30179", cohort_id="np30179_lbcl",
           data_cutoff="2023-06-15", source_id="s2"),
    result("glofit_cart", "glofitamab", 52, 26, trial="NP30179", cohort_id="np30179_cart",
           subgroup_of="np30179_lbcl", post_car_t=True),
    result("epco_lbcl", "epcoritamab", 157, 99, trial="EPCORE NHL-1", cohort_id="epcore_lbcl"),
    result("epco_cart", "epcoritamab", 61, 33, trial="EPCORE NHL-1", cohort_id="epcore_cart",
           subgroup_of="epcore_lbcl", post_car_t=True),
    result("epco_cr", "epcoritamab", 157, 63, trial="EPCORE NHL-1", endpoint="CR"),
    result("mosun_fl", "mosunetuzumab", 90, 72, trial="GO29781", disease="FL"),
    result("pola_ee", "polatuzumab_vedotin", 40, 18, trial="GO29365", analysis_set="efficacy_evaluable"),
]


def evidence(results=None, ranges=None) -> Evidence:
    return Evidence.from_frames(
        classes=typed("classes", CLASSES), agents=typed("agents", AGENTS),
        sources=typed("sources", SOURCES), results=typed("results", results or RESULTS),
        reported_ranges=typed("reported_ranges", ranges or []),
    )


# ---- response_table -------------------------------------------------------------------------

def test_response_table_has_the_contracted_columns_in_order():
    assert list(response_table(evidence()).columns) == columns(ResponseTable)


def test_a_rounded_count_is_marked_approximate_and_a_class_cohort_is_named_by_its_class():
    rows = [*RESULTS,
            result("bsab_mixed", "bispecific_antibodies", 92, 40, cohort_id="bsab_mixed",
                   responders_basis="rounded"),
            result("epco_exact", "epcoritamab", 100, 40, cohort_id="epco_exact", responders_basis="reported")]
    table = response_table(evidence(rows)).set_index("result_id")
    assert table.loc["bsab_mixed", "approximate"] and not table.loc["epco_exact", "approximate"]
    assert pd.isna(table.loc["bsab_mixed", "agent_id"])
    assert table.loc["bsab_mixed", ["class_id", "agent_name"]].tolist() == [
        "bispecific_antibodies", "Bispecific antibodies (several agents)"]


def test_response_table_rates_and_exact_intervals_come_from_the_counts():
    table = response_table(evidence()).set_index("result_id")
    row = table.loc["epco_cart"]
    assert row["rate"] == pytest.approx(33 / 61)
    assert row["ci_low"] == pytest.approx(beta.ppf(0.025, 33, 61 - 33 + 1))
    assert row["ci_high"] == pytest.approx(beta.ppf(0.975, 34, 61 - 33))
    assert row[["class_name", "agent_name", "source_label"]].tolist() == [
        "Bispecific antibodies", "Epcoritamab", "Source One 2022"]


def test_response_table_lists_every_result_when_post_car_t_is_none():
    ids = response_table(evidence())["result_id"].tolist()
    assert ids == ["epco_lbcl", "epco_cart", "glofit_2022", "glofit_2023", "glofit_cart",
                   "mosun_fl", "pola_ee"]


def test_response_table_sorts_by_class_order_then_agent_then_trial():
    table = response_table(evidence())
    assert table["class_id"].tolist()[-1] == "adcs"
    assert table["agent_name"].tolist()[:2] == ["Epcoritamab", "Epcoritamab"]


def test_response_table_filters_post_car_t_and_classes_and_endpoint():
    ev = evidence()
    assert response_table(ev, post_car_t=True)["result_id"].tolist() == ["epco_cart", "glofit_cart"]
    assert "glofit_cart" not in response_table(ev, post_car_t=False)["result_id"].tolist()
    assert response_table(ev, class_ids="adcs")["result_id"].tolist() == ["pola_ee"]
    assert response_table(ev, "CR")["result_id"].tolist() == ["epco_cr"]


def test_response_table_wilson_method_gives_wilson_intervals():
    exact = response_table(evidence(), class_ids=["adcs"])
    wilson = response_table(evidence(), class_ids=["adcs"], method="wilson")
    assert wilson["rate"].tolist() == exact["rate"].tolist()
    assert wilson["ci_high"].iloc[0] < exact["ci_high"].iloc[0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"endpoint": "PFS"}, r"endpoint='PFS' is not allowed; expected one of: 'ORR', 'CR'"),
    ({"post_car_t": "yes"}, r"post_car_t='yes' is not allowed"),
    ({"class_ids": ["bispecifics"]}, r"unknown id\(s\) 'bispecifics'; expected ids"),
    ({"method": "wald"}, r"method='wald' is not a known interval method"),
])
def test_response_table_rejects_bad_arguments_with_a_hint(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        response_table(evidence(), **kwargs)


def test_response_table_leaves_rates_empty_when_counts_are_missing():
    rows = [result("a_orr", "glofitamab", 20, 10), result("b_orr", "epcoritamab", 20, None)]
    table = response_table(evidence(rows)).set_index("result_id")
    assert np.isnan(table.loc["b_orr", "rate"]) and table.loc["a_orr", "rate"] == 0.5


# ---- class_summary --------------------------------------------------------------------------

def summary_row(frame: pd.DataFrame, class_id: str, **where) -> pd.Series:
    mask = frame["class_id"] == class_id
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1
    return frame[mask].iloc[0]


def test_class_summary_has_contracted_columns_then_disease():
    assert list(class_summary(evidence()).columns) == columns(ClassSummary)


def test_class_summary_pools_whole_populations_with_the_latest_data_cut():
    row = summary_row(class_summary(evidence()), "bispecific_antibodies", disease="LBCL", stratum="unknown")
    assert row["result_ids"] == "glofit_2023; epco_lbcl"
    assert row["n_studies"] == 2 and row["total_patients"] == 155 + 157
    pooled = pool_proportions([81, 99], [155, 157])
    assert row["pooled_rate"] == pytest.approx(pooled.rate)
    assert (row["pooled_ci_low"], row["pooled_ci_high"]) == pytest.approx(
        (pooled.ci_low, pooled.ci_high))
    assert (row["rate_min"], row["rate_max"]) == pytest.approx((81 / 155, 99 / 157))
    assert not row["single_study"]


def test_class_summary_post_car_t_pools_the_post_car_t_subgroups():
    summary = class_summary(evidence(), post_car_t=True)
    assert summary["stratum"].tolist() == ["post_car_t"]
    row = summary_row(summary, "bispecific_antibodies")
    assert row["result_ids"] == "glofit_cart; epco_cart"
    assert row["pooled_rate"] == pytest.approx(pool_proportions([26, 33], [52, 61]).rate)


def test_class_summary_never_pools_different_diseases_or_strata():
    rows = [result("a", "glofitamab", 50, 25), result("b", "epcoritamab", 60, 40, prior_car_t_percent=0),
            result("c", "epcoritamab", 70, 30, prior_car_t_percent=0, analysis_set="itt"),
            result("d", "mosunetuzumab", 90, 72, disease="FL"),
            result("e", "glofitamab", 80, 20, prior_car_t_percent=30)]
    summary = class_summary(evidence(rows))
    assert summary[["stratum", "disease", "analysis_set", "result_ids"]].values.tolist() == [
        ["partly", "LBCL", "treated", "e"], ["car_t_naive", "LBCL", "treated; itt", "b; c"],
        ["unknown", "FL", "treated", "d"], ["unknown", "LBCL", "treated", "a"]]


def test_class_summary_counts_a_subgroup_apart_from_its_partly_parent():
    rows = [result("whole", "glofitamab", 155, 61, trial="NP30179", cohort_id="np", prior_car_t_percent=33.5),
            result("sub", "glofitamab", 52, 18, trial="NP30179", cohort_id="np_cart", subgroup_of="np",
                   post_car_t=True),
            result("elm1", "glofitamab", 60, 29, trial="ELM-1", post_car_t=True)]
    summary = class_summary(evidence(rows)).set_index("stratum")
    assert summary.loc["post_car_t", ["result_ids", "n_studies", "total_patients"]].tolist() == [
        "sub; elm1", 2, 112]
    assert summary.loc["partly", ["result_ids", "total_patients"]].tolist() == ["whole", 155]


def test_class_summary_counts_two_analysis_sets_of_one_trial_once():
    rows = [result("primary", "glofitamab", 93, 48, trial="JULIET", nct_id="NCT02445248",
                   analysis_set="efficacy_evaluable", cohort_id="a", prior_car_t_percent=0),
            result("longterm", "glofitamab", 115, 61, trial="JULIET", nct_id="NCT02445248",
                   cohort_id="b", prior_car_t_percent=0)]
    row = class_summary(evidence(rows)).iloc[0]
    assert (row["stratum"], row["result_ids"], row["n_studies"], row["total_patients"]) == (
        "car_t_naive", "longterm", 1, 115)


def test_class_summary_of_the_real_evidence_counts_no_population_twice():
    from lymphoma_evidence.analysis.strata import response_studies

    real = project_evidence()
    studies = response_studies(real).set_index("result_id")
    for endpoint in ("ORR", "CR"):
        summary = class_summary(real, endpoint)
        ids = [i for row in summary["result_ids"] for i in row.split("; ")]
        assert len(ids) == len(set(ids))
        for row in summary.itertuples():
            rows = studies.loc[row.result_ids.split("; ")]
            trials = rows["nct_id"].fillna(rows["trial"])
            assert trials.is_unique, (endpoint, row.class_id, row.stratum)
            assert row.total_patients == rows["n"].sum()
            assert set(rows["stratum"]) == {row.stratum}


def test_class_summary_single_study_gets_its_own_exact_interval():
    row = summary_row(class_summary(evidence()), "adcs")
    assert row["single_study"] and row["n_studies"] == 1
    assert row["pooled_rate"] == pytest.approx(18 / 40)
    assert row["pooled_ci_low"] == pytest.approx(beta.ppf(0.025, 18, 23))
    assert np.isnan([row["pi_low"], row["pi_high"], row["i_squared"], row["tau_squared"]]).all()


@pytest.mark.parametrize(("cuts", "chosen"), [
    ([{"data_cutoff": "2023-01-01"}, {"data_cutoff": "2022-01-01"}], "cut0"),
    ([{"data_cutoff": None}, {"data_cutoff": "2020-01-01"}], "cut1"),
    ([{"median_follow_up_months": 30.0}, {"median_follow_up_months": 12.0}], "cut0"),
    ([{"median_follow_up_months": 12.0}, {}], "cut0"),
    ([{}, {}], "cut1"),
])
def test_class_summary_keeps_one_data_cut_per_cohort(cuts, chosen):
    rows = [result(f"cut{i}", "glofitamab", 100, 50 + i, cohort_id="np30179", trial="NP30179", **extra)
            for i, extra in enumerate(cuts)]
    assert class_summary(evidence(rows))["result_ids"].tolist() == [chosen]


def test_class_summary_post_car_t_false_excludes_subgroups_and_post_car_t_populations():
    rows = [result("whole", "glofitamab", 100, 50),
            result("naive", "glofitamab", 40, 30, subgroup_of="whole"),
            result("after", "epcoritamab", 40, 20, post_car_t=True)]
    assert class_summary(evidence(rows), post_car_t=False)["result_ids"].tolist() == ["whole"]


def test_class_summary_is_empty_with_the_columns_when_nothing_matches():
    summary = class_summary(evidence(), endpoint="CR", post_car_t=True)
    assert summary.empty and list(summary.columns) == columns(ClassSummary)


# ---- check_reported_ranges ------------------------------------------------------------------

def claim(range_id: str, low: float, high: float, post_car_t: bool = True, **extra) -> dict:
    row = {"range_id": range_id, "class_id": "bispecific_antibodies", "endpoint": "ORR",
           "low_percent": low, "high_percent": high, "post_car_t": post_car_t,
           "population": "after CAR-T", "quote": "response rates of ...", "source_id": "s1"}
    return row | extra


def checked(*claims: dict) -> pd.DataFrame:
    return check_reported_ranges(evidence(ranges=list(claims))).set_index("range_id")


def test_reported_range_covering_the_rates_within_the_intervals_is_consistent():
    # Post-CAR-T studies: 26/52 = 50% and 33/61 = 54%.
    row = checked(claim("r", 50, 60)).loc["r"]
    assert row["verdict"] == "consistent"
    assert (row["primary_low"], row["primary_high"]) == pytest.approx((26 / 52, 33 / 61))
    assert row["primary_ci_low"] == pytest.approx(beta.ppf(0.025, 26, 27))
    assert row["primary_ci_high"] == pytest.approx(beta.ppf(0.975, 34, 28))
    assert row["n_studies"] == 2 and row["result_ids"] == "glofit_cart; epco_cart"
    assert row["explanation"] == (
        "The claimed 50–60% for Bispecific antibodies (ORR, after CAR-T) agrees with the primary "
        "results: 2 primary studies report 50–54.1% (95% CIs together 35.8–66.9%).")


def test_reported_range_that_leaves_out_a_study_rate_is_narrower():
    row = checked(claim("r", 52, 60)).loc["r"]
    assert row["verdict"] == "narrower"
    assert row["explanation"].endswith("it leaves out rates as low as 50%.")


def test_reported_range_above_every_study_rate_is_shifted_not_narrower():
    # Post-CAR-T studies: 26/52 = 50% and 33/61 = 54.1%; a claim of 55-60% lies within the intervals.
    row = checked(claim("r", 55, 60)).loc["r"]
    assert row["verdict"] == "shifted"
    assert row["explanation"] == (
        "The claimed 55–60% for Bispecific antibodies (ORR, after CAR-T) lies above every primary result: "
        "2 primary studies report 50–54.1% (95% CIs together 35.8–66.9%).")
    assert checked(claim("r", 40, 45)).loc["r", "verdict"] == "shifted"


def test_reported_range_beyond_the_intervals_is_wider():
    row = checked(claim("r", 40, 80)).loc["r"]
    assert row["verdict"] == "wider"
    assert "its upper end is above the highest bound, 66.9%" in row["explanation"]


def test_reported_range_without_primary_results_is_unsupported():
    row = checked(claim("r", 35, 40, class_id="cd19_car_t")).loc["r"]
    assert row["verdict"] == "unsupported" and row["n_studies"] == 0
    assert np.isnan(row["primary_low"]) and "no matching primary result" in row["explanation"]


def test_reported_range_allows_half_a_point_for_rounding():
    # 26/52 is 50.0%; 33/61 is 54.1%. A claim of 50.4-54% rounds onto both.
    assert checked(claim("r", 50.4, 54)).loc["r", "verdict"] == "consistent"
    assert checked(claim("r", 50.6, 54)).loc["r", "verdict"] == "narrower"


def test_reported_range_not_post_car_t_is_checked_against_whole_populations():
    row = checked(claim("r", 50, 65, post_car_t=False)).loc["r"]
    assert row["result_ids"] == "glofit_2023; epco_lbcl; mosun_fl"
    assert (row["claim_low"], row["claim_high"]) == (0.5, 0.65)


def test_reported_range_output_has_one_row_per_range_in_order():
    out = check_reported_ranges(evidence(ranges=[claim("b", 1, 2), claim("a", 50, 60)]))
    assert out["range_id"].tolist() == ["b", "a"]
    assert list(out.columns[:13]) == [
        "range_id", "class_id", "endpoint", "claim_low", "claim_high", "primary_low",
        "primary_high", "primary_ci_low", "primary_ci_high", "n_studies", "verdict",
        "explanation", "source_id"]


# ---- inputs are never changed ---------------------------------------------------------------

def test_public_functions_do_not_mutate_the_evidence():
    ev = evidence(ranges=[claim("r", 50, 60)])
    before = copy.deepcopy(ev)
    response_table(ev, method="wilson")
    class_summary(ev, post_car_t=True)
    check_reported_ranges(ev)
    for name in ("results", "agents", "classes", "sources", "reported_ranges"):
        pd.testing.assert_frame_equal(getattr(ev, name), getattr(before, name))


# ---- the real evidence ----------------------------------------------------------------------

@pytest.fixture
def real_evidence(request: pytest.FixtureRequest) -> Evidence:
    """The real evidence (the session fixture ``evidence`` of conftest; this module has its own helper
    named ``evidence``)."""
    return request.getfixturevalue("evidence")


def test_summaries_on_the_real_evidence_trace_back_to_result_rows(real_evidence):
    results = real_evidence.results.set_index("result_id")
    classes_of = real_evidence.agents.set_index("agent_id")["class_id"]
    for endpoint in ("ORR", "CR"):
        table = response_table(real_evidence, endpoint)
        expected = table["responders"].astype(float) / table["n"].astype(float)
        assert np.allclose(table["rate"], expected)
        assert ((table["ci_low"] <= table["rate"]) & (table["rate"] <= table["ci_high"])).all()
        for post_car_t in (None, True, False):
            for row in class_summary(real_evidence, endpoint, post_car_t).itertuples():
                pooled = results.loc[row.result_ids.split("; ")]
                assert set(pooled["scope_id"].map(lambda s: classes_of.get(s, s))) == {row.class_id}
                assert pooled["cohort_id"].is_unique and (pooled["endpoint"] == endpoint).all()
                assert row.total_patients == pooled["n"].sum()
                assert row.n_studies == len(pooled)
    ranges = check_reported_ranges(real_evidence)
    assert ranges["range_id"].tolist() == real_evidence.reported_ranges["range_id"].tolist()
    assert set(ranges["verdict"]) <= {"consistent", "narrower", "shifted", "wider", "unsupported"}


def test_reported_range_wider_on_one_end_and_short_on_the_other_says_both():
    row = checked(claim("r", 30, 52)).loc["r"]
    assert row["verdict"] == "wider"
    assert row["explanation"].endswith(
        "its lower end is below the lowest bound, 35.8%, and it leaves out rates as high as 54.1%.")


def test_reported_range_against_one_study_names_its_interval():
    row = checked(claim("r", 40, 50, class_id="adcs", post_car_t=False)).loc["r"]
    assert row["verdict"] == "consistent"
    assert "1 primary study reports 45% (95% CI 29.3–61.5%)" in row["explanation"]


def test_real_outputs_validate_against_their_frame_models(evidence):
    from lymphoma_evidence.analysis.summaries import check_reported_ranges

    for endpoint in ("ORR", "CR"):
        ResponseTable.validate(response_table(evidence, endpoint))
        ClassSummary.validate(class_summary(evidence, endpoint))
        ClassSummary.validate(class_summary(evidence, endpoint, post_car_t=True))
    RangeCheck.validate(check_reported_ranges(evidence))
