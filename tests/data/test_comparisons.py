"""comparisons.csv (hazard ratios between two groups) and medians not reached (outcomes.csv ``not_reached``)
are checked like the other tables: broken copies of the real evidence get one precise message each."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import read_rows, set_cell, write_rows

from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.data.validate import validate_evidence

FILE = "comparisons.csv"


def _messages(folder: Path) -> list[str]:
    return [str(p) for p in validate_evidence(folder)]


def _line_of(folder: Path, file: str, key: str) -> int:
    rows = read_rows(folder / file)
    return next(i for i, row in enumerate(rows, 1) if row[0] == key)


def _not_reached_line(folder: Path) -> int:
    rows = read_rows(folder / "outcomes.csv")
    flag = rows[0].index("not_reached")
    return next(i for i, row in enumerate(rows, 1) if i > 1 and row[flag] == "true")


def test_the_real_comparisons_and_medians_not_reached_load(evidence) -> None:
    assert len(evidence.comparisons) >= 1
    assert (evidence.comparisons["value"] > 0).all()
    reached = evidence.outcomes["not_reached"].astype("boolean").fillna(False).astype(bool)
    assert reached.any() and evidence.outcomes.loc[reached, "value"].isna().all()
    assert evidence.outcomes.loc[~reached, "value"].notna().all()
    post = evidence.comparisons["post_car_t"].astype(bool)
    assert (evidence.comparisons.loc[post, "prior_car_t_percent"] == 100).all()


@pytest.mark.parametrize(("column", "value", "message"), [
    ("ci_high", "0.2", "the interval 0.16-0.2 does not contain the value 0.28; check the order of the limits "
                       "and the estimate"),
    ("ci_low", "0.3", "the interval 0.3-0.51 does not contain the value 0.28; check the order of the limits "
                      "and the estimate"),
    ("ci_high", "", "ci_low is given but ci_high is empty; write both limits of the 95% interval as printed, "
                    "or leave both empty"),
    ("value", "0", "0 is not a hazard ratio; a ratio is above 0 (below 1 favours the group)"),
    ("adjustment", "", "adjusted is true, so say how in the source's words (e.g. 'multivariate analysis'), "
                       "or set adjusted to false"),
    ("randomised", "true", "randomised is true but design is 'retrospective'; groups are randomised only "
                           "in a 'randomized' design: correct one of them"),
    ("measure", "median_os_months", "'median_os_months' is a measure of kind 'median' in measures.csv; "
                                    "a comparison needs one of kind 'hazard_ratio' (add one, e.g. a hazard "
                                    "ratio for overall survival)"),
])
def test_a_broken_comparison_gets_one_precise_message(evidence_copy: Path, column: str, value: str,
                                                      message: str) -> None:
    line = 2  # the first comparison, under the header
    set_cell(evidence_copy, FILE, line, column, value)
    assert _messages(evidence_copy) == [f"{FILE}:{line}:{column}: {message}"]


def test_unadjusted_with_words_of_how_is_refused(evidence_copy: Path) -> None:
    set_cell(evidence_copy, FILE, 2, "adjusted", "false")
    assert _messages(evidence_copy) == [f"{FILE}:2:adjustment: adjusted is false but adjustment says "
                                        "'multivariate analysis'; set adjusted to true or leave adjustment "
                                        "empty"]


def test_no_patients_an_unknown_class_or_measure_is_refused(evidence_copy: Path) -> None:
    set_cell(evidence_copy, FILE, 2, "n_group", "0")
    set_cell(evidence_copy, FILE, 2, "scope_id", "no_such_class")
    set_cell(evidence_copy, FILE, 3, "measure", "os_ratio")
    found = _messages(evidence_copy)
    assert f"{FILE}:2:n_group: 0 is out of range; expected at least 1" in found
    assert any(m.startswith(f"{FILE}:2:scope_id: 'no_such_class' is neither an agent_id nor a class_id")
               for m in found)
    assert any(m.startswith(f"{FILE}:3:measure: 'os_ratio' is not a known measure in measures.csv")
               for m in found)


def test_post_car_t_with_a_partial_share_is_refused(evidence_copy: Path) -> None:
    set_cell(evidence_copy, FILE, 2, "prior_car_t_percent", "60")
    assert [m for m in _messages(evidence_copy) if m.startswith(f"{FILE}:2:prior_car_t_percent")] == [
        f"{FILE}:2:prior_car_t_percent: post_car_t is true but prior_car_t_percent is 60; post_car_t means "
        "every patient had CAR T-cell therapy (100): set post_car_t to false for a partly post-CAR-T cohort, "
        "or correct the percentage"]


def test_a_missing_caveat_text_is_named(evidence_copy: Path) -> None:
    rows = [r for r in read_rows(evidence_copy / "texts.csv") if r[0] != "comparison_not_randomised"]
    write_rows(evidence_copy / "texts.csv", rows)
    found = _messages(evidence_copy)
    assert found and all(m.endswith("in the words of texts.csv 'comparison_not_randomised', which is "
                                    "missing; add that text (kind scope)") for m in found)
    assert found[0].startswith(f"{FILE}:2:randomised: readers are told the caveat of randomised = false")


def test_a_table_without_comparisons_is_valid(evidence_copy: Path) -> None:
    write_rows(evidence_copy / FILE, read_rows(evidence_copy / FILE)[:1])
    assert _messages(evidence_copy) == []
    assert load_evidence(evidence_copy).comparisons.empty


@pytest.mark.parametrize(("column", "value", "message"), [
    ("value", "12", "not_reached is true but value is 12; a median not reached has no value: leave value "
                    "empty, or set not_reached to false"),
    ("ci_high", "20", "not_reached is true but ci_high is 20; the upper limit of a median not reached is not "
                      "reached either: leave ci_high empty"),
])
def test_a_median_not_reached_is_checked_both_ways(evidence_copy: Path, column: str, value: str,
                                                   message: str) -> None:
    line = _not_reached_line(evidence_copy)
    set_cell(evidence_copy, "outcomes.csv", line, column, value)
    assert _messages(evidence_copy) == [f"outcomes.csv:{line}:{column}: {message}"]


def test_a_median_without_a_value_must_say_not_reached(evidence_copy: Path) -> None:
    line = _not_reached_line(evidence_copy)
    set_cell(evidence_copy, "outcomes.csv", line, "not_reached", "false")
    assert _messages(evidence_copy) == [
        f"outcomes.csv:{line}:value: a value is required (months for a median, percent for a rate); when the "
        "source says the median was not reached, leave value empty and set not_reached to true"]


def test_only_a_median_can_be_not_reached(evidence_copy: Path) -> None:
    line = _line_of(evidence_copy, "outcomes.csv", "salvage_chemo_post_cart_12m_os")
    set_cell(evidence_copy, "outcomes.csv", line, "not_reached", "true")
    set_cell(evidence_copy, "outcomes.csv", line, "value", "")
    assert _messages(evidence_copy) == [
        f"outcomes.csv:{line}:not_reached: not_reached is true but os_rate is not a median; only a median "
        "can be not reached: set not_reached to false (empty) or correct the measure"]
