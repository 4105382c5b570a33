"""Briefing sections on the real evidence: the numbers are the library's, the text is escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import set_cell

from lymphoma_evidence import load_evidence, response_table
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.wording import Wording


def _spans(html: str, cls: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, text in re.findall(rf'<span class="{cls}" data-class="([^"]+)"[^>]*>(.*?)</span>', html):
        found.setdefault(key, []).append(text)
    return found


@pytest.mark.parametrize("audience", ["clinician", "educator", "patient"])
def test_every_takeaway_number_is_the_one_its_section_quotes(evidence, audience) -> None:
    report = Briefing(evidence, audience=audience)
    takeaways, sections = str(report.takeaways()), str(report.options())
    quoted = _spans(takeaways, "takeaway")
    assert quoted, "no takeaway names an option"
    numbers = re.compile(r"about \d+ in 10|\d+(?:\.\d+)?%|\d+ people")
    for class_id, lines in quoted.items():
        for line in lines:
            sentence = line.split(": ", 1)[1]
            assert any(sentence == s for s in _spans(sections, "number").get(class_id, [])), line
            assert numbers.findall(sentence)


def test_options_lead_with_direct_evidence_and_head_the_indirect(evidence) -> None:
    html = str(Briefing(evidence).options())
    bispecific = html[html.index("<h3>Bispecific antibodies</h3>"):]
    bispecific = bispecific[:bispecific.index("<h3>", 5)]
    direct = bispecific.index("After CAR-T failure (direct evidence)")
    harms = bispecific.index("Side effects")
    indirect = bispecific.index("indirect evidence)</h4>")
    assert direct < harms < indirect
    assert "ELM-1" in bispecific[direct:harms]
    assert "No response figures in the evidence for this filter" not in html


def test_salvage_chemotherapy_shows_its_outcomes_after_car_t(evidence) -> None:
    html = str(Briefing(evidence).options())
    chemo = html[html.index("<h3>Salvage chemotherapy</h3>"):]
    chemo = chemo[:chemo.index("<h3>", 5)]
    assert "were alive without progression at 12 months: 6%" in chemo


def test_response_table_shows_every_rate_with_its_interval(evidence) -> None:
    report = Briefing(evidence, audience="clinician", endpoint="CR")
    html = report.response_table()
    words = Wording("clinician")
    for row in response_table(evidence, endpoint="CR").itertuples():
        assert words.rate(row.rate, row.ci_low, row.ci_high) in html


def _first_numbers(html: str) -> list[tuple[str, str]]:
    """Per quoted number: its natural frequency and the first percent (or months) after it."""
    spans = re.findall(r'<span class="number"[^>]*>(.*?)</span>', html)
    lead = r"^(about \d+ in 10|fewer than 1 in 10|more than 9 in 10|\d+ in 10|none of 10|median)"
    return [(re.search(lead, t).group(1), re.search(r"~?\d+(?:\.\d+)?(?:%| months)", t).group(0))
            for t in spans]


def test_audience_changes_words_not_numbers(evidence) -> None:
    clinician = Briefing(evidence, audience="clinician").options()
    patient = Briefing(evidence, audience="patient").options()
    assert _first_numbers(clinician) == _first_numbers(patient) != []
    assert "95% CI" in clinician and "95% CI" not in patient


def test_every_citation_resolves_to_a_numbered_reference(evidence) -> None:
    report = Briefing(evidence, audience="educator")
    body = "".join([report.outlook(), report.options(), report.response_table(), report.questions()])
    refs = report.references()
    cited = set(re.findall(r'href="#ref-(\d+)"', body))
    listed = set(re.findall(r'<li id="ref-(\d+)"', refs))
    assert cited and cited == listed


def test_questions_follow_the_audience(evidence) -> None:
    assert Briefing(evidence, audience="clinician").questions() == ""
    patient = Briefing(evidence, audience="patient").questions()
    for row in evidence.questions.itertuples():
        shown = row.question.replace("'", "&#x27;").replace('"', "&quot;") in patient
        assert shown == (row.audience in ("patient", "any")), row.question_id


def test_only_recruiting_trials_with_a_recent_record_are_offered(evidence, monkeypatch) -> None:
    from lymphoma_evidence.analysis.trial_status import trial_status_check

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")  # 30 November 2025
    html = Briefing(evidence).trials()
    checked = trial_status_check(evidence.trials)
    offered = set(checked.loc[checked["offered"], "nct_id"])
    assert offered and len(offered) < len(evidence.trials), "the evidence has both kinds of trial"
    for row in evidence.trials.itertuples():
        linked = f'href="https://clinicaltrials.gov/study/{row.nct_id}"' in html
        assert linked == (row.nct_id in offered), row.nct_id
    assert "(checked " not in html and "(registry record of 7 January 2026)" in html
    assert f"{len(evidence.trials) - len(offered)} other registered trial(s) are not listed" in html
    for status in ("unknown", "suspended"):
        assert f">{status} (registry record" not in html

def test_trials_are_offered_by_exact_date_on_the_day_of_the_build(evidence, monkeypatch) -> None:
    """On 7 December 2026 a record of 13 November 2025 (12 whole months old) is older than 12 months: only
    records of 7 December 2025 or later are offered, the day the known gaps' count uses."""
    from lymphoma_evidence.analysis.trial_status import RECRUITING_STATUSES

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796601600")  # 7 December 2026 00:00 UTC
    html = Briefing(evidence, audience="clinician").trials()
    trials = evidence.trials
    recruiting = trials["status"].isin(RECRUITING_STATUSES)
    expected = set(trials.loc[recruiting & (trials["status_date"] >= pd.Timestamp("2025-12-07")), "nct_id"])
    linked = {n for n in trials["nct_id"] if f'href="https://clinicaltrials.gov/study/{n}"' in html}
    assert linked == expected and expected
    almost = recruiting & trials["status_date"].between(pd.Timestamp("2025-11-08"),
                                                        pd.Timestamp("2025-12-06"))
    assert not set(trials.loc[almost, "nct_id"]) & linked, "12 whole months old is older than 12 months"


