"""The vectorised derived-count check agrees with the one-row reference functions (issue 18)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lymphoma_evidence.data import checks, counts
from lymphoma_evidence.data.schema import load_package

EVIDENCE_MIN = Path(__file__).resolve().parents[1] / "fixtures" / "evidence_min"


def random_rows(count: int, seed: int) -> pd.DataFrame:
    """Result rows with derived counts: some right, some off by one, with printed CIs of 0-2 decimals."""
    from scipy.stats import beta

    rng = np.random.default_rng(seed)
    n = rng.integers(1, 400, count)
    k = rng.integers(0, n + 1)
    decimals = rng.integers(0, 3, count)
    percent = np.array([round(100 * a / b, int(d)) for a, b, d in zip(k, n, decimals, strict=True)])
    low = np.where(k == 0, 0.0, 100 * beta.ppf(0.025, k, n - k + 1))
    high = np.where(k == n, 100.0, 100 * beta.ppf(0.975, k + 1, n - k))
    ci_decimals = rng.integers(0, 2, count)
    low = np.array([round(v, int(d)) for v, d in zip(low, ci_decimals, strict=True)])
    high = np.array([round(v, int(d)) for v, d in zip(high, ci_decimals, strict=True)])
    wrong = rng.random(count) < 0.2
    recorded = np.clip(k + np.where(wrong, rng.choice([-1, 1], count), 0), 0, n)
    return pd.DataFrame({
        "n": pd.array(n, dtype="Int64"), "responders": pd.array(recorded, dtype="Int64"),
        "reported_percent": percent,
        "responders_basis": rng.choice(["derived", "derived_ci", "reported"], count),
        "reported_ci_low": np.where(rng.random(count) < 0.05, np.nan, low), "reported_ci_high": high})


def reference(rows: pd.DataFrame) -> dict[int, list[int]]:
    """Per row that the check should flag: the counts the one-row functions accept."""
    flagged = {}
    for i, row in rows.iterrows():
        if row["responders_basis"] == "reported":
            continue
        n, k = int(row["n"]), int(row["responders"])
        matches = checks.counts_matching_percent(n, float(row["reported_percent"]))
        if row["responders_basis"] == "derived_ci":
            if pd.isna(row["reported_ci_low"]):
                flagged[i] = None
                continue
            matches = checks.counts_matching_interval(n, matches, row["reported_ci_low"],
                                                      row["reported_ci_high"])
        if matches != [k]:
            flagged[i] = matches
    return flagged


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_derived_counts_flag_exactly_the_rows_the_reference_flags(seed):
    rows = random_rows(1500, seed)
    package = load_package(EVIDENCE_MIN)
    lines = {"results": [i + 2 for i in range(len(rows))]}

    problems = counts._derived(package, rows, lines, counts.RESULT_COUNTS)

    expected = reference(rows)
    assert 100 < len(expected) < len(rows)
    assert [problem.line - 2 for problem in problems] == sorted(expected)
    for problem in problems:
        matches = expected[problem.line - 2]
        if matches is None:
            assert problem.column == "reported_ci_low"
        elif len(matches) > 1 and int(rows["responders"][problem.line - 2]) in matches:
            assert f"fits {len(matches)} counts ({', '.join(map(str, matches))})" in problem.message
        else:
            assert "does not match" in problem.message


def test_decimals_of_an_array_agree_with_the_printed_decimals():
    values = np.array([12.0, 12.5, 12.25, 0.30000000000000004, 33.333, 7.1234567, 100.0, 0.05])
    assert counts._decimals_of(values).tolist() == [counts._decimals(v) for v in values]

