"""Tests for lymphoma_evidence.analysis.sof: summary-of-findings rows and certainty as entered."""

from __future__ import annotations

import pandas as pd
import pytest

from lymphoma_evidence.analysis.sof import NOT_RATED, SOF_COLUMNS, outcome_family, summary_of_findings
from lymphoma_evidence.data.evidence import Evidence

CLASSES = pd.DataFrame([{"class_id": "bsab", "name": "Bispecific antibodies", "display_order": 1,
                         "role": "option", "kind": "medicine"}])
AGENTS = pd.DataFrame([{"agent_id": "odro", "name": "Odronextamab", "class_id": "bsab"}])
SOURCES = pd.DataFrame([{"source_id": "elm1", "label": "ELM-1"}, {"source_id": "elm2", "label": "ELM-2"}])
RESULTS = pd.DataFrame([
    {"result_id": r, "scope_id": "odro", "trial": t, "nct_id": None, "disease": "LBCL", "population": "",
     "post_car_t": p == 100, "prior_car_t_percent": p, "cohort_id": r, "subgroup_of": None, "endpoint": "ORR",
     "n": n, "responders": x, "responders_basis": "reported", "analysis_set": "treated",
     "data_cutoff": pd.NaT, "median_follow_up_months": None, "source_id": s}
    for r, t, p, n, x, s in (("elm1", "ELM-1", 100.0, 60, 29, "elm1"),
                             ("elm2", "ELM-2", None, 127, 66, "elm2"))
])
RATING = {"class_id": "bsab", "stratum": "post_car_t", "outcome": "ORR", "certainty": "very_low",
          "risk_of_bias": "serious", "inconsistency": "not_serious", "indirectness": "serious",
          "imprecision": "serious", "publication_bias": "not_serious",
          "rationale": "Single-arm cohort; one agent for the class; 60 patients.", "source_id": "elm1"}


def tiny(ratings: list[dict]) -> Evidence:
    return Evidence.from_frames(classes=CLASSES, agents=AGENTS, sources=SOURCES, results=RESULTS,
                                certainty=pd.DataFrame(ratings, columns=list(RATING)))


def test_rows_per_stratum_direct_first_with_counts_of_trials_and_patients():
    sof = summary_of_findings(tiny([]), "bsab")
    assert list(sof.columns) == SOF_COLUMNS
    assert sof["stratum"].tolist() == ["post_car_t", "unknown"]
    first = sof.iloc[0]
    assert (first["outcome"], first["studies"], first["patients"]) == ("Overall response", 1, "60")
    assert first["estimate"] == "48% (95% CI 35–62%)"
    assert first["directness"] == "After CAR-T" and "single study" in first["comments"]
    assert "indirect" in sof.iloc[1]["comments"]


def test_certainty_is_the_analysts_rating_with_its_reasons_or_not_rated():
    sof = summary_of_findings(tiny([RATING]), "bsab").set_index("stratum")
    assert sof.loc["post_car_t", "certainty"] == "Very low"
    reasons = sof.loc["post_car_t", "certainty_reasons"]
    assert reasons.startswith("risk of bias (serious); indirectness (serious); imprecision (serious): Single")
    assert sof.loc["unknown", "certainty"] == NOT_RATED and sof.loc["unknown", "certainty_reasons"] == ""


def test_certainty_is_never_computed_from_the_numbers():
    unrated = summary_of_findings(tiny([]), "bsab")
    assert set(unrated["certainty"]) == {NOT_RATED}


@pytest.mark.parametrize(("measure", "family"), [("pfs_rate_12m", "pfs"), ("median_os_months", "os"),
                                                 ("crs/grade_3_plus", "crs"), ("ORR", "ORR")])
def test_a_rating_may_name_the_outcome_family(measure, family):
    assert outcome_family(measure) == family


def test_real_evidence_has_ratings_with_a_rationale_for_every_downgrade(evidence):
    sof = summary_of_findings(evidence)
    rated = sof[sof["certainty"] != NOT_RATED]
    assert len(rated) and (rated["certainty_reasons"].str.len() > 0).all()
    assert (sof.loc[sof["stratum"] != "post_car_t", "certainty"] == NOT_RATED).all()
