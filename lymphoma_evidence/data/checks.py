"""Cross-table and domain checks: what no schema library can say about the evidence.

Each check takes the typed frames (and each table's line numbers) and returns problems; none raises.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from ..vocabulary import Endpoint
from .schema import Package

PRIMARY_SOURCE_TYPES = ("trial_publication", "conference_abstract", "label")
PERCENT_TOLERANCE = 1.0  # percentage points between reported_percent and 100 * responders / n
RATE_MEASURES = ("os_rate", "pfs_rate", "non_relapse_mortality_rate")

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
                                 "so eligibility.scope_id is unambiguous", "id-clash"))
    for table, allowed, extra in (("eligibility", agents | classes, ""),
                                  ("outcomes", agents | classes | {"any"}, ", or 'any'")):
        frame = frames[table]
        bad = frame["scope_id"].notna() & ~frame["scope_id"].isin(allowed)
        for i in frame.index[bad]:
            problems.append(_problem(package, table, lines, i, "scope_id",
                                     f"{frame['scope_id'][i]!r} is neither an agent_id nor a "
                                     f"class_id{extra}; use an id from agents.csv or "
                                     "therapy_classes.csv", "foreign-key"))
    return problems


def _responders(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    results = frames["results"]
    problems = []
    over = results["responders"] > results["n"]
    for i in results.index[over.fillna(False)]:
        problems.append(_problem(package, "results", lines, i, "responders",
                                 f"{results['responders'][i]} responders exceed n = {results['n'][i]}; "
                                 "responders must be at most n", "responders-exceed-n"))
    computed = 100 * results["responders"] / results["n"]
    off = (computed - results["reported_percent"]).abs() > PERCENT_TOLERANCE
    for i in results.index[off.fillna(False) & ~over.fillna(False)]:
        problems.append(_problem(
            package, "results", lines, i, "reported_percent",
            f"reported {results['reported_percent'][i]:g}% differs from 100 x responders / n = "
            f"{computed[i]:.1f}% by more than {PERCENT_TOLERANCE:g} point; check n and responders "
            "against the source", "percent-mismatch"))
    return problems


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def counts_matching_percent(n: int, percent: float) -> list[int]:
    """Whole numbers k in 0..n whose 100*k/n rounds to ``percent`` (0-100) at its printed precision."""
    half = 0.5 * 10 ** -_decimals(percent) + 1e-9
    return [k for k in range(n + 1) if abs(100 * k / n - percent) <= half]


def counts_matching_interval(n: int, candidates: list[int], low: float, high: float) -> list[int]:
    """The ``candidates`` whose exact (Clopper-Pearson) 95% CI rounds to ``low``-``high`` (percent)."""
    from scipy.stats import beta

    half = 0.5 * 10 ** -max(_decimals(low), _decimals(high)) + 1e-9

    def fits(k: int) -> bool:
        lo = 0.0 if k == 0 else 100 * beta.ppf(0.025, k, n - k + 1)
        hi = 100.0 if k == n else 100 * beta.ppf(0.975, k + 1, n - k)
        return abs(lo - low) <= half and abs(hi - high) <= half

    return [k for k in candidates if fits(k)]


def _derived_counts(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    results = frames["results"]
    basis = results["responders_basis"]
    derived = basis.isin(["derived", "derived_ci"]).fillna(False)
    usable = derived & results[["n", "responders", "reported_percent"]].notna().all(axis=1)
    problems = []
    for i in results.index[usable & (results["n"] >= 1).fillna(False)]:
        n, k, pct = int(results["n"][i]), int(results["responders"][i]), float(results["reported_percent"][i])
        matches = counts_matching_percent(n, pct)
        printed = f"{pct:g}%"
        if basis[i] == "derived_ci":
            low, high = results["reported_ci_low"][i], results["reported_ci_high"][i]
            if pd.isna(low) or pd.isna(high):
                problems.append(_problem(package, "results", lines, i, "reported_ci_low",
                                         "responders_basis 'derived_ci' needs the printed 95% CI in "
                                         "reported_ci_low and reported_ci_high", "derived-count"))
                continue
            matches = counts_matching_interval(n, matches, float(low), float(high))
            printed = f"{pct:g}% (95% CI {low:g}-{high:g})"
        if matches == [k]:
            continue
        if not matches or k not in matches:
            why = f"{k}/{n} = {100 * k / n:.2f}% does not match {printed}"
        else:
            why = f"{printed} of {n} fits {len(matches)} counts ({', '.join(map(str, matches))})"
        problems.append(_problem(
            package, "results", lines, i, "responders",
            f"derived count is not determined by the source: {why}; record a count the source prints "
            "(responders_basis 'reported') or leave the figure out", "derived-count"))
    return problems


def _cr_within_orr(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    results = frames["results"].copy()
    results["rate"] = results["responders"] / results["n"]
    key = ["trial", "regimen", "population", "source_id", "analysis_set"]
    orr = results[results["endpoint"] == Endpoint.ORR].dropna(subset=key + ["rate"])
    cr = results[results["endpoint"] == Endpoint.CR].dropna(subset=key)
    # one ORR per key (the highest, so a duplicated key never blows up the merge or raises a false alarm)
    highest = orr.sort_values("rate").drop_duplicates(subset=key, keep="last")
    merged = cr.reset_index().merge(highest[key + ["rate", "result_id"]], on=key, how="inner",
                                    suffixes=("", "_orr"), validate="many_to_one")
    problems = []
    for row in merged[merged["rate"] > merged["rate_orr"] + 1e-12].itertuples():
        problems.append(_problem(
            package, "results", lines, row.index, "responders",
            f"CR rate {row.rate:.1%} is above the ORR rate {row.rate_orr:.1%} of {row.result_id_orr} "
            "(same trial, regimen, population and source); complete responses are part of the "
            "overall response", "cr-above-orr"))
    return problems


def _primary_sources(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    kinds = frames["sources"].set_index("source_id")["source_type"]
    kinds = kinds[~kinds.index.duplicated()]
    results = frames["results"]
    kind = results["source_id"].map(kinds)
    bad = kind.notna() & ~kind.isin(PRIMARY_SOURCE_TYPES)
    return [
        _problem(package, "results", lines, i, "source_id",
                 f"{results['source_id'][i]!r} is a {kind[i]}; results must cite a primary source "
                 f"({', '.join(PRIMARY_SOURCE_TYPES)})", "secondary-source")
        for i in results.index[bad]
    ]


def _traceable_sources(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    sources = frames["sources"]
    cited = set(frames["results"]["source_id"].dropna())
    is_label = sources["source_type"] == "label"
    untraceable = sources["pmid"].isna() & sources["doi"].isna() & ~(is_label & sources["url"].notna())
    return [
        _problem(package, "sources", lines, i, "pmid",
                 f"{sources['source_id'][i]!r} is cited by results but has neither a PMID nor a DOI "
                 "(a label needs its url); add one so every figure can be traced", "untraceable-source")
        for i in sources.index[(untraceable & sources["source_id"].isin(cited)).fillna(False)]
    ]


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


ALL_CHECKS = (_foreign_keys, _scope_ids, _responders, _derived_counts, _cr_within_orr, _primary_sources,
              _traceable_sources, _subgroups, _ranges, _outcomes)


def cross_table_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Run every cross-table and domain check on typed frames; returns the problems found."""
    problems: list[Problem] = []
    for check in ALL_CHECKS:
        problems += check(package, frames, lines)
    return problems
