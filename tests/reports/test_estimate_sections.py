"""Comparisons and medians not reached on the class pages and in the clinician briefing: their words come
from the evidence rows and the topic's texts, a median not reached never shows as a number."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import set_cell

from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.reports import class_profile
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.estimate_sections import comparisons, direct_items
from lymphoma_evidence.reports.html import plain_text

PLACEHOLDERS = re.compile(r"\b(nan|NaN|None|<NA>)\b")


def _class_with(frame) -> str:
    return str(frame["scope_id"].iloc[0])


def _flagged(evidence):
    flag = evidence.outcomes["not_reached"].astype("boolean").fillna(False).astype(bool)
    return evidence.outcomes[flag.to_numpy()]


def test_a_class_page_shows_its_comparisons_with_their_caveats_and_source(evidence) -> None:
    row = evidence.comparisons.iloc[0]
    b = Briefing(evidence, audience="clinician", class_ids=[_class_with(evidence.comparisons)])
    shown = plain_text(class_profile.outcomes(b))
    texts = evidence.texts.set_index("text_id")["text"]
    assert "Compared with another treatment" in shown and texts["comparison_reading"] in shown
    assert f"{row['value']:g} (95% CI {row['ci_low']:g}–{row['ci_high']:g})" in shown
    assert row["group"] in shown and row["comparator"] in shown and row["population"] in shown
    assert texts["comparison_not_randomised"] in shown and texts["comparison_adjusted"] in shown
    assert b.refs.numbers(row["source_id"])
    assert not PLACEHOLDERS.search(shown)


def test_a_median_not_reached_reads_not_reached_on_its_class_page(evidence) -> None:
    rows = _flagged(evidence)
    b = Briefing(evidence, audience="clinician", class_ids=[_class_with(rows)])
    shown = plain_text(class_profile.outcomes(b))
    for population in rows["population"]:
        line = next(line for line in shown.splitlines() if population in line)
        assert ": not reached" in line
    assert not PLACEHOLDERS.search(shown)


def test_the_briefing_lists_them_with_the_class_direct_evidence(evidence) -> None:
    b = Briefing(evidence, audience="clinician")
    shown = plain_text(b.options())
    for class_id, frame in (("comparison", evidence.comparisons), ("median", _flagged(evidence))):
        name = evidence.classes.set_index("class_id").loc[_class_with(frame), "name"]
        block = shown.split(f"\n{name}\n", 1)[1].split("Side effects", 1)[0]
        assert "After CAR-T failure (direct evidence)" in block, class_id
        for population in frame["population"]:
            assert population in block
    assert "not reached" in shown and not PLACEHOLDERS.search(shown)


def test_the_words_come_from_the_rows_and_texts(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "texts.csv", _line(evidence_copy, "texts.csv", "comparison_not_randomised"),
             "text", "chosen by the doctors, not by chance")
    set_cell(evidence_copy, "comparisons.csv", 2, "group", "the tested group")
    evidence = load_evidence(evidence_copy)
    b = Briefing(evidence, audience="clinician", class_ids=[_class_with(evidence.comparisons)])
    shown = plain_text(comparisons(b, _class_with(evidence.comparisons)))
    assert "chosen by the doctors, not by chance" in shown and "the tested group (" in shown


def _line(folder: Path, file: str, key: str) -> int:
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key},"))


def test_patients_are_shown_neither(evidence) -> None:
    b = Briefing(evidence, audience="patient")
    for frame in (evidence.comparisons, _flagged(evidence)):
        class_id = _class_with(frame)
        assert direct_items(b, class_id) == [] and str(comparisons(b, class_id)) == ""


def test_a_class_without_comparisons_adds_nothing(evidence) -> None:
    b = Briefing(evidence, audience="clinician", class_ids=["supportive_care"])
    assert str(comparisons(b, "supportive_care")) == "" and direct_items(b, "supportive_care") == []