def test_class_filter_limits_every_section(evidence) -> None:
    report = Briefing(evidence, class_ids=["adcs"])
    options = report.options()
    assert "Antibody-drug conjugates" in options and "Bispecific antibodies" not in options


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"endpoint": "PFS"}, "endpoint='PFS' is not allowed; expected one of: 'ORR', 'CR'."),
    ({"class_ids": ["nope"]}, r"class_ids contains unknown id\(s\) 'nope'; expected ids from therapy_"),
    ({"audience": "press"}, "audience='press' is not allowed; expected one of: 'clinician', 'educator'"),
])
def test_bad_parameters_are_refused(evidence, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Briefing(evidence, **kwargs)


def test_hostile_text_in_the_evidence_is_escaped(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "agents.csv", 2, "name", "<script>alert('name')</script>")
    set_cell(evidence_copy, "therapy_classes.csv", 2, "mechanism", '<img src=x onerror="alert(1)">')
    set_cell(evidence_copy, "sources.csv", 2, "citation", "[click](javascript:alert(1)) <b>bold</b>")
    ev = load_evidence(evidence_copy)
    report = Briefing(ev, audience="patient")
    html = "".join([report.options(), report.outlook(), report.response_table(), report.eligibility(),
                    report.questions(), report.references()])
    assert "<script" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_sections_do_not_change_the_evidence(evidence) -> None:
    before = {name: getattr(evidence, name).copy() for name in ("results", "classes", "sources")}
    report = Briefing(evidence, audience="patient")
    report.takeaways(), report.options(), report.forest(), report.references()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(evidence, name), frame)


def test_forest_section_says_so_when_a_selection_has_no_results(evidence) -> None:
    html = Briefing(evidence, class_ids=["allo_sct"]).forest()
    assert "No ORR results in the evidence for this selection" in html
    assert "<img" not in html


def test_educators_get_teaching_points_and_where_the_figures_and_deck_come_from(evidence) -> None:
    educator = Briefing(evidence, audience="educator")
    html = str(educator.teaching())
    assert "Learning objectives" in html and "Teaching points" in html
    assert "lymphoma-evidence slides --out deck.pptx" in html and "<code>figures/figures.md</code>" in html
    sections = str(educator.options())
    chemo = re.search(r"with chemotherapy (about \d+ in 10 were alive without progression at 12 "
                      r"months: \d+%)", html)
    assert chemo and chemo.group(1) in sections
    assert str(Briefing(evidence, audience="clinician").teaching()) == ""


def test_analyst_checks_of_stated_ranges_are_for_clinicians_only(evidence) -> None:
    assert "Reported ranges" in Briefing(evidence, audience="clinician").ranges()
    for audience in ("educator", "patient"):
        report = Briefing(evidence, audience=audience)
        assert str(report.ranges()) == "" and str(report.ranges_chart()) == ""
