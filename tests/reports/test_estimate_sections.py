"""Comparisons and medians not reached on the class pages and in the clinician briefing: their words come
from the evidence rows and the topic's texts, a median not reached never shows as a number."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import set_cell

from lymphoma_evidence.analysis.estimates import comparison_table, medians_not_reached
from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.reports import class_profile
from lymphoma_evidence.reports.briefing import Briefing
from lymphoma_evidence.reports.estimate_sections import comparisons, direct_items
from lymphoma_evidence.reports.html import plain_text

PLACEHOLDERS = re.compile(r"\b(nan|NaN|None|<NA>)\b")


def _class_with(frame) -> str:
    return str(frame["scope_id"].iloc[0])


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
    rows = medians_not_reached(evidence).dropna(subset=["class_id"])
    assert len(rows)
    for class_id, mine in rows.groupby("class_id"):
        shown = plain_text(class_profile.outcomes(Briefing(evidence, audience="clinician",
                                                            class_ids=[str(class_id)])))
        for population in mine["population"]:
            line = next(line for line in shown.splitlines() if population in line)
            assert ": not reached" in line
        assert not PLACEHOLDERS.search(shown)


def _block(shown: str, name: str) -> str:
    """The direct evidence of one option in the briefing's options, as text."""
    return shown.split(f"\n{name}\n", 1)[1].split("Side effects", 1)[0]


def test_the_briefing_lists_them_with_the_class_direct_evidence(evidence) -> None:
    b = Briefing(evidence, audience="clinician")
    shown = plain_text(b.options())
    names = evidence.classes.set_index("class_id")["name"]
    for row in comparison_table(evidence, strata=("post_car_t",)).itertuples():
        block = _block(shown, names[row.class_id])
        assert "After CAR-T failure (direct evidence)" in block
        assert f"{row.heading} {row.value:g}" in block and row.group in block and row.caveat in block
        assert row.population not in block  # the class page gives who was compared
    medians = medians_not_reached(evidence).dropna(subset=["class_id"])
    whole = medians["time_to_relapse"].astype("string").fillna("").isin(["", "any"])
    for population, rows in medians[whole.to_numpy()].groupby("population"):
        block = _block(shown, names[rows["class_id"].iloc[0]])
        line = next(line for line in block.splitlines() if population in line)
        assert line.count("not reached") == 1 and (len(rows) == 1 or " and " in line)
    for row in medians[~whole.to_numpy()].itertuples():  # a window of time to relapse: in its table
        assert row.population not in _block(shown, names[row.class_id])
    assert "not reached" in shown and not PLACEHOLDERS.search(shown)


def test_the_outlook_and_the_relapse_table_say_not_reached_for_all_patients(evidence) -> None:
    rows = medians_not_reached(evidence)
    everyone = rows[rows["scope_id"] == "any"]
    assert len(everyone)
    shown = plain_text(Briefing(evidence, audience="clinician").outlook())
    for r in everyone.itertuples():
        assert f": not reached — {r.population}" in shown
        if isinstance(r.time_to_relapse, str) and r.time_to_relapse not in ("", "any"):
            assert f"{r.time_to_relapse} | {r.population} |" in shown
            assert re.search(re.escape(r.population) + r" \| [^|]+ \| not reached \|", shown)
    assert not PLACEHOLDERS.search(shown)


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
    for class_id in {*evidence.comparisons["scope_id"], *medians_not_reached(evidence)["class_id"].dropna()}:
        assert direct_items(b, class_id) == [] and str(comparisons(b, class_id)) == ""


def test_a_class_without_comparisons_adds_nothing(evidence) -> None:
    b = Briefing(evidence, audience="clinician", class_ids=["supportive_care"])
    assert str(comparisons(b, "supportive_care")) == "" and direct_items(b, "supportive_care") == []
