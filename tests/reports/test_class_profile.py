"""Class profile sections: pooled within strata, direct evidence first, the agents are the class's."""

from __future__ import annotations

from html import escape

import pytest
from bs4 import BeautifulSoup

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
    from lymphoma_evidence.analysis.topic import gap_notes, gap_reasons

    notes, reasons = gap_notes(evidence, "no_direct_figure"), gap_reasons(evidence, "no_direct_figure")
    assert set(notes) == set(reasons), "every listed gap has its note for readers"
    for class_id in sorted(notes):
        html = str(section.findings(Briefing(evidence, class_ids=[class_id])))
        direct = html[:html.index("</h3>", html.index("After CAR-T failure (direct evidence)")) + 400]
        assert "No response or survival figures from people after CAR-T" in direct
        assert f"Why: {escape(notes[class_id].rstrip('.'))}." in direct, class_id
        assert escape(reasons[class_id]) not in html, "the curators' reason is for analysts"
        assert html.count("<table") == html.count("<h3>") - 1


def test_overview_lists_only_the_class_agents(evidence) -> None:
    html = section.overview(Briefing(evidence, class_ids=["adcs"]))
    for agent in evidence.agents.itertuples():
        assert (agent.name in html) == (agent.class_id == "adcs"), agent.agent_id


def test_outcomes_cover_the_class_and_its_agents(evidence) -> None:
    html = section.outcomes(Briefing(evidence, class_ids=["allo_sct"]))
    assert "After CAR-T: Alive at 12 months" in html


def _sections(report: Briefing) -> dict[str, str]:
    """Every section of a class page in notebook order, as text (empty sections left out)."""
    parts = [section.lead(report), section.overview(report), section.findings(report),
             section.harms(report), section.results(report), section.pooled(report), section.forest(report),
             section.outcomes(report), report.eligibility(), report.trials()]
    found = {}
    for part in parts:
        soup = BeautifulSoup(str(part), "html.parser")
        if soup.get_text(strip=True):
            heading = soup.find("h2")
            found[heading.get_text() if heading else "lead"] = soup.get_text(" ")
    return found


def _options(evidence) -> list[str]:
    classes = evidence.classes
    return list(classes.loc[classes["role"].astype("string").fillna("option") == "option", "class_id"])


def test_every_option_class_page_reads_as_plain_statements(evidence) -> None:
    """With or without figures, no section of any option's page shows an empty value, a file name or an
    empty-table placeholder, and none says the same "no response counts" twice."""
    for class_id in _options(evidence):
        text = " ".join(_sections(Briefing(evidence, class_ids=[class_id])).values())
        for bad in ("<NA>", " nan", "None", ".csv", "has no rows for", "No agents of"):
            assert bad not in text, (class_id, bad)
        assert text.count("No response counts") <= 1, class_id


def test_a_class_without_response_counts_has_no_pooled_or_forest_section(evidence) -> None:
    studies = response_studies(evidence)
    without = [c for c in _options(evidence) if c not in set(studies["class_id"])]
    assert without, "the evidence has an option class without response counts"
    report = Briefing(evidence, class_ids=[without[0]])
    assert str(section.pooled(report)) == str(section.forest(report)) == ""
    assert "No response counts for this option are in the evidence" in section.results(report)
    lead = BeautifulSoup(str(section.lead(report)), "html.parser").get_text()
    assert "pooled" not in lead and "what it is" in lead


def test_side_effects_list_the_class_rows_or_say_why_none_are_counted(evidence) -> None:
    from lymphoma_evidence.analysis.topic import gap_notes, gap_reasons

    class_of = dict(zip(evidence.agents["agent_id"], evidence.agents["class_id"], strict=True))
    with_harm_rows = {class_of.get(s, s) for s in evidence.harms["scope_id"]}
    shown, explained = set(), set()
    notes, reasons = gap_notes(evidence, "no_harm_figure"), gap_reasons(evidence, "no_harm_figure")
    for class_id in _options(evidence):
        text = BeautifulSoup(str(section.harms(Briefing(evidence, class_ids=[class_id]))),
                             "html.parser").get_text(" ")
        if "No side-effect figures" in text:
            assert class_id not in with_harm_rows, class_id
            assert "No side-effect figures for this option are in the evidence yet." in text, class_id
            if class_id in notes:
                assert f"Why: {notes[class_id].rstrip('.')}." in text, class_id
                explained.add(class_id)
            reason = reasons.get(class_id)
            assert reason is None or reason == notes.get(class_id) or reason not in text, \
                f"{class_id}: the curators' reason is for analysts"
        else:
            assert "%" in text, class_id
            shown.add(class_id)
    assert with_harm_rows & set(_options(evidence)) <= shown
    assert explained == set(reasons), "every listed side-effect gap is explained to readers in its note"


def test_outcomes_show_comparisons_after_outcomes_and_medians_not_reached_in_words(evidence) -> None:
    class_id = str(evidence.comparisons["scope_id"].iloc[0])
    html = str(section.outcomes(Briefing(evidence, class_ids=[class_id])))
    assert html.index("Median overall survival") < html.index("Compared with another treatment")
    flagged = evidence.outcomes["not_reached"].astype("boolean").fillna(False).astype(bool)
    scope = str(evidence.outcomes.loc[flagged.to_numpy(), "scope_id"].iloc[0])
    page = str(section.outcomes(Briefing(evidence, class_ids=[scope])))
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "survival: not reached" in text and "nan" not in text


@pytest.mark.parametrize("class_id", ["bispecific_antibodies", "cd19_car_t"])
def test_results_by_trial_list_endpoints_in_the_measures_display_order(evidence, class_id: str) -> None:
    from lymphoma_evidence.analysis import topic

    rows = BeautifulSoup(str(section.results(Briefing(evidence, class_ids=[class_id]))),
                         "html.parser").select("tbody tr")
    shown = [row.find(["td", "th"]).get_text(strip=True) for row in rows]
    order = topic.measure_order(evidence)
    assert len(set(shown)) >= 2, shown
    assert [order.index(e) for e in shown] == sorted(order.index(e) for e in shown), shown
