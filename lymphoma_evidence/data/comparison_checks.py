"""Checks of comparative estimates (``comparisons.csv``) and of medians not reached (``outcomes.csv``).

A comparison is a hazard ratio of one group against another: above 0, inside its 95% interval (both limits
or neither), worded by a measures.csv row of kind ``hazard_ratio``, adjusted with the words of how, and
randomised only in a randomized design. Readers see the caveat words of texts.csv beside it, so the texts
a comparison needs must exist. A median not reached has no value (and no upper limit); every other
outcome has one.

Each check takes the typed frames (and each table's line numbers) and returns problems; none raises.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem, ProblemCode
from .schema import Package

__all__ = ["CAVEAT_TEXTS", "HAZARD_RATIO", "comparison_problems", "caveat_text_ids"]

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]

#: The measures.csv kind a comparison's measure must have.
HAZARD_RATIO = "hazard_ratio"
#: texts.csv ids of the caveat words, by column and value: what a reader is told beside the estimate.
CAVEAT_TEXTS = {("randomised", True): "comparison_randomised",
                ("randomised", False): "comparison_not_randomised",
                ("adjusted", True): "comparison_adjusted",
                ("adjusted", False): "comparison_unadjusted"}
#: The design a randomised comparison has (outcomes.csv and comparisons.csv ``design``).
RANDOMIZED = "randomized"


def _flag(value: object) -> bool | None:
    return None if pd.isna(value) else bool(value)


def caveat_text_ids(row: pd.Series) -> list[str]:
    """The texts.csv ids whose words go beside one comparison: randomisation first, then adjustment."""
    ids = []
    for column in ("randomised", "adjusted"):
        flag = _flag(row[column])
        if flag is not None:
            ids.append(CAVEAT_TEXTS[(column, flag)])
    return ids


def _at(package: Package, lines: Lines, table: str, index: int, column: str, message: str,
        code: str = ProblemCode.COMPARISON) -> Problem:
    return Problem(package.table(table).path, lines[table][index], column, message, code)


def _interval(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    cmp = frames["comparisons"]
    problems = []
    for i, row in cmp.iterrows():
        low, high, value = row["ci_low"], row["ci_high"], row["value"]
        if pd.isna(low) != pd.isna(high):
            given, empty = ("ci_low", "ci_high") if pd.isna(high) else ("ci_high", "ci_low")
            problems.append(_at(package, lines, "comparisons", i, empty,
                                f"{given} is given but {empty} is empty; write both limits of the 95% "
                                "interval as printed, or leave both empty", ProblemCode.INTERVAL_ORDER))
        elif pd.notna(low) and pd.notna(value) and value > 0 and not low <= value <= high:
            column = "ci_low" if low > value else "ci_high"
            problems.append(_at(package, lines, "comparisons", i, column,
                                f"the interval {low:g}-{high:g} does not contain the value {value:g}; "
                                "check the order of the limits and the estimate",
                                ProblemCode.INTERVAL_ORDER))
        if pd.notna(value) and value <= 0:
            problems.append(_at(package, lines, "comparisons", i, "value",
                                f"{value:g} is not a hazard ratio; a ratio is above 0 (below 1 favours the "
                                "group)", ProblemCode.RANGE))
        if pd.notna(low) and low <= 0:
            problems.append(_at(package, lines, "comparisons", i, "ci_low",
                                f"the lower limit {low:g} is not a ratio; a ratio's limits are above 0",
                                ProblemCode.RANGE))
    return problems


def _measures(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    cmp = frames["comparisons"]
    kinds = dict(zip(frames["measures"]["measure"], frames["measures"]["kind"], strict=True))
    return [_at(package, lines, "comparisons", i, "measure",
                f"{measure!r} is a measure of kind {kinds[measure]!r} in measures.csv; a comparison needs "
                f"one of kind {HAZARD_RATIO!r} (add one, e.g. a hazard ratio for overall survival)")
            for i, measure in cmp["measure"].items()
            if measure in kinds and kinds[measure] != HAZARD_RATIO]


def _design(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    cmp = frames["comparisons"]
    problems = []
    for i, row in cmp.iterrows():
        adjusted, randomised = _flag(row["adjusted"]), _flag(row["randomised"])
        has_words = pd.notna(row["adjustment"]) and str(row["adjustment"]).strip() != ""
        if adjusted and not has_words:
            problems.append(_at(package, lines, "comparisons", i, "adjustment",
                                "adjusted is true, so say how in the source's words (e.g. 'multivariate "
                                "analysis'), or set adjusted to false"))
        if adjusted is False and has_words:
            problems.append(_at(package, lines, "comparisons", i, "adjustment",
                                f"adjusted is false but adjustment says {row['adjustment']!r}; set adjusted "
                                "to true or leave adjustment empty"))
        randomized_design = row["design"] == RANDOMIZED
        if randomised is not None and pd.notna(row["design"]) and randomised != randomized_design:
            said = "true" if randomised else "false"
            problems.append(_at(package, lines, "comparisons", i, "randomised",
                                f"randomised is {said} but design is {row['design']!r}; groups are "
                                f"randomised only in a {RANDOMIZED!r} design: correct one of them"))
    return problems


def _caveat_texts(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    known = set(frames["texts"]["text_id"].dropna())
    problems = []
    for i, row in frames["comparisons"].iterrows():
        for text_id in caveat_text_ids(row):
            if text_id not in known:
                column = next(c for (c, _), t in CAVEAT_TEXTS.items() if t == text_id)
                problems.append(_at(package, lines, "comparisons", i, column,
                                    f"readers are told the caveat of {column} = {str(row[column]).lower()} "
                                    f"in the words of texts.csv {text_id!r}, which is missing; add that "
                                    "text (kind scope)"))
    return problems


def _not_reached(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    out = frames["outcomes"]
    flags = out["not_reached"].astype("boolean").fillna(False).astype(bool)
    medians = out["measure"].astype("string").fillna("").str.startswith("median_").astype(bool)
    problems = []
    for i in out.index:
        value = out["value"][i]
        if flags[i] and not medians[i]:
            problems.append(_at(package, lines, "outcomes", i, "not_reached",
                                f"not_reached is true but {out['measure'][i]} is not a median; only a median "
                                "can be not reached: set not_reached to false (empty) or correct the measure",
                                ProblemCode.NOT_REACHED))
        elif flags[i] and pd.notna(value):
            problems.append(_at(package, lines, "outcomes", i, "value",
                                f"not_reached is true but value is {value:g}; a median not reached has no "
                                "value: leave value empty, or set not_reached to false",
                                ProblemCode.NOT_REACHED))
        elif flags[i] and pd.notna(out["ci_high"][i]):
            problems.append(_at(package, lines, "outcomes", i, "ci_high",
                                f"not_reached is true but ci_high is {out['ci_high'][i]:g}; the upper limit "
                                "of a median not reached is not reached either: leave ci_high empty",
                                ProblemCode.NOT_REACHED))
        elif not flags[i] and pd.isna(value):
            problems.append(_at(package, lines, "outcomes", i, "value",
                                "a value is required (months for a median, percent for a rate); when the "
                                "source says the median was not reached, leave value empty and set "
                                "not_reached to true", ProblemCode.NOT_REACHED))
    return problems


def comparison_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Comparisons (interval, ratio above 0, measure kind, adjustment, randomisation, caveat texts) and
    medians not reached; returns the problems found."""
    problems: list[Problem] = []
    for check in (_interval, _measures, _design, _caveat_texts, _not_reached):
        problems += check(package, frames, lines)
    return problems
