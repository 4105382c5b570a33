"""Certainty ratings tied to their rows: the computed facts of each rated row beside the analyst's text,
and a check that the counts the text names agree with them.

An analyst rates a class, stratum and outcome in ``certainty.csv`` with a rationale in words. The row it
rates is computed (:func:`~lymphoma_evidence.analysis.headline.headline_numbers`): studies, patients,
estimate and interval. When the evidence changes (a study is pooled in), the words can go stale.
:func:`certainty_facts` gives each rating its row's facts; :func:`rationale_mismatches` lists every count
or interval a rationale names that the row does not have: "60 patients" where the row pools 152, "one
study" where it pools two, "95% CI 35-62%" where it is 38-53%.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.evidence import Evidence
from .headline import headline_numbers
from .sof import outcome_family, row_facts

__all__ = ["FACT_COLUMNS", "MISMATCH_COLUMNS", "certainty_facts", "rationale_mismatches"]

FACT_COLUMNS = ["class_id", "stratum", "outcome", "measure", "n_studies", "n_patients", "ci_low", "ci_high",
                "facts", "rationale"]
MISMATCH_COLUMNS = ["class_id", "stratum", "outcome", "says", "row_has", "rationale"]

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "a single": 1, "single": 1}
_COUNT = r"(?<![\w-])(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_STUDIES = re.compile(_COUNT + r"\s+(?:[a-z-]+\s+)?(studies|study|cohorts|cohort|series|trials|trial)\b",
                      re.IGNORECASE)
_PATIENTS = re.compile(r"(?<![\w-])(\d[\d,]*)\s+(?:[a-z-]+\s+)?(?:patients|people)\b", re.IGNORECASE)
_INTERVAL = re.compile(r"95%\s*CI\s*(\d+(?:\.\d+)?)\s*[-–to ]+\s*(\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
#: Allowance (percentage points) between an interval as written and as computed (rounding).
CI_TOLERANCE = 1.0


def _row_for(numbers: pd.DataFrame, class_id: str, stratum: str, outcome: str) -> pd.Series | None:
    mine = numbers[(numbers["class_id"] == class_id) & (numbers["stratum"] == stratum)]
    hit = mine[mine["measure"] == outcome]
    if hit.empty:
        hit = mine[mine["measure"].map(outcome_family) == outcome]
    return None if hit.empty else hit.iloc[0]


def certainty_facts(evidence: Evidence) -> pd.DataFrame:
    """Each rating of ``certainty.csv`` with the facts of the row it rates.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FACT_COLUMNS`, in certainty.csv order: ``n_studies``, ``n_patients`` and the
        interval bounds (proportions 0-1) of the computed row, ``facts`` in words
        (:func:`.sof.row_facts`), and the analyst's ``rationale``. A rating whose row has no number gets
        NaN and "no computed row".
    """
    ratings = evidence.certainty
    if ratings.empty:
        return pd.DataFrame(columns=FACT_COLUMNS)
    numbers = headline_numbers(evidence)
    rows = []
    for rating in ratings.to_dict("records"):
        row = _row_for(numbers, rating["class_id"], rating["stratum"], rating["outcome"])
        facts: dict[str, object] = {"measure": None, "n_studies": np.nan, "n_patients": np.nan,
                                    "ci_low": np.nan, "ci_high": np.nan, "facts": "no computed row"}
        if row is not None:
            facts = {column: row[column] for column in ("measure", "n_studies", "n_patients", "ci_low",
                                                        "ci_high")} | {"facts": row_facts(row)}
        rows.append({
            "class_id": rating["class_id"], "stratum": rating["stratum"], "outcome": rating["outcome"],
            **facts,
            "rationale": rating.get("rationale"),
        })
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def _count(word: str) -> int:
    return int(word.replace(",", "")) if word[0].isdigit() else _NUMBER_WORDS[word.lower()]


def _mismatches(fact: dict) -> list[tuple[str, str]]:
    text = fact["rationale"] if isinstance(fact["rationale"], str) else ""
    found = []
    for match in _STUDIES.finditer(text):
        if pd.isna(fact["n_studies"]) or _count(match.group(1)) != int(fact["n_studies"]):
            found.append((match.group(0), fact["facts"]))
    for match in _PATIENTS.finditer(text):
        if pd.isna(fact["n_patients"]) or _count(match.group(1)) != int(fact["n_patients"]):
            found.append((match.group(0), fact["facts"]))
    for match in _INTERVAL.finditer(text):
        low, high = (float(match.group(i)) for i in (1, 2))
        bounds = (fact["ci_low"], fact["ci_high"])
        if any(pd.isna(b) for b in bounds) or abs(low - 100 * bounds[0]) > CI_TOLERANCE \
                or abs(high - 100 * bounds[1]) > CI_TOLERANCE:
            found.append((match.group(0), fact["facts"]))
    return found


def rationale_mismatches(evidence: Evidence) -> pd.DataFrame:
    """Every count of studies or patients and every 95% interval a rationale names that its row does not
    have (intervals within :data:`CI_TOLERANCE` percentage points agree).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISMATCH_COLUMNS`: what the text ``says``, what the computed row has
        (``row_has``, :func:`.sof.row_facts`) and the rationale; empty when every rationale agrees.
    """
    rows = [{"class_id": f["class_id"], "stratum": f["stratum"], "outcome": f["outcome"], "says": says,
             "row_has": has, "rationale": f["rationale"]}
            for f in certainty_facts(evidence).to_dict("records") for says, has in _mismatches(f)]
    return pd.DataFrame(rows, columns=MISMATCH_COLUMNS)
