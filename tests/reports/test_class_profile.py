"""Class profile sections: the pooled numbers are class_summary's, the agents are the class's."""

from __future__ import annotations

import pytest

from lymphoma_evidence import class_summary
from lymphoma_evidence.reports import class_profile as section
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.wording import Wording


@pytest.mark.parametrize("class_id", ["bispecific_antibodies", "adcs", "cd19_car_t"])
def test_pooled_section_shows_the_summary_numbers(evidence, class_id: str) -> None:
    report = Briefing(evidence, class_ids=[class_id])
    html = section.pooled(report)
    words = Wording("clinician")
    for endpoint in ("ORR", "CR"):
        summary = class_summary(evidence, endpoint=endpoint)
        for row in summary[summary["class_id"] == class_id].itertuples():
            assert words.rate(row.pooled_rate, row.pooled_ci_low, row.pooled_ci_high) in html


def test_overview_lists_only_the_class_agents(evidence) -> None:
    html = section.overview(Briefing(evidence, class_ids=["adcs"]))
    for agent in evidence.agents.itertuples():
        assert (agent.name in html) == (agent.class_id == "adcs"), agent.agent_id


def test_outcomes_cover_the_class_and_its_agents(evidence) -> None:
    html = section.outcomes(Briefing(evidence, class_ids=["allo_sct"]))
    assert "Overall survival at 12 months" in html or "No outcomes" in html
