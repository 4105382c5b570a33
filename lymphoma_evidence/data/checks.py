"""Cross-table and domain checks: what no schema library can say about the evidence.

Each check takes the typed frames (and each table's line numbers) and returns problems; none raises.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem, ProblemCode
from .aid_checks import aid_problems
from .comparison_checks import comparison_problems
from .counts import count_problems, counts_matching_interval, counts_matching_percent
from .provenance import provenance_problems
from .rules import rule_problems
from .schema import Package
from .topic_checks import endpoint_problems, optional_column, topic_problems

__all__ = ["counts_matching_interval", "counts_matching_percent", "cross_table_problems"]

RATE_MEASURES = ("os_rate", "pfs_rate", "non_relapse_mortality_rate", "relapse_rate")

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]


def _problem(package: Package, table: str, lines: Lines, index: int, column: str, message: str,
             code: str) -> Problem:
    return Problem(package.table(table).path, lines[table][index], column, message, code)


def _foreign_keys(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    problems = []
    for table in package.tables:
        frame = frames[table.name]
        for field, target, target_field in table.foreign_keys:
            known = set(frames[target][target_field].dropna())
            values = frame[field]
            dangling = values.notna() & ~values.isin(known)
            for i in frame.index[dangling]:
                problems.append(_problem(
                    package, table.name, lines, i, field,
                    f"{values[i]!r} is not a known {target_field} in {target}.csv; add it there "
                    "first or correct the spelling", "foreign-key"))
    return problems


def _scope_ids(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    agents = set(frames["agents"]["agent_id"].dropna())
    classes = set(frames["therapy_classes"]["class_id"].dropna())
    problems = []
    for clash in sorted(agents & classes):
        i = frames["agents"].index[frames["agents"]["agent_id"] == clash][0]
        problems.append(_problem(package, "agents", lines, i, "agent_id",
                                 f"{clash!r} is also a class_id; agent and class ids must differ "
                                 "so every scope_id is unambiguous", "id-clash"))
    for table, allowed, extra in (("eligibility", agents | classes, ""),
                                  ("results", agents | classes, ""),
                                  ("harms", agents | classes, ""),
                                  ("comparisons", agents | classes, ""),
                                  ("outcomes", agents | classes | {"any"}, ", or 'any'")):
        frame = frames[table]
        bad = frame["scope_id"].notna() & ~frame["scope_id"].isin(allowed)
        for i in frame.index[bad]:
            problems.append(_problem(package, table, lines, i, "scope_id",
                                     f"{frame['scope_id'][i]!r} is neither an agent_id nor a "
                                     f"class_id{extra}; use an id from agents.csv or "
                                     "therapy_classes.csv", "foreign-key"))
    return problems


def _rates_within(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """A response rate is at most the rate of the measure it is within (measures.csv ``within``), for the
    same trial, regimen, population, source and analysis set."""
    measures = frames["measures"]
    words = {str(m): str(h)[:1].lower() + str(h)[1:]
             for m, h in zip(measures["measure"], measures["heading"], strict=True) if pd.notna(h)}
    pairs = measures.assign(within=optional_column(measures, "within")).dropna(subset=["measure", "within"])
    results = frames["results"].assign(rate=frames["results"]["responders"] / frames["results"]["n"])
    problems = []
    for inner, outer in zip(pairs["measure"].astype(str), pairs["within"].astype(str), strict=True):
        if inner == outer:
            continue  # a measure within itself is a problem of measures.csv (topic_checks)
        for row in _above(results, inner, outer).itertuples():
            problems.append(_problem(
                package, "results", lines, row.index, "responders",
                f"{inner} rate {row.rate:.1%} is above the {outer} rate {row.rate_outer:.1%} of "
                f"{row.result_id_outer} (same trial, regimen, population and source); {inner} is within "
                f"{outer} in measures.csv ({words.get(inner, inner)} is part of {words.get(outer, outer)})",
                ProblemCode.RATE_ABOVE_WITHIN))
    return problems


def _above(results: pd.DataFrame, inner: str, outer: str) -> pd.DataFrame:
    """The ``inner`` results whose rate is above that of the ``outer`` result with the same key."""
    key = ["trial", "regimen", "population", "source_id", "analysis_set"]
    outers = results[results["endpoint"] == outer].dropna(subset=key + ["rate"])
    inners = results[results["endpoint"] == inner].dropna(subset=key)
    # one outer row per key (the highest: a duplicated key never blows up the merge or raises a false alarm)
    highest = outers.sort_values("rate").drop_duplicates(subset=key, keep="last")
    merged = inners.reset_index().merge(highest[key + ["rate", "result_id"]], on=key, how="inner",
                                        suffixes=("", "_outer"), validate="many_to_one")
    return merged[merged["rate"] > merged["rate_outer"] + 1e-12]


def _subgroups(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    results = frames["results"]
    own = results["subgroup_of"].notna() & (results["subgroup_of"] == results["cohort_id"])
    return [
        _problem(package, "results", lines, i, "subgroup_of",
                 "a subgroup cannot be a subgroup of its own cohort; give the subgroup its own cohort_id",
                 "subgroup-self")
        for i in results.index[own.fillna(False)]
    ]


def _ranges(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    ranges = frames["reported_ranges"]
    bad = (ranges["low_percent"] > ranges["high_percent"]).fillna(False)
    return [
        _problem(package, "reported_ranges", lines, i, "low_percent",
                 f"low_percent {ranges['low_percent'][i]:g} is above high_percent "
                 f"{ranges['high_percent'][i]:g}; swap them", "range-order")
        for i in ranges.index[bad]
    ]


def _outcomes(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    out = frames["outcomes"]
    problems = []
    is_rate = out["measure"].isin(RATE_MEASURES)
    for i in out.index[(is_rate & out["timepoint_months"].isna()).fillna(False)]:
        problems.append(_problem(package, "outcomes", lines, i, "timepoint_months",
                                 f"{out['measure'][i]} needs timepoint_months (e.g. 12 for a "
                                 "1-year rate)", "missing-timepoint"))
    for i in out.index[(is_rate & (out["value"] > 100)).fillna(False)]:
        problems.append(_problem(package, "outcomes", lines, i, "value",
                                 f"{out['value'][i]:g} is not a percentage; rates are 0-100", "range"))
    low_bad = (out["ci_low"] > out["value"]).fillna(False)
    high_bad = (out["ci_high"] < out["value"]).fillna(False)
    for i in out.index[low_bad | high_bad]:
        problems.append(_problem(package, "outcomes", lines, i, "ci_low" if low_bad[i] else "ci_high",
                                 f"the interval {out['ci_low'][i]:g}-{out['ci_high'][i]:g} does not "
                                 f"contain the value {out['value'][i]:g}", "interval-order"))
    return problems


def _question_counts(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    qs = frames["clinical_questions"]
    bad = (qs["events"] > qs["n"]).fillna(False)
    return [_problem(package, "clinical_questions", lines, i, "events",
                     f"{qs['events'][i]} events exceed n = {qs['n'][i]}; events must be at most n",
                     "responders-exceed-n")
            for i in qs.index[bad]]


#: The checks in order; of several problems in one cell the first is reported, so the endpoint check, which
#: lists the allowed values, comes before the foreign keys.
ALL_CHECKS = (endpoint_problems, _foreign_keys, _scope_ids, count_problems, _rates_within,
              provenance_problems, _subgroups, _ranges, _outcomes, _question_counts, rule_problems,
              topic_problems, aid_problems, comparison_problems)


def cross_table_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Run every cross-table and domain check on typed frames; returns the problems found."""
    problems: list[Problem] = []
    for check in ALL_CHECKS:
        problems += check(package, frames, lines)
    return problems
