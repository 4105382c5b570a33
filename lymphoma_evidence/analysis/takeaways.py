"""Key takeaways written from the data: one plain sentence per therapy class summary row."""

from __future__ import annotations

import pandas as pd

from ..formatting import in_ten, percent, percent_range
from ..stats import POOLED_BY
from ..vocabulary import ENDPOINT_PATIENT_VERBS, check_audience
from .frames import check_columns

ANALYSIS_SET_WORDS = {"itt": "all enrolled patients", "treated": "treated patients",
                      "efficacy_evaluable": "evaluable patients"}


def class_takeaways(summary: pd.DataFrame, audience: str = "educator") -> list[str]:
    """One sentence per row of a class summary, e.g. ``"Bispecific antibodies: ORR 52–63% across 3
    studies (pooled 58%, 95% CI 50–65%; random effects, DerSimonian-Laird)."``

    Parameters
    ----------
    summary : DataFrame
        ``class_summary`` output (rates as proportions 0-1).
    audience : {"clinician", "educator", "patient"}
        Patients get the range in words ("about 6 in 10 people") instead of the pooled interval.

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
    return [_sentence(row, several=counts[row["class_id"]] > 1, patient=audience == "patient")
            for row in rows]


def _sentence(row: dict, *, several: bool, patient: bool) -> str:
    name = row["class_name"] + (f" ({_qualifier(row)})" if several else "")
    k = int(row["n_studies"])
    studies = f"{k} stud{'y' if k == 1 else 'ies'}"
    span = percent_range(row["rate_min"], row["rate_max"])
    if patient:
        share = in_ten((row["rate_min"] + row["rate_max"]) / 2)
        verb = ENDPOINT_PATIENT_VERBS.get(row["endpoint"], f"had a {row['endpoint']}")
        return f"{name}: in {studies}, {span} of people {verb} ({share})."
    if bool(row["single_study"]):
        return f"{name}: {row['endpoint']} {span} in 1 study ({int(row['total_patients'])} patients)."
    pooled = (f"pooled {percent(row['pooled_rate'])}, 95% CI "
              f"{percent_range(row['pooled_ci_low'], row['pooled_ci_high'])}; {POOLED_BY}")
    return f"{name}: {row['endpoint']} {span} across {studies} ({pooled})."


def _qualifier(row: dict) -> str:
    words = [ANALYSIS_SET_WORDS.get(str(row["analysis_set"]), str(row["analysis_set"]))]
    disease = row.get("disease")
    if isinstance(disease, str) and disease:
        words.insert(0, disease)
    return ", ".join(words)
