"""The numbers sentences quote: one row per class, stratum and measure, and who each comes from.

:func:`headline_numbers` is the one place a sentence's number comes from ("about 5 in 10 people
responded"), so key takeaways, sections, slides and the patient aid cannot disagree. Format its ``rate``
with :func:`lymphoma_evidence.formatting.natural_frequency`; pick the row a sentence leads with through
:func:`lead_number` (direct post-CAR-T evidence first).

Measures (the ``measure`` column):

- the endpoints of ``results.csv`` (e.g. ``ORR``): response rates (pooled within the stratum, see
  :mod:`lymphoma_evidence.analysis.strata`);
- ``<event>/<grade>``, e.g. ``crs/grade_3_plus``: the share of patients with a side effect, from
  ``harms.csv`` (pooled within the stratum like responses);
- ``<measure>_<months>m`` for survival rates at a time point, e.g. ``pfs_rate_12m``, ``os_rate_12m``,
  ``non_relapse_mortality_rate_12m``: a published estimate from ``outcomes.csv``;
- ``median_os_months``, ``median_pfs_months``, ``median_duration_of_response_months``: medians in months
  (``value`` and ``unit`` "months"; ``rate`` is empty).

Outcome estimates (Kaplan-Meier rates, medians) are not counts and are never pooled: when a class and
stratum has several, the number quoted is the one from the largest series (most patients; then the
latest in the file) and ``population`` says so. Rows about one window of time to relapse after CAR-T
(``time_to_relapse`` such as "within 30 days") are quoted only when nothing covers everyone; they are
listed by :func:`relapse_numbers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.evidence import Evidence
from ..data.shared import shared_by_reports
from ..errors import ParameterError
from .frames import ANY_CLASS, lead_number
from .relapse import whole_cohort
from .strata import (
    STRATA,
    _with_rates,
    _with_scope,
    class_of_scope,
    one_per_population,
    pool_within_strata,
    response_studies,
    with_strata,
)
from .topic import leading_diseases, measure_code, stratum_words

__all__ = ["HEADLINE_COLUMNS", "headline_numbers", "lead_number", "harm_studies",
           "relapse_numbers"]

#: The contracted columns, then ``value`` (rate or months), ``unit`` ("proportion" | "months"),
#: ``disease`` and ``trials``.
HEADLINE_COLUMNS = [
    "class_id", "stratum", "measure", "n_studies", "n_patients", "rate", "ci_low", "ci_high",
    "approximate", "single_study", "population", "source_ids", "result_ids", "value", "unit", "disease",
    "trials",
]



@shared_by_reports(pd.DataFrame)
def headline_numbers(evidence: Evidence) -> pd.DataFrame:
    """Every number a sentence may quote, one row per (class_id, stratum, measure).

    Computed once per report build and shared by its reports (:mod:`lymphoma_evidence.data.shared`).

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle (results, and harms and outcomes where present).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HEADLINE_COLUMNS`. ``rate``, ``ci_low``, ``ci_high`` are proportions 0-1 (NaN for
        medians, whose ``value`` is in months, and for an outcome printed without an interval);
        ``n_studies`` counts trial populations and ``n_patients`` their patients (NaN when an outcome's
        source gives no n); ``approximate`` is true when a count was derived from a rounded percentage;
        ``single_study`` is true when the number comes from one study; ``population`` names in plain
        words who the number comes from; ``source_ids`` and ``result_ids`` ("; "-joined) trace it to
        its rows (result, harm or outcome ids). Outcomes of all options together (outcomes.csv scope
        "any") have class_id ``"any"``. Sorted by class, stratum (direct first), measure.

    Notes
    -----
    When a class has results of more than one disease in one stratum (never pooled together), the row
    of the topic's own disease (``diseases.csv``, ``leads``) is kept, else the one with most patients;
    ``disease`` says which.

    Examples
    --------
    >>> numbers = headline_numbers(load_evidence())                             # doctest: +SKIP
    >>> lead_number(numbers, class_id, "ORR")["population"]                     # doctest: +SKIP
    'people whose ... came back after CAR T-cell therapy: <trial> (60 people)'
    """
    parts = [_responses(evidence), _harms(evidence), _outcomes(evidence)]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=HEADLINE_COLUMNS)
    if frame.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    frame["_s"] = frame["stratum"].map(STRATA.index)
    frame = frame.sort_values(["class_id", "_s", "measure"], kind="mergesort").drop(columns="_s")
    return frame[HEADLINE_COLUMNS].astype({"approximate": bool, "single_study": bool}) \
        .reset_index(drop=True)


# ---------------------------------------------------------------- responses and harms (counts)

def _who(row: pd.Series, words: dict[str, str]) -> str:
    """``population``: the stratum in words (strata.csv), then the trials and patients behind the number."""
    who = words.get(row["stratum"], str(row["stratum"]))
    if row["stratum"] == "partly" and pd.notna(row.get("prior_car_t_percent")):
        who = f"a population in which {row['prior_car_t_percent']:g}% had had CAR T-cell therapy"
    trials = str(row["trials"]).split("; ")
    people = f"{int(row['n_patients'])} people" if pd.notna(row["n_patients"]) else "patients not counted"
    if len(trials) == 1:
        return f"{who}: {trials[0]} ({people})"
    return f"{who}: {len(trials)} studies, {', '.join(trials)} ({people})"


def _one_disease(pooled: pd.DataFrame, leads: tuple[str, ...]) -> pd.DataFrame:
    if pooled.empty:
        return pooled
    ranked = pooled.assign(_other=~pooled["disease"].isin(leads), _neg=-pooled["n_patients"])
    ranked = ranked.sort_values(["_other", "_neg"], kind="mergesort")
    kept = ranked.groupby(["class_id", "stratum", "measure"], sort=False).head(1)
    return pooled.loc[kept.index]


def _from_pooled(pooled: pd.DataFrame, leads: tuple[str, ...], words: dict[str, str]) -> pd.DataFrame:
    pooled = _one_disease(pooled, leads)
    if pooled.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    out = pooled.assign(value=pooled["rate"], unit="proportion")
    out["population"] = [_who(row, words) for _, row in out.iterrows()]
    return out[HEADLINE_COLUMNS]


def _responses(evidence: Evidence) -> pd.DataFrame:
    studies = response_studies(evidence)
    return _from_pooled(pool_within_strata(studies, "endpoint"), leading_diseases(evidence),
                        stratum_words(evidence))


def harm_studies(evidence: Evidence) -> pd.DataFrame:
    """Harm rows that count as studies (one per trial population and event/grade), with ``measure``
    (``<event>/<grade>``), ``stratum``, ``class_id``, ``rate`` and exact ``ci_low``/``ci_high``
    (proportions 0-1). Empty when the evidence has no harms table."""
    harms = getattr(evidence, "harms", None)
    if harms is None or harms.empty:
        return pd.DataFrame()
    frame = _with_scope(harms, evidence).assign(_position=np.arange(len(harms)))
    frame = frame[frame["n"].notna() & frame["patients"].notna() & frame["class_id"].notna()]
    frame = with_strata(frame)
    frame["measure"] = frame["event"].astype(str) + "/" + frame["grade"].astype(str)
    trial = frame["trial"].astype("string").fillna(frame["source_id"].astype("string"))
    cohort = frame["cohort_id"].astype("string").fillna(trial) if "cohort_id" in frame.columns else trial
    frame = frame.assign(trial=trial, population_key=cohort + "|" + frame["stratum"],
                         analysis_set=np.nan, data_cutoff=np.nan, median_follow_up_months=frame["n"],
                         disease="")
    kept = one_per_population(frame, "measure")
    return _with_rates(kept, "patients")


def _grading_scale(studies: pd.DataFrame) -> pd.Series:
    """The grading scale that makes grade 3+ counts comparable: the first word of ``grading_system``
    (e.g. "lee", "penn", "astct", "ctcae"), lower case; empty for other grades or when not published."""
    if "grading_system" not in studies.columns:
        return pd.Series("", index=studies.index)
    scale = studies["grading_system"].astype("string").fillna("").str.strip().str.split().str[0]
    return scale.fillna("").str.lower().where(studies["measure"].str.endswith("/grade_3_plus"), "")


def _harms(evidence: Evidence) -> pd.DataFrame:
    studies = harm_studies(evidence)
    if studies.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    # grade 3+ counts graded on different scales (Lee, Penn, ASTCT) are never pooled together
    studies = studies.assign(_pool=studies["measure"] + "@" + _grading_scale(studies))
    pooled = pool_within_strata(studies, "_pool", count="patients", basis="patients_basis")
    pooled["measure"] = pooled["measure"].str.rsplit("@", n=1).str[0]
    return _from_pooled(pooled, leading_diseases(evidence), stratum_words(evidence))


# ---------------------------------------------------------------- outcomes (published estimates)

def _outcome_measure(row: pd.Series) -> str:
    measure = str(row["measure"])
    if not measure.startswith("median_") and pd.isna(row["timepoint_months"]):
        raise ParameterError(f"outcome {row['outcome_id']!r} is a rate ({measure}) without "
                             "timepoint_months; add the time point to outcomes.csv")
    return measure_code(measure, row["timepoint_months"])


def _outcomes(evidence: Evidence) -> pd.DataFrame:
    out = evidence.outcomes
    if out.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    classes = class_of_scope(evidence)
    frame = with_strata(out).assign(_position=np.arange(len(out)))
    frame["class_id"] = frame["scope_id"].map(lambda s: ANY_CLASS if s == ANY_CLASS else classes.get(str(s)))
    frame = frame[frame["class_id"].notna() & frame["value"].notna()]
    frame["headline_measure"] = [_outcome_measure(r) for _, r in frame.iterrows()]
    labels = dict(zip(evidence.sources["source_id"], evidence.sources["label"], strict=True))
    words = stratum_words(evidence)
    rows = []
    for (class_id, stratum, measure), group in frame.groupby(["class_id", "stratum", "headline_measure"],
                                                             sort=False):
        overall = group[whole_cohort(group)]
        group = overall if len(overall) else group  # a window of time to relapse only when nothing else
        ranked = group.assign(_n=group["n"].fillna(-1)).sort_values(["_n", "_position"], kind="mergesort")
        best = ranked.iloc[-1]
        rows.append(_outcome_row(best, class_id, stratum, measure, len(group), labels, words))
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def relapse_numbers(evidence: Evidence) -> pd.DataFrame:
    """Published outcomes by time to relapse after CAR-T (rows whose ``time_to_relapse`` names a window,
    e.g. "within 30 days"), direct evidence only, in file order: ``class_id``, ``measure`` (as in
    :func:`headline_numbers`), ``time_to_relapse``, ``value`` (proportion 0-1 or months), ``unit``, ``n``,
    ``population``, ``source_id``, ``outcome_id``."""
    columns = ["class_id", "measure", "time_to_relapse", "value", "unit", "n", "population", "source_id",
               "outcome_id"]
    out = evidence.outcomes
    if out.empty or "time_to_relapse" not in out.columns:
        return pd.DataFrame(columns=columns)
    classes = class_of_scope(evidence)
    frame = with_strata(out)
    frame = frame[(frame["stratum"] == "post_car_t") & ~whole_cohort(frame) & frame["value"].notna()]
    rows = []
    for _, r in frame.iterrows():
        measure = _outcome_measure(r)
        months = measure.startswith("median_")
        rows.append({"class_id": ANY_CLASS if r["scope_id"] == ANY_CLASS else classes.get(str(r["scope_id"])),
                     "measure": measure, "time_to_relapse": str(r["time_to_relapse"]),
                     "value": float(r["value"]) / (1 if months else 100), "unit": "months" if months
                     else "proportion", "n": r["n"], "population": r["population"],
                     "source_id": r["source_id"], "outcome_id": r["outcome_id"]})
    return pd.DataFrame(rows, columns=columns)


def _outcome_row(best: pd.Series, class_id: str, stratum: str, measure: str, available: int,
                 labels: dict, words: dict[str, str]) -> dict[str, object]:
    months = measure.startswith("median_")
    scale = 1.0 if months else 100.0
    label = labels.get(best["source_id"]) or best["source_id"]
    label = label if isinstance(label, str) else str(best["source_id"])
    n = best["n"]
    who = words.get(stratum, stratum)
    if stratum == "partly" and pd.notna(best["prior_car_t_percent"]):
        who = f"a population in which {best['prior_car_t_percent']:g}% had had CAR T-cell therapy"
    people = f", {int(n)} people" if pd.notna(n) else ""
    largest = f"; the largest of {available} series" if available > 1 else ""
    relapse = best.get("time_to_relapse")
    if isinstance(relapse, str) and relapse.strip() and relapse.strip() != "any":
        largest += f"; relapse {relapse} after CAR-T"
    value = float(best["value"]) / scale
    return {
        "class_id": class_id, "stratum": stratum, "measure": measure, "n_studies": 1,
        "n_patients": float(n) if pd.notna(n) else np.nan,
        "rate": np.nan if months else value,
        "ci_low": float(best["ci_low"]) / scale if pd.notna(best["ci_low"]) and not months else np.nan,
        "ci_high": float(best["ci_high"]) / scale if pd.notna(best["ci_high"]) and not months else np.nan,
        "approximate": False, "single_study": True,
        "population": f"{who}: {label}{people}{largest}",
        "source_ids": str(best["source_id"]), "result_ids": str(best["outcome_id"]),
        "value": value, "unit": "months" if months else "proportion", "disease": "",
        "trials": label,
    }
