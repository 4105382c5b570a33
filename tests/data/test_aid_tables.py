"""The patient pages' tables (aid_options, aid_text, aid_timing), broken on purpose: each case names the
exact `file:line:column: message` that `validate` prints."""

from __future__ import annotations

from pathlib import Path

from test_broken_evidence import assert_reports
from test_evidence_rules import add_row, set_row


def test_a_covered_class_must_exist(evidence_copy: Path) -> None:
    set_row(evidence_copy, "aid_options.csv", 8, covers="dual_target_car_t;no_such_class")
    assert_reports(evidence_copy, "aid_options.csv:8:covers: 'no_such_class' is not a known class_id in "
                                  "therapy_classes.csv; list class ids separated by ';'")


def test_a_class_is_shown_under_one_choice_only(evidence_copy: Path) -> None:
    set_row(evidence_copy, "aid_options.csv", 2, covers="adcs")
    assert_reports(evidence_copy, "aid_options.csv:2:covers: 'adcs' is already shown as a choice of its own "
                                  "or under 'adcs'; a class is shown under one choice")


def test_an_outlook_measure_must_have_patient_words(evidence_copy: Path) -> None:
    set_row(evidence_copy, "aid_options.csv", 2, outlook_measures="os_rate_12m;os_rate_24m")
    assert_reports(evidence_copy, "aid_options.csv:2:outlook_measures: 'os_rate_24m' is not a measure with "
                                  "patient words in measures.csv; name a measure whose patient column is "
                                  "filled, or fill it")


def test_a_measure_the_patient_pages_show_needs_patient_words(evidence_copy: Path) -> None:
    set_row(evidence_copy, "measures.csv", 5, patient="")
    assert_reports(evidence_copy, "measures.csv:5:patient: measure 'os_rate_12m' has an aid_order but no "
                                  "patient words; say in plain words what the people counted did")


def test_a_median_says_where_its_months_go(evidence_copy: Path) -> None:
    set_row(evidence_copy, "measures.csv", 7, patient="were still alive months later")
    set_row(evidence_copy, "measures.csv", 5, patient="were alive {months} months later")
    assert_reports(evidence_copy, "measures.csv:7:patient: the patient words of the median "
                                  "'median_os_months' need {months} where the number goes, e.g. 'were "
                                  "still alive {months} months later'")
    assert_reports(evidence_copy, "measures.csv:5:patient: {months} is only for medians; measure "
                                  "'os_rate_12m' is a survival")


def test_a_timing_row_must_be_about_one_window_of_time_to_relapse(evidence_copy: Path) -> None:
    line = add_row(evidence_copy, "aid_timing.csv", outcome_id="iacoboni2024_all_post_cart_median_os",
                   relapse_timing="early", window="within 3 months of CAR-T")
    assert_reports(evidence_copy, f"aid_timing.csv:{line}:outcome_id: outcome "
                                  "'iacoboni2024_all_post_cart_median_os' is about everyone, not one window "
                                  "of time to relapse; fill its time_to_relapse in outcomes.csv or remove "
                                  "this row")


def test_a_timing_must_be_early_or_late(evidence_copy: Path) -> None:
    set_row(evidence_copy, "aid_timing.csv", 2, relapse_timing="soon")
    assert_reports(evidence_copy, "aid_timing.csv:2:relapse_timing: 'soon' is not an allowed value; expected "
                                  "one of: early, late")


def test_a_wording_row_needs_a_known_part_and_source(evidence_copy: Path) -> None:
    line = add_row(evidence_copy, "aid_text.csv", part="value", plain_words="Something", source_id="nope")
    assert_reports(evidence_copy, f"aid_text.csv:{line}:source_id: 'nope' is not a known source_id in "
                                  "sources.csv; add it there first or correct the spelling")
