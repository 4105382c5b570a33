"""Counting rules shared by results.csv (responders) and harms.csv (patients with the event).

A count is ``reported`` (printed), ``derived`` (only n and a percentage are printed, and exactly one whole
number fits the percentage), ``derived_ci`` (results only: the printed 95% CI picks the one count among
several that fit) or ``rounded`` (several whole numbers fit the printed percentage; the nearest one to
``n * percent / 100`` is stored, and every output marks it approximate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem
from .schema import Package

PERCENT_TOLERANCE = 1.0  # percentage points between reported_percent and 100 * count / n

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]


@dataclass(frozen=True)
class CountColumns:
    """Where a table keeps its denominator, count, count basis and printed percentage."""

    table: str
    n: str
    count: str
    basis: str
    percent: str
    noun: str  # what is counted, for messages


RESULT_COUNTS = CountColumns(
    "results", "n", "responders", "responders_basis", "reported_percent", "responders"
)
HARM_COUNTS = CountColumns("harms", "n", "patients", "patients_basis", "reported_percent", "patients")


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def counts_matching_percent(n: int, percent: float) -> list[int]:
    """Whole numbers k in 0..n whose 100*k/n rounds to ``percent`` (0-100) at its printed precision."""
    half = 0.5 * 10 ** -_decimals(percent) + 1e-9
    return [k for k in range(n + 1) if abs(100 * k / n - percent) <= half]


def nearest_count(n: int, percent: float) -> int:
    """The whole number nearest to ``n * percent / 100`` (halves round up), for a ``rounded`` count.

    Parameters
    ----------
    n : int
        The denominator.
    percent : float
        The printed percentage (0-100).
    """
    return int(math.floor(n * percent / 100 + 0.5 + 1e-9))


def counts_matching_interval(n: int, candidates: list[int], low: float, high: float) -> list[int]:
    """The ``candidates`` whose exact (Clopper-Pearson) 95% CI rounds to ``low``-``high`` (percent)."""
    from scipy.special import betaincinv  # beta.ppf(q, a, b), without importing scipy.stats (1.3 s)

    half = 0.5 * 10 ** -max(_decimals(low), _decimals(high)) + 1e-9

    def fits(k: int) -> bool:
        lo = 0.0 if k == 0 else 100 * betaincinv(k, n - k + 1, 0.025)
        hi = 100.0 if k == n else 100 * betaincinv(k + 1, n - k, 0.975)
        return abs(lo - low) <= half and abs(hi - high) <= half

    return [k for k in candidates if fits(k)]


def _at(
    package: Package, cols: CountColumns, lines: Lines, index: int, column: str, message: str, code: str
) -> Problem:
    return Problem(package.table(cols.table).path, lines[cols.table][index], column, message, code)


def _count_above_n(package: Package, frame: pd.DataFrame, lines: Lines, cols: CountColumns) -> list[Problem]:
    over = (frame[cols.count] > frame[cols.n]).fillna(False)
    return [
        _at(
            package,
            cols,
            lines,
            i,
            cols.count,
            f"{frame[cols.count][i]} {cols.noun} exceed n = {frame[cols.n][i]}; {cols.count} must be at "
            "most n",
            "responders-exceed-n",
        )
        for i in frame.index[over]
    ]


def _percent_mismatch(
    package: Package, frame: pd.DataFrame, lines: Lines, cols: CountColumns
) -> list[Problem]:
    computed = 100 * frame[cols.count] / frame[cols.n]
    off = ((computed - frame[cols.percent]).abs() > PERCENT_TOLERANCE).fillna(False)
    over = (frame[cols.count] > frame[cols.n]).fillna(False)
    return [
        _at(
            package,
            cols,
            lines,
            i,
            cols.percent,
            f"reported {frame[cols.percent][i]:g}% differs from 100 x {cols.count} / n = {computed[i]:.1f}% "
            f"by more than {PERCENT_TOLERANCE:g} point; check n and {cols.count} against the source",
            "percent-mismatch",
        )
        for i in frame.index[off & ~over]
    ]


def _needs_percent(package: Package, frame: pd.DataFrame, lines: Lines, cols: CountColumns) -> list[Problem]:
    needs = frame[cols.basis].isin(["derived", "derived_ci", "rounded"]).fillna(False)
    missing = needs & frame[cols.percent].isna()
    return [
        _at(
            package,
            cols,
            lines,
            i,
            cols.percent,
            f"{cols.basis} {frame[cols.basis][i]!r} needs the percentage as printed in {cols.percent}; add "
            f"it, or record a printed count ({cols.basis} 'reported')",
            "derived-count",
        )
        for i in frame.index[missing]
    ]


def _decimals_of(values: np.ndarray) -> np.ndarray:
    """Printed decimals (0-6) of each value, as :func:`_decimals` gives them, for an array at once."""
    decimals = np.full(values.shape, 6)
    for places in range(5, -1, -1):
        scaled = np.round(values * 10.0 ** places, 6)
        decimals[scaled == np.round(scaled)] = places
    return decimals


def _candidate_counts(n: np.ndarray, percent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row position, k) with k in 0..n and ``100*k/n`` within printing precision of ``percent``.

    Vectorised :func:`counts_matching_percent`: the same test on the same floats, for all rows at once
    (each row tries the few k around ``percent * n / 100``). Returns the row positions and the counts.
    """
    half = 0.5 * 10.0 ** -_decimals_of(percent) + 1e-9
    first = np.clip(np.floor((percent - half) * n / 100) - 1, 0, n).astype(np.int64)
    last = np.clip(np.ceil((percent + half) * n / 100) + 1, 0, n).astype(np.int64)
    width = last - first + 1
    rows = np.repeat(np.arange(len(n)), width)
    offsets = np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
    k = first[rows] + offsets
    fits = np.abs(100 * k / n[rows] - percent[rows]) <= half[rows]
    return rows[fits], k[fits]


