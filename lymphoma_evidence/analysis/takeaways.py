"""Key takeaways written from the data: one plain sentence per therapy class summary row."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..formatting import in_ten, percent, percent_range
from ..stats import POOLED_BY
from ..vocabulary import check_audience
from .frames import check_columns

ANALYSIS_SET_WORDS = {"itt": "all enrolled patients", "treated": "treated patients",
                      "efficacy_evaluable": "evaluable patients"}


def class_takeaways(summary: pd.DataFrame, audience: str = "educator",
                    patient_words: Mapping[str, str] | None = None) -> list[str]:
    """One sentence per row of a class summary, e.g. ``"Bispecific antibodies: ORR 52–63% across 3
    studies (pooled 58%, 95% CI 50–65%; random effects, DerSimonian-Laird)."``

    Parameters
    ----------
    summary : DataFrame
        ``class_summary`` output (rates as proportions 0-1).
    audience : {"clinician", "educator", "patient"}
        Patients get the range in words ("about 6 in 10 people") instead of the pooled interval.
    patient_words : mapping, optional
        Endpoint -> what it means for a patient after "... of people" (the ``patient`` words of
        measures.csv: ``topic.measure_words(evidence, "patient")``); an endpoint without words is
        said as "had a <endpoint>".

    Returns
    -------
    list of str
        Sentences in the summary's row order; empty for an empty summary. When a class has several
        rows (different disease or analysis set), each sentence names what sets it apart.

    Raises
    ------
    ParameterError
        For an unknown audience or a summary without the class_summary columns.
    """
    check_audience(audience)
    summary = check_columns(summary, "ClassSummary", "summary", "class_summary(evidence, endpoint)")
    rows = summary.to_dict("records")
    counts = summary["class_id"].value_counts()
    words = dict(patient_words or {})
    return [_sentence(row, several=counts[row["class_id"]] > 1, patient=audience == "patient", words=words)
            for row in rows]


def _sentence(row: dict, *, several: bool, patient: bool, words: dict[str, str]) -> str:
    from .strata import STRATUM_LABELS

    # who the numbers come from is always said (a row from people without CAR-T is not after CAR-T)
    who = _qualifier(row) if several else STRATUM_LABELS.get(str(row.get("stratum")), "")
    name = row["class_name"] + (f" ({who})" if who else "")
    k = int(row["n_studies"])
    studies = f"{k} stud{'y' if k == 1 else 'ies'}"
    span = percent_range(row["rate_min"], row["rate_max"])
    if patient:
        share = in_ten((row["rate_min"] + row["rate_max"]) / 2)
        verb = words.get(row["endpoint"], f"had a {row['endpoint']}")
        return f"{name}: in {studies}, {span} of people {verb} ({share})."
    if bool(row["single_study"]):
        return f"{name}: {row['endpoint']} {span} in 1 study ({int(row['total_patients'])} patients)."
    pooled = (f"pooled {percent(row['pooled_rate'])}, 95% CI "
              f"{percent_range(row['pooled_ci_low'], row['pooled_ci_high'])}; {POOLED_BY}")
    return f"{name}: {row['endpoint']} {span} across {studies} ({pooled})."


def _qualifier(row: dict) -> str:
    from .strata import STRATUM_LABELS

    sets = [ANALYSIS_SET_WORDS.get(s, s) for s in str(row["analysis_set"]).split("; ")]
    words = [STRATUM_LABELS.get(str(row.get("stratum")), ""), str(row.get("disease") or ""),
             " and ".join(sets)]
    return ", ".join(w for w in words if w)
