"""Class profile sections: pooled within strata, direct evidence first, the agents are the class's."""

from __future__ import annotations

import pytest

from lymphoma_evidence.analysis.strata import pool_within_strata, response_studies
from lymphoma_evidence.reports import class_profile as section
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.wording import Wording


@pytest.mark.parametrize("class_id", ["bispecific_antibodies", "adcs", "cd19_car_t"])
def test_pooled_section_shows_the_estimates_within_each_stratum(evidence, class_id: str) -> None:
    report = Briefing(evidence, class_ids=[class_id])
    html = section.pooled(report)
    words = Wording("clinician")
    studies = response_studies(evidence)
    pooled = pool_within_strata(studies[studies["class_id"] == class_id])
    assert len(pooled)
    for row in pooled.itertuples():
        assert words.rate(row.rate, row.ci_low, row.ci_high) in html


def test_pooled_section_reports_the_test_between_strata(evidence) -> None:
    html = section.pooled(Briefing(evidence, class_ids=["bispecific_antibodies"]))
    assert "test for a difference between strata" in html and "QM = " in html


def test_findings_lead_with_direct_evidence_and_say_not_rated(evidence) -> None:
    html = str(section.findings(Briefing(evidence, class_ids=["salvage_chemo"])))
    assert html.index("After CAR-T failure (direct evidence)") < html.index("<table")
    assert "Alive without progression at 12 months" in html and "6%" in html
    allo = str(section.findings(Briefing(evidence, class_ids=["allo_sct"])))
    assert "<thead>" in allo


def test_findings_with_no_direct_evidence_say_what_is_missing_and_that_it_is_a_listed_gap(evidence) -> None:
    from lymphoma_evidence.analysis.topic import direct_gaps

    class_id = sorted(direct_gaps(evidence))[0]
    html = str(section.findings(Briefing(evidence, class_ids=[class_id])))
    direct = html[:html.index("</h3>", html.index("After CAR-T failure (direct evidence)")) + 400]
    assert "No response or survival figures from people after CAR-T" in direct
    assert "this is a listed gap: " in direct
    assert html.count("<table") == html.count("<h3>") - 1


def test_overview_lists_only_the_class_agents(evidence) -> None:
    html = section.overview(Briefing(evidence, class_ids=["adcs"]))
    for agent in evidence.agents.itertuples():
        assert (agent.name in html) == (agent.class_id == "adcs"), agent.agent_id


def test_outcomes_cover_the_class_and_its_agents(evidence) -> None:
    html = section.outcomes(Briefing(evidence, class_ids=["allo_sct"]))
    assert "After CAR-T: Alive at 12 months" in html