def _interval_fits(n: np.ndarray, k: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether the exact (Clopper-Pearson) 95% CI of k/n rounds to ``low``-``high`` (percent), per item.

    Vectorised :func:`counts_matching_interval`: the beta quantiles are computed once on arrays
    (``scipy.special.betaincinv(a, b, q)`` is ``scipy.stats.beta.ppf(q, a, b)``; importing scipy.stats
    alone took 1.3 s of a build's validation).
    """
    from scipy.special import betaincinv

    half = 0.5 * 10.0 ** -np.maximum(_decimals_of(low), _decimals_of(high)) + 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k == 0, 0.0, 100 * betaincinv(k, n - k + 1, 0.025))
        hi = np.where(k == n, 100.0, 100 * betaincinv(k + 1, n - k, 0.975))
    return (np.abs(lo - low) <= half) & (np.abs(hi - high) <= half)


def _derived(package: Package, frame: pd.DataFrame, lines: Lines, cols: CountColumns) -> list[Problem]:
    """Derived counts must be the one whole number the printed percentage (and CI) allows.

    All rows are checked at once on arrays (100k rows in well under a second); messages are written
    only for the rows with a problem.
    """
    basis = frame[cols.basis]
    usable = (
        basis.isin(["derived", "derived_ci"]).fillna(False)
        & frame[[cols.n, cols.count, cols.percent]].notna().all(axis=1)
        & (frame[cols.n] >= 1).fillna(False)
    )
    with_ci = usable & (basis == "derived_ci").fillna(False)
    interval = frame.reindex(columns=["reported_ci_low", "reported_ci_high"])  # NaN when absent
    no_ci = with_ci & interval.isna().any(axis=1)
    problems = [
        _at(package, cols, lines, i, "reported_ci_low",
            f"{cols.basis} 'derived_ci' needs the printed 95% CI in reported_ci_low and reported_ci_high",
            "derived-count")
        for i in frame.index[no_ci]
    ]
    checked = frame[usable & ~no_ci]
    if checked.empty:
        return problems
    n = checked[cols.n].to_numpy(dtype=np.int64)
    k = checked[cols.count].to_numpy(dtype=np.int64)
    pct = checked[cols.percent].to_numpy(dtype=float)
    use_ci = (checked[cols.basis] == "derived_ci").to_numpy()
    low = interval.loc[checked.index, "reported_ci_low"].to_numpy(dtype=float, na_value=np.nan)
    high = interval.loc[checked.index, "reported_ci_high"].to_numpy(dtype=float, na_value=np.nan)
    rows, counts = _candidate_counts(n, pct)
    keep = ~use_ci[rows]
    if use_ci.any():
        ci_rows = rows[~keep]
        keep[~keep] = _interval_fits(n[ci_rows], counts[~keep], low[ci_rows], high[ci_rows])
    rows, counts = rows[keep], counts[keep]
    found = np.bincount(rows, minlength=len(n))
    recorded = np.bincount(rows[counts == k[rows]], minlength=len(n))
    for position in np.flatnonzero((found != 1) | (recorded != 1)):
        i = checked.index[position]
        matches = counts[rows == position].tolist()
        printed = f"{pct[position]:g}%"
        if use_ci[position]:
            printed = f"{pct[position]:g}% (95% CI {low[position]:g}-{high[position]:g})"
        n_i, k_i = int(n[position]), int(k[position])
        if not matches or k_i not in matches:
            why = f"{k_i}/{n_i} = {100 * k_i / n_i:.2f}% does not match {printed}"
            rounded = ""
        else:
            why = f"{printed} of {n_i} fits {len(matches)} counts ({', '.join(map(str, matches))})"
            nearest = nearest_count(n_i, pct[position])
            rounded = f"; or store the nearest, {nearest}, with {cols.basis} 'rounded'"
        problems.append(_at(
            package, cols, lines, i, cols.count,
            f"derived count is not determined by the source: {why}; record a count the source prints "
            f"({cols.basis} 'reported') or leave the figure out{rounded}", "derived-count"))
    return sorted(problems, key=lambda problem: problem.line)


def _rounded(package: Package, frame: pd.DataFrame, lines: Lines, cols: CountColumns) -> list[Problem]:
    usable = (
        (frame[cols.basis] == "rounded").fillna(False)
        & frame[[cols.n, cols.count, cols.percent]].notna().all(axis=1)
        & (frame[cols.n] >= 1).fillna(False)
    )
    problems = []
    for i in frame.index[usable]:
        n, k, pct = int(frame[cols.n][i]), int(frame[cols.count][i]), float(frame[cols.percent][i])
        matches = counts_matching_percent(n, pct)
        nearest = nearest_count(n, pct)
        if len(matches) == 1:
            message = (
                f"{pct:g}% of {n} fits one count only ({matches[0]}); the count is exact: use "
                f"{cols.basis} 'derived' with {cols.count} {matches[0]}"
            )
        elif not matches:
            message = (
                f"no whole number of {n} rounds to {pct:g}%; check n and {cols.percent} against the source"
            )
        elif k != nearest:
            message = (
                f"{cols.basis} 'rounded' stores the nearest whole number to n x {cols.percent} / 100 = "
                f"{n * pct / 100:.2f}, that is {nearest}, not {k}"
            )
        else:
            continue
        problems.append(_at(package, cols, lines, i, cols.count, message, "rounded-count"))
    return problems


def count_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Every counting problem in results.csv and harms.csv (count above n, printed percentage, bases)."""
    problems: list[Problem] = []
    for cols in (RESULT_COUNTS, HARM_COUNTS):
        frame = frames[cols.table]
        for check in (_count_above_n, _percent_mismatch, _needs_percent, _derived, _rounded):
            problems += check(package, frame, lines, cols)
    return problems
