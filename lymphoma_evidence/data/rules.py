"""Domain rules of the issue-14 model: directness, harms cohorts, approval dates, certainty rationales.

Directness: ``post_car_t`` true means every patient counted had prior CAR T-cell therapy, that is
``prior_car_t_percent`` 100. The two must agree wherever both are given (results, outcomes, harms).
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .schema import Package

DIRECTNESS_TABLES = ("results", "outcomes", "harms")
GRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
MONTH_ONLY = "month only"

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]


def _problem(
    package: Package, table: str, lines: Lines, index: int, column: str, message: str, code: str
) -> Problem:
    return Problem(package.table(table).path, lines[table][index], column, message, code)


PARTLY = ("post_car_t is true but prior_car_t_percent is {pct:g}; post_car_t means every patient had "
          "CAR T-cell therapy (100): set post_car_t to false for a partly post-CAR-T cohort, or correct "
          "the percentage")
ALL_HAD = "prior_car_t_percent is 100, so every patient had CAR T-cell therapy: set post_car_t to true"
NOT_AFTER = ("time_to_relapse {ttr!r} describes relapse after CAR T-cell therapy, but the row is not "
             "post-CAR-T: set post_car_t to true (prior_car_t_percent 100) or leave time_to_relapse empty")


def _directness(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    problems = []
    for table in DIRECTNESS_TABLES:
        frame = frames[table]
        post = frame["post_car_t"].fillna(False).astype(bool)
        pct = frame["prior_car_t_percent"]
        not_all = (pct.notna() & (pct != 100)).fillna(False).astype(bool)
        full = (pct == 100).fillna(False).astype(bool)
        timed = frame["time_to_relapse"].notna().astype(bool) if "time_to_relapse" in frame else None
        for i in frame.index[post & not_all]:
            message = PARTLY.format(pct=pct[i])
            problems.append(_problem(package, table, lines, i, "prior_car_t_percent", message, "directness"))
        for i in frame.index[full & ~post & frame["post_car_t"].notna()]:
            problems.append(_problem(package, table, lines, i, "post_car_t", ALL_HAD, "directness"))
        if timed is not None:
            for i in frame.index[timed & ~post & ~full]:
                message = NOT_AFTER.format(ttr=frame["time_to_relapse"][i])
                problems.append(_problem(package, table, lines, i, "time_to_relapse", message, "directness"))
    return problems


def _harm_cohorts(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    harms = frames["harms"]
    known = set(frames["results"]["cohort_id"].dropna())
    bad = harms["cohort_id"].notna() & ~harms["cohort_id"].isin(known)
    return [
        _problem(
            package,
            "harms",
            lines,
            i,
            "cohort_id",
            f"{harms['cohort_id'][i]!r} is not a cohort_id in results.csv; use the cohort_id of the "
            "result rows about the same patients, or leave it empty when there are none",
            "foreign-key",
        )
        for i in harms.index[bad.fillna(False)]
    ]


def _approval_dates(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    approvals = frames["approvals"]
    note = approvals["curator_note"].fillna("").str.lower()
    month_only = note.str.contains(MONTH_ONLY, regex=False)
    not_first = approvals["date"].notna() & (approvals["date"].dt.day != 1)
    return [
        _problem(
            package,
            "approvals",
            lines,
            i,
            "date",
            f"curator_note says '{MONTH_ONLY}', so the date must be the first of the month "
            f"({approvals['date'][i]:%Y-%m}-01)",
            "approval-date",
        )
        for i in approvals.index[(month_only & not_first).fillna(False).astype(bool)]
    ]


def _certainty(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    rated = frames["certainty"]
    serious = rated[list(GRADE_DOMAINS)].isin(["serious", "very_serious"]).any(axis=1)
    missing = serious & rated["rationale"].isna()
    return [
        _problem(
            package,
            "certainty",
            lines,
            i,
            "rationale",
            "a domain is rated serious or very_serious, so a rationale is required: say why, in a "
            "sentence an analyst can check",
            "certainty-rationale",
        )
        for i in rated.index[missing.fillna(False).astype(bool)]
    ]


def rule_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Directness, harms cohorts, approval dates and certainty rationales."""
    problems: list[Problem] = []
    for check in (_directness, _harm_cohorts, _approval_dates, _certainty):
        problems += check(package, frames, lines)
    return problems
