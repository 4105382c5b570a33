"""Checks of the patient pages' tables (``aid_options``, ``aid_timing``) that no schema can state: the
';'-separated lists name known classes and measures, and a relapse-timing row is about one window of time
to relapse. Each check returns problems; none raises."""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .schema import Package

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]

#: Headline measures the outlook may quote (see analysis.headline): medians, or a rate at a time point.
MEDIANS = ("median_os_months", "median_pfs_months", "median_duration_of_response_months")
RATE_PREFIXES = ("os_rate_", "pfs_rate_", "non_relapse_mortality_rate_")


def _items(value: object) -> list[str]:
    return [] if value is None or pd.isna(value) else [p.strip() for p in str(value).split(";") if p.strip()]


def _known_measure(measure: str) -> bool:
    if measure in MEDIANS:
        return True
    prefix = next((p for p in RATE_PREFIXES if measure.startswith(p)), "")
    months = measure[len(prefix):].removesuffix("m")
    return bool(prefix) and measure.endswith("m") and months.replace(".", "", 1).isdigit()


def aid_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Problems of ``aid_options.csv`` (covers, outlook_measures) and ``aid_timing.csv`` (windows)."""
    if "aid_options" not in frames or "aid_timing" not in frames:
        return []
    problems = []
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
            if not _known_measure(measure):
                problems.append(Problem(path, lines["aid_options"][i], "outlook_measures",
                                        f"{measure!r} is not a headline measure; use one of "
                                        f"{', '.join(MEDIANS)} or a rate with its months, e.g. os_rate_12m"))
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
