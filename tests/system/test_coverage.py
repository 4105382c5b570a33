"""The evidence covers every option the project is about, and its known gaps stay written down.

A gap is a figure the curators could not see in a primary source (see evidence/README.md, "Known gaps").
Each gap below must still be a gap: when a figure is added, its line here and in the README goes.
"""

from __future__ import annotations

import pytest

DRUGS = ["epcoritamab", "glofitamab", "mosunetuzumab", "odronextamab", "polatuzumab_vedotin",
         "loncastuximab_tesirine", "tafasitamab", "axicabtagene_ciloleucel", "lisocabtagene_maraleucel",
         "tisagenlecleucel"]

#: (agent_id, endpoint) pairs with no primary figure yet; the README says why.
KNOWN_RESULT_GAPS = {("glofitamab", "ORR"), ("mosunetuzumab", "ORR"), ("mosunetuzumab", "CR"),
                     ("lisocabtagene_maraleucel", "ORR"), ("lisocabtagene_maraleucel", "CR")}
#: classes without a range stated by a secondary source.
KNOWN_RANGE_GAPS = {"adcs", "tafasitamab_len", "allo_sct", "dual_target_car_t", "allogeneic_car_t"}
#: classes or agents without an eligibility row from a source with a traceable identifier.
KNOWN_ELIGIBILITY_GAPS = {"allogeneic_car_t"}


@pytest.mark.parametrize("agent_id", DRUGS)
@pytest.mark.parametrize("endpoint", ["ORR", "CR"])
def test_every_drug_has_its_response_figures(evidence, agent_id: str, endpoint: str) -> None:
    results = evidence.results
    present = ((results["agent_id"] == agent_id) & (results["endpoint"] == endpoint)).any()
    if (agent_id, endpoint) in KNOWN_RESULT_GAPS:
        assert not present, f"{agent_id} {endpoint} is no longer a gap: remove it from KNOWN_RESULT_GAPS"
    else:
        assert present, f"{agent_id} has no {endpoint} row"


@pytest.mark.parametrize("scope", ["salvage_chemo", "allo_sct"])
def test_chemo_and_transplant_have_post_car_t_figures(evidence, scope: str) -> None:
    agents = set(evidence.agents.loc[evidence.agents["class_id"] == scope, "agent_id"])
    ids = agents | {scope}
    results = evidence.results
    in_results = (results["agent_id"].isin(ids) & results["post_car_t"]).any()
    outcomes = evidence.outcomes
    in_outcomes = (outcomes["scope_id"].isin(ids) & outcomes["post_car_t"]).any()
    assert in_results or in_outcomes


def test_every_class_has_eligibility_and_a_stated_range(evidence) -> None:
    classes = set(evidence.classes["class_id"])
    with_range = set(evidence.reported_ranges["class_id"])
    scopes = set(evidence.eligibility["scope_id"])
    agents_by_class = evidence.agents.groupby("class_id")["agent_id"].apply(set).to_dict()
    with_eligibility = {c for c in classes if c in scopes or agents_by_class.get(c, set()) & scopes}
    assert classes - with_range == KNOWN_RANGE_GAPS
    assert classes - with_eligibility == KNOWN_ELIGIBILITY_GAPS


def test_the_seed_article_claims_are_recorded(evidence) -> None:
    seed = evidence.reported_ranges[evidence.reported_ranges["source_id"] == "survivornet_after_car_t"]
    claims = {(r.class_id, r.endpoint, r.low_percent, r.high_percent) for r in seed.itertuples()}
    assert ("bispecific_antibodies", "ORR", 50, 60) in claims
    assert ("cd19_car_t", "CR", 35, 40) in claims


def test_investigational_classes_have_registered_trials(evidence) -> None:
    from lymphoma_evidence.analysis.approvals import class_status

    status = class_status(evidence).merge(evidence.classes[["class_id", "role"]], on="class_id")
    investigational = status.loc[(status["status"] == "investigational") & (status["role"] == "option"),
                                 "class_id"]
    assert set(investigational) <= set(evidence.trials["class_id"])
