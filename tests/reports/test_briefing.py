"""Briefing sections on the real evidence: the numbers are the library's, the text is escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import set_cell

from lymphoma_evidence import class_summary, load_evidence, response_table
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.style import percent_range
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.wording import Wording


def test_takeaways_state_each_class_range_from_the_summary(evidence) -> None:
    text = Briefing(evidence, audience="clinician").takeaways()
    for row in class_summary(evidence, endpoint="ORR").itertuples():
        assert percent_range(row.rate_min, row.rate_max) in text, row.class_id


def test_response_table_shows_every_rate_with_its_interval(evidence) -> None:
    report = Briefing(evidence, audience="clinician", endpoint="CR")
    html = report.response_table()
    words = Wording("clinician")
    for row in response_table(evidence, endpoint="CR").itertuples():
        assert words.rate(row.rate, row.ci_low, row.ci_high) in html


def test_audience_changes_words_not_numbers(evidence) -> None:
    clinician = Briefing(evidence, audience="clinician").options()
    patient = Briefing(evidence, audience="patient").options()
    ranges = re.compile(r"ORR (\d+(?:–\d+)?%) across")
    assert ranges.findall(clinician) == ranges.findall(patient) != []
    assert "prediction interval" in clinician and "prediction interval" not in patient


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


def test_trials_link_to_the_registry_with_the_checked_date(evidence) -> None:
    html = Briefing(evidence).trials()
    for row in evidence.trials.itertuples():
        assert f'href="https://clinicaltrials.gov/study/{row.nct_id}"' in html
        assert f"checked {row.status_verified:%Y-%m-%d}" in html


def test_class_filter_limits_every_section(evidence) -> None:
    report = Briefing(evidence, class_ids=["adcs"])
    options = report.options()
    assert "Antibody-drug conjugates" in options and "Bispecific antibodies" not in options


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"endpoint": "PFS"}, "Invalid endpoint 'PFS'. Expected one of: ORR, CR."),
    ({"class_ids": ["nope"]}, r"Unknown class_ids \['nope'\]"),
    ({"audience": "press"}, "Invalid audience 'press'"),
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
    assert "No overall response rate (ORR) results in the evidence for this selection." in html
    assert "<img" not in html
