"""Comparisons between two groups and medians not reached: kept as printed, worded from the topic's texts."""

from __future__ import annotations

import pandas as pd
import pytest

from lymphoma_evidence import Evidence
from lymphoma_evidence.analysis import frames
from lymphoma_evidence.analysis.estimates import comparison_table, medians_not_reached, not_reached


def _comparison(comparison_id: str, scope_id: str, **values: object) -> dict:
    row = {"comparison_id": comparison_id, "scope_id": scope_id, "group": "group A",
           "comparator": "group B", "measure": "os_hr", "value": 0.5, "ci_low": 0.3, "ci_high": 0.8,
           "adjusted": True, "adjustment": "multivariable Cox model", "randomised": False, "n_group": 40,
           "n_comparator": None, "post_car_t": True, "prior_car_t_percent": None, "design": "retrospective",
           "population": f"people of {comparison_id}", "source_id": "src"}
    return {**row, **values}


@pytest.fixture
def small(evidence) -> Evidence:
    comparisons = pd.DataFrame([
        _comparison("after", "cd22_car_t"),
        _comparison("naive", "glofitamab", post_car_t=False, prior_car_t_percent=0.0, adjusted=False,
                    adjustment=None, randomised=True, design="randomized", ci_low=None, ci_high=None),
    ])
    sources = pd.DataFrame({"source_id": ["src"], "label": ["Source 2024"]})
    return Evidence.from_frames(comparisons=comparisons, sources=sources, classes=evidence.classes,
                                agents=evidence.agents)


def _text(evidence: Evidence, text_id: str) -> str:
    texts = evidence.texts.set_index("text_id")["text"]
    return str(texts[text_id])


def test_the_real_table_meets_its_contract(evidence) -> None:
    table = comparison_table(evidence)
    frames.ComparisonTable.validate(table)
    assert list(table.columns) == frames.columns("ComparisonTable")
    assert len(table) == len(evidence.comparisons)


def test_caveats_are_the_topic_words_for_randomisation_and_adjustment(small) -> None:
    table = comparison_table(small).set_index("comparison_id")
    adjusted = f"{_text(small, 'comparison_adjusted')} (multivariable Cox model)"
    assert table.loc["after", "caveat"] == f"{_text(small, 'comparison_not_randomised')}; {adjusted}"
    assert table.loc["naive", "caveat"] == (f"{_text(small, 'comparison_randomised')}; "
                                            f"{_text(small, 'comparison_unadjusted')}")


def test_rows_keep_their_values_class_heading_and_stratum(small) -> None:
    table = comparison_table(small).set_index("comparison_id")
    assert table.loc["after", ["value", "ci_low", "ci_high"]].tolist() == [0.5, 0.3, 0.8]
    assert table.loc["after", "stratum"] == "post_car_t" and table.loc["naive", "stratum"] == "car_t_naive"
    assert table.loc["naive", "class_id"] == "bispecific_antibodies"
    assert pd.isna(table.loc["naive", "ci_low"]) and pd.isna(table.loc["after", "n_comparator"])
    heading = small.measures.set_index("measure").loc["os_hr", "heading"]
    assert set(table["heading"]) == {heading} and set(table["source_label"]) == {"Source 2024"}


def test_a_class_and_strata_keep_their_own_rows(small) -> None:
    assert list(comparison_table(small, "cd22_car_t")["comparison_id"]) == ["after"]
    assert list(comparison_table(small, strata=("post_car_t",))["comparison_id"]) == ["after"]
    assert comparison_table(small, "adcs").empty


def test_the_caller_frame_is_not_changed(small) -> None:
    before = small.comparisons.copy()
    comparison_table(small)
    pd.testing.assert_frame_equal(small.comparisons, before)


def test_no_comparisons_give_an_empty_table_with_the_columns(evidence) -> None:
    empty = Evidence.from_frames(classes=evidence.classes, agents=evidence.agents)
    assert comparison_table(empty).empty
    assert list(comparison_table(empty).columns) == frames.columns("ComparisonTable")


def test_medians_not_reached_are_the_flagged_rows_of_the_class(evidence) -> None:
    flagged = evidence.outcomes[not_reached(evidence.outcomes).to_numpy()]
    rows = medians_not_reached(evidence)
    assert list(rows["outcome_id"]) == list(flagged["outcome_id"]) and len(rows)
    assert rows["value"].isna().all()
    for class_id in set(rows["class_id"].dropna()):
        assert set(medians_not_reached(evidence, class_id)["class_id"]) == {class_id}


def test_a_frame_without_the_column_has_nothing_not_reached() -> None:
    assert not not_reached(pd.DataFrame({"value": [1.0, 2.0]})).any()
