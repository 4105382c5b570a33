"""Domain rules: directness, shares of one population, harms cohorts, approval dates, certainty rationales.

Directness: ``post_car_t`` true means every patient counted had prior CAR T-cell therapy, that is
``prior_car_t_percent`` 100. The two must agree wherever both are given (results, outcomes, harms,
comparisons).

One population, one share (:func:`_shares`): rows about the same patients state the same
``prior_car_t_percent`` (both empty counts as the same). The same patients are

- the result rows of one ``cohort_id``, and the harm rows naming that cohort;
- the whole-population result rows (empty ``subgroup_of``) of one trial (NCT id, else name) and disease
  that are not post-CAR-T (different data cuts and analysis sets of one trial population);
- an outcome that is not post-CAR-T and the whole-population, not post-CAR-T results of the same agent
  and source, when the outcome's ``n`` is empty or equals the result's ``n`` (a survival figure from the
  trial population whose responses are counted).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import Problem
from .schema import Package

DIRECTNESS_TABLES = ("results", "outcomes", "harms", "comparisons")
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


SHARE = ("prior_car_t_percent is {got}, but {other} (line {line}) about the same patients ({why}) says "
         "{want}; one population has one share of patients with prior CAR T-cell therapy: write the "
         "share the source prints in both rows, or empty in both when it prints none")


def _share_text(value: Any) -> str:
    return "empty" if pd.isna(value) else f"{float(value):g}"


def _same(a: Any, b: Any) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == float(b))


def _mismatch(package: Package, lines: Lines, row: tuple[str, int, object],
              first: tuple[str, int, object], why: str) -> Problem:
    (table, index, got), (other, other_index, want) = row, first
    message = SHARE.format(got=_share_text(got), other=package.table(other).path,
                           line=lines[other][other_index], why=why, want=_share_text(want))
    return _problem(package, table, lines, index, "prior_car_t_percent", message, "share-mismatch")


def _not_post(frame: pd.DataFrame) -> pd.Series:
    return ~frame["post_car_t"].astype("boolean").fillna(False).astype(bool)


def _whole(frame: pd.DataFrame) -> pd.Series:
    return frame["subgroup_of"].astype("string").fillna("").str.strip().eq("")


def _shares(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    results, harms, outcomes = frames["results"], frames["harms"], frames["outcomes"]
    pct = {t: frames[t]["prior_car_t_percent"] for t in DIRECTNESS_TABLES}
    problems: list[Problem] = []
    first_of_cohort: dict[str, int] = {}
    for i, cohort in results["cohort_id"].dropna().items():
        first = first_of_cohort.setdefault(str(cohort), i)
        if not _same(pct["results"][i], pct["results"][first]):
            problems.append(_mismatch(package, lines, ("results", i, pct["results"][i]),
                                      ("results", first, pct["results"][first]), f"cohort {cohort}"))
    for i, cohort in harms["cohort_id"].dropna().items():
        parent = first_of_cohort.get(str(cohort))
        if parent is not None and not _same(pct["harms"][i], pct["results"][parent]):
            problems.append(_mismatch(package, lines, ("harms", i, pct["harms"][i]),
                                      ("results", parent, pct["results"][parent]), f"cohort {cohort}"))
    whole = results[(_whole(results) & _not_post(results)).to_numpy()]
    trial = whole["nct_id"].astype("string").fillna(whole["trial"].astype("string"))
    first_of_trial: dict[tuple[str, str], int] = {}
    for i in whole.index:
        key = (str(trial[i]), str(whole["disease"][i]))
        first = first_of_trial.setdefault(key, i)
        if not _same(pct["results"][i], pct["results"][first]) and \
                str(results["cohort_id"][i]) != str(results["cohort_id"][first]):
            problems.append(_mismatch(package, lines, ("results", i, pct["results"][i]),
                                      ("results", first, pct["results"][first]), f"trial {key[0]}, {key[1]}"))
    for i in outcomes.index[_not_post(outcomes).to_numpy()]:
        match = whole[(whole["source_id"] == outcomes["source_id"][i])
                      & (whole["scope_id"] == outcomes["scope_id"][i])
                      & (pd.isna(outcomes["n"][i]) | (whole["n"] == outcomes["n"][i]))]
        if len(match) and not _same(pct["outcomes"][i], pct["results"][match.index[0]]):
            problems.append(_mismatch(package, lines, ("outcomes", i, pct["outcomes"][i]),
                                      ("results", match.index[0], pct["results"][match.index[0]]),
                                      f"source {outcomes['source_id'][i]}"))
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
    """Directness, shares of one population, harms cohorts, approval dates and certainty rationales."""
    problems: list[Problem] = []
    for check in (_directness, _shares, _harm_cohorts, _approval_dates, _certainty):
        problems += check(package, frames, lines)
    return problems
