"""Checks of the patient pages' tables (``aid_options``, ``aid_timing``) and words (measures.csv) that no
schema can state: the ';'-separated lists name known classes and measures with patient words, a
relapse-timing row is about one window of time to relapse, a measure the pages show has patient words and
a median's words say where its months go. Each check returns problems; none raises."""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .schema import Package

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]

#: Where a median's patient words put its number of months.
MONTHS = "{months}"


def _items(value: object) -> list[str]:
    return [] if value is None or pd.isna(value) else [p.strip() for p in str(value).split(";") if p.strip()]


def _worded(measures: pd.DataFrame) -> set[str]:
    """The measures with patient words (measures.csv ``patient``)."""
    return set(measures.loc[measures["patient"].notna() & (measures["patient"].astype(str).str.strip() != ""),
                            "measure"].astype(str))


def _measure_problems(package: Package, measures: pd.DataFrame, lines: list[int]) -> list[Problem]:
    """A measure the patient pages show (``aid_order``) needs patient words; a median's patient words
    say where the months go (``{months}``) and no other measure's do."""
    path, worded, problems = package.table("measures").path, _worded(measures), []
    for i, row in measures.iterrows():
        measure = str(row["measure"])
        if pd.notna(row["aid_order"]) and measure not in worded:
            problems.append(Problem(path, lines[i], "patient", f"measure {measure!r} has an aid_order but no "
                                    "patient words; say in plain words what the people counted did"))
        if measure not in worded:
            continue
        median = row["kind"] == "median"
        if median != (MONTHS in str(row["patient"])):
            problems.append(Problem(path, lines[i], "patient", (
                f"the patient words of the median {measure!r} need {MONTHS} where the number goes, e.g. "
                f"'were still alive {MONTHS} months later'") if median else (
                f"{MONTHS} is only for medians; measure {measure!r} is a {row['kind']}")))
    return problems


def aid_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Problems of the patient words of ``measures.csv``, ``aid_options.csv`` (covers, outlook_measures)
    and ``aid_timing.csv`` (windows)."""
    problems = _measure_problems(package, frames["measures"], lines["measures"]) if "measures" in frames \
        else []
    if "aid_options" not in frames or "aid_timing" not in frames:
        return problems
    worded = _worded(frames["measures"])
    options, path = frames["aid_options"], package.table("aid_options").path
    classes = set(frames["therapy_classes"]["class_id"].dropna())
    seen: dict[str, str] = {}
    for i, row in options.iterrows():
        for covered in _items(row["covers"]):
            if covered not in classes:
                problems.append(Problem(path, lines["aid_options"][i], "covers",
                                        f"{covered!r} is not a known class_id in therapy_classes.csv; list "
                                        "class ids separated by ';'", "foreign-key"))
            elif covered in seen or covered in set(options["class_id"]):
                problems.append(Problem(path, lines["aid_options"][i], "covers",
                                        f"{covered!r} is already shown as a choice of its own or under "
                                        f"{seen.get(covered, covered)!r}; a class is shown under one choice"))
            seen[covered] = str(row["class_id"])
        for measure in _items(row["outlook_measures"]):
            if measure not in worded:
                problems.append(Problem(path, lines["aid_options"][i], "outlook_measures",
                                        f"{measure!r} is not a measure with patient words in measures.csv; "
                                        "name a measure whose patient column is filled, or fill it"))
    timing, outcomes = frames["aid_timing"], frames["outcomes"].set_index("outcome_id")
    for i, row in timing.iterrows():
        outcome = row["outcome_id"]
        if outcome not in outcomes.index:
            continue  # the foreign-key check reports it
        window = str(outcomes.loc[outcome, "time_to_relapse"] if "time_to_relapse" in outcomes.columns
                     else "").strip()
        if window in ("", "any", "nan", "<NA>"):
            problems.append(Problem(package.table("aid_timing").path, lines["aid_timing"][i], "outcome_id",
                                    f"outcome {outcome!r} is about everyone, not one window of time to "
                                    "relapse; fill its time_to_relapse in outcomes.csv or remove this row"))
    return problems
