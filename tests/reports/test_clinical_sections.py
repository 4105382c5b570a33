"""The relapse-timing table and the clinical questions in the clinician briefing and the class pages."""

from __future__ import annotations

from lymphoma_evidence.reports import class_profile
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.clinical_sections import questions, relapse_timing
from lymphoma_evidence.reports.html import plain_text


def test_the_clinician_briefing_shows_relapse_timing_and_every_question_with_its_source(evidence) -> None:
    b = Briefing(evidence, audience="clinician")
    shown = plain_text(b.outlook())
    assert "Outcomes by time to relapse after CAR-T" in shown
    assert "within 30 days (D0-D30) |" in shown and "1.7 months | 54 |" in shown
    for q in evidence.clinical_questions.itertuples():
        assert q.question in shown and q.answer in shown
        assert b.refs.numbers(q.source_id), f"{q.source_id} is not cited"


def test_patients_get_neither_section(evidence) -> None:
    b = Briefing(evidence, audience="patient")
    assert str(relapse_timing(b)) == "" and str(questions(b)) == ""
    assert "time to relapse" not in plain_text(b.outlook())


def test_a_class_page_shows_only_its_own_rows_and_questions(evidence) -> None:
    b = Briefing(evidence, audience="clinician", class_ids=["bispecific_antibodies"])
    shown = plain_text(class_profile.outcomes(b))
    assert "10.5 months" in shown and "Shumilov 2025" in shown
    assert "DESCAR-T" not in shown.split("Outcomes by time to relapse after CAR-T")[1]
    assert "Does early relapse after CAR-T" in shown
    assert "donor (allogeneic) transplant" not in shown


def test_a_class_without_timed_outcomes_or_questions_adds_nothing(evidence) -> None:
    b = Briefing(evidence, audience="clinician", class_ids=["supportive_care"])
    assert str(relapse_timing(b, "supportive_care")) == "" and str(questions(b, "supportive_care")) == ""
