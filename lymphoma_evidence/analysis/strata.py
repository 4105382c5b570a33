"""Strata of directness, one analysis set per trial population, pooling within strata only.

Every result, outcome and harm row says how many of its patients had CAR T-cell therapy before
(``prior_car_t_percent``, 0-100 as published). That share puts the row in one stratum:

==============  ==========================  =====================================================
stratum         prior_car_t_percent         who the numbers come from
==============  ==========================  =====================================================
``post_car_t``  100                         people whose lymphoma came back after CAR-T (direct)
``partly``      more than 0, less than 100  a population in which only some had had CAR-T
``car_t_naive`` 0                           people who had not had CAR-T (indirect)
``unknown``     empty                       the share was not reported
==============  ==========================  =====================================================

A row with ``post_car_t`` true and no percent counts as 100 (the loader fills this in; it is repeated
here so frames built by hand behave the same). Strata are never pooled together: a pooled estimate
combines the studies of one class, one stratum, one endpoint and one disease.

**One analysis set per trial population** (:func:`one_per_population`). A trial population is a trial
(its NCT id, else its name), a disease, a stratum and, for a published subgroup, the subgroup's cohort.
When it has several rows for one endpoint (analysis sets, data cuts), the row kept is the first by:

1. analysis set, in the order of :data:`ANALYSIS_SET_ORDER`: intention-to-treat, then treated, then
   efficacy-evaluable (the widest denominator: it counts everyone who started, so it selects least);
2. the latest ``data_cutoff``, then the longest ``median_follow_up_months`` (empty counts as earliest);
3. the row that comes last in the file.

Then a subgroup is dropped when the population it belongs to (``subgroup_of``) is kept in the same
stratum, so no patient is counted twice in one pooled estimate. Studies and patients are counted per
trial population, never per row.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..data.evidence import Evidence
from ..data.shared import shared_by_reports
from ..errors import ParameterError
from ..stats import pool_proportions, proportion_ci, subgroup_difference
from .frames import STRATA  # the strata of directness, direct first (a table contract)

__all__ = ["STRATA", "STRATUM_LABELS", "STRATUM_WORDS", "ANALYSIS_SET_ORDER", "POOLED_COLUMNS",
           "TEST_COLUMNS", "stratum_of", "with_strata", "population_key", "one_per_population",
           "annotated_results", "response_studies", "pool_within_strata", "stratum_summary",
           "stratum_tests", "class_of_scope"]

#: Short labels (headings, figure panels, table cells).
STRATUM_LABELS = {
    "post_car_t": "After CAR-T",
    "partly": "Partly after CAR-T",
    "car_t_naive": "Before CAR-T (CAR-T-naive)",
    "unknown": "Prior CAR-T not reported",
}

#: Plain words naming who the numbers come from.
STRATUM_WORDS = {
    "post_car_t": "people whose lymphoma came back after CAR T-cell therapy",
    "partly": "a population in which only some people had had CAR T-cell therapy",
    "car_t_naive": "people who had not had CAR T-cell therapy",
    "unknown": "a population whose share with earlier CAR T-cell therapy was not reported",
}

#: Analysis sets from the most to the least preferred (see the module docstring).
ANALYSIS_SET_ORDER = ("itt", "treated", "efficacy_evaluable")

#: Columns of :func:`pool_within_strata` (rates and bounds are proportions 0-1).
POOLED_COLUMNS = [
    "class_id", "stratum", "measure", "disease", "n_studies", "n_patients", "rate", "ci_low", "ci_high",
    "pi_low", "pi_high", "i_squared", "tau_squared", "rate_min", "rate_max", "single_study",
    "approximate", "trials", "result_ids", "source_ids", "prior_car_t_percent",
]

#: Columns of :func:`stratum_tests`.
TEST_COLUMNS = ["class_id", "measure", "strata", "n_studies", "qm", "df", "p_value", "tau_squared"]

_ORDER_KEYS = ["_set_rank", "data_cutoff", "median_follow_up_months", "_position"]


def stratum_of(percent: float | None) -> str:
    """The stratum of a share of patients with prior CAR-T (percent 0-100; None or NaN if unknown).

    Raises
    ------
    ParameterError
        For a share outside 0-100.

    Examples
    --------
    >>> stratum_of(100), stratum_of(33.5), stratum_of(0), stratum_of(None)
    ('post_car_t', 'partly', 'car_t_naive', 'unknown')
    """
    if percent is None or pd.isna(percent):
        return "unknown"
    value = float(percent)
    if not 0 <= value <= 100:
        raise ParameterError(f"prior_car_t_percent={percent!r} is outside 0-100; expected a percent as "
                             "published (100 = every patient had CAR-T before)")
    if value == 100:
        return "post_car_t"
    return "car_t_naive" if value == 0 else "partly"


def _flag(values: pd.Series) -> pd.Series:
    return values.astype("boolean").fillna(False).astype(bool)


def _blank(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip().eq("")


def with_strata(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with ``prior_car_t_percent`` (filled with 100 where ``post_car_t`` is true
    and the percent is empty) and a ``stratum`` column.

    Works on results, outcomes and harms; a frame without ``prior_car_t_percent`` gets it from
    ``post_car_t`` alone (true -> 100, otherwise unknown).
    """
    out = frame.copy()
    percent = (pd.to_numeric(out["prior_car_t_percent"], errors="coerce")
               if "prior_car_t_percent" in out.columns else pd.Series(np.nan, index=out.index))
    if "post_car_t" in out.columns:
        percent = percent.mask(percent.isna() & _flag(out["post_car_t"]), 100.0)
    out["prior_car_t_percent"] = percent.astype(float)
    out["stratum"] = [stratum_of(p) for p in out["prior_car_t_percent"]]
    return out


def class_of_scope(evidence: Evidence) -> dict[str, str]:
    """``{scope_id: class_id}`` for every agent id and class id (a class is its own scope)."""
    mapping = {str(c): str(c) for c in evidence.classes["class_id"].dropna()}
    agents = evidence.agents.dropna(subset=["agent_id", "class_id"])
    mapping.update(zip(agents["agent_id"].astype(str), agents["class_id"].astype(str), strict=True))
    return mapping


def _with_scope(frame: pd.DataFrame, evidence: Evidence) -> pd.DataFrame:
    """``frame`` with ``agent_id`` and ``class_id`` columns whether it has ``scope_id``, ``agent_id`` or
    both (the loader derives them from ``scope_id``; a frame built by hand may lack them)."""
    out = frame.copy()
    classes = class_of_scope(evidence)
    class_ids = set(evidence.classes["class_id"].dropna().astype(str))
    if "scope_id" in out.columns:
        scope = out["scope_id"].astype("string")
        if "agent_id" not in out.columns:
            out["agent_id"] = scope.where(~scope.isin(class_ids))
    else:
        scope = out["agent_id"].astype("string")
    if "class_id" not in out.columns or out["class_id"].isna().all():
        out["class_id"] = scope.map(lambda s: classes.get(str(s)) if pd.notna(s) else None)
    return out


def annotated_results(evidence: Evidence) -> pd.DataFrame:
    """Results with stratum, class, agent and source names, file position and the population key."""
    frame = _with_scope(evidence.results, evidence).assign(_position=np.arange(len(evidence.results)))
    agents = evidence.agents[["agent_id", "name"]].rename(columns={"name": "agent_name"})
    classes = evidence.classes[["class_id", "name", "display_order"]].rename(columns={"name": "class_name"})
    sources = evidence.sources[["source_id", "label"]].rename(columns={"label": "source_label"})
    frame = (frame.merge(agents, on="agent_id", how="left").merge(classes, on="class_id", how="left")
             .merge(sources, on="source_id", how="left"))
    frame = with_strata(frame)
    frame["population_key"] = population_key(frame)
    return frame.sort_values(["display_order", "_position"], kind="mergesort").reset_index(drop=True)


def population_key(frame: pd.DataFrame) -> pd.Series:
    """The trial population of each row: trial (NCT id, else name), disease, stratum, the cohort of a
    published subgroup (``"whole"`` for a whole population) and the time to relapse after CAR-T when a
    cohort is defined by it (early and late relapse are different patients). Needs a ``stratum`` column."""
    trial = frame["nct_id"].astype("string") if "nct_id" in frame.columns else \
        pd.Series(pd.NA, index=frame.index, dtype="string")
    trial = trial.fillna(frame["trial"].astype("string")).fillna(frame["result_id"].astype("string")
                                                                 if "result_id" in frame.columns else "")
    sub = frame["subgroup_of"] if "subgroup_of" in frame.columns else pd.Series("", index=frame.index)
    part = np.where(_blank(sub), "whole", frame.get("cohort_id", pd.Series("", index=frame.index))
                    .astype("string").fillna("subgroup"))
    blank = pd.Series("", index=frame.index, dtype="string")
    disease = frame["disease"].astype("string").fillna("") if "disease" in frame.columns else blank
    relapse = frame["time_to_relapse"].astype("string").fillna("") if "time_to_relapse" in frame.columns \
        else blank
    return trial.str.cat([disease, frame["stratum"].astype("string"), pd.Series(part, index=frame.index),
                          relapse], sep="|")


def one_per_population(frame: pd.DataFrame, measure: str = "endpoint") -> pd.DataFrame:
    """The rows kept by the analysis-set rule of the module docstring, one per trial population and
    ``measure`` value; ``frame`` needs ``stratum`` and ``population_key`` (see :func:`annotated_results`).
    """
    if frame.empty:
        return frame.copy()
    ranked = frame.assign(
        _set_rank=frame["analysis_set"].map({s: i for i, s in enumerate(ANALYSIS_SET_ORDER)})
        .fillna(len(ANALYSIS_SET_ORDER)) if "analysis_set" in frame.columns else 0,
        _position=frame["_position"] if "_position" in frame.columns else np.arange(len(frame)),
    )
    for column in ("data_cutoff", "median_follow_up_months"):
        if column not in ranked.columns:
            ranked[column] = np.nan
    # best first: lowest set rank, then latest cut-off / longest follow-up / last in file
    ranked = ranked.sort_values(_ORDER_KEYS, ascending=[True, False, False, False], na_position="last",
                                kind="mergesort")
    kept = ranked.groupby(["population_key", measure], sort=False).head(1)
    kept = _drop_nested_subgroups(kept, measure)
    return frame.loc[kept.index].sort_index()


def _drop_nested_subgroups(kept: pd.DataFrame, measure: str) -> pd.DataFrame:
    if "subgroup_of" not in kept.columns or "cohort_id" not in kept.columns:
        return kept
    parents = set(zip(kept["cohort_id"].astype("string"), kept["stratum"], kept[measure], strict=True))
    nested = [not _blank(pd.Series([sub])).iloc[0] and (sub, stratum, m) in parents
              for sub, stratum, m in zip(kept["subgroup_of"].astype("string"), kept["stratum"],
                                         kept[measure], strict=True)]
    return kept[~np.asarray(nested, dtype=bool)]


@shared_by_reports(pd.DataFrame)
def response_studies(evidence: Evidence, endpoint: str | None = None) -> pd.DataFrame:
    """The results that count as studies: counts present, a class known, one analysis set per trial
    population (module docstring); with ``rate``, exact ``ci_low``/``ci_high`` (proportions 0-1)."""
    frame = annotated_results(evidence)
    usable = frame["n"].notna() & frame["responders"].notna() & frame["class_id"].notna()
    if endpoint is not None:
        usable &= frame["endpoint"].eq(endpoint).fillna(False).astype(bool)
    studies = one_per_population(frame[usable.to_numpy()], "endpoint")
    return _with_rates(studies, "responders")


def _with_rates(frame: pd.DataFrame, count: str) -> pd.DataFrame:
    out = frame.copy()
    if out.empty:
        return out.assign(rate=pd.Series(dtype=float), ci_low=pd.Series(dtype=float),
                          ci_high=pd.Series(dtype=float))
    x, total = out[count].to_numpy(float), out["n"].to_numpy(float)
    low, high = proportion_ci(x, total)
    return out.assign(rate=x / total, ci_low=low, ci_high=high)


def pool_within_strata(studies: pd.DataFrame, measure: str = "endpoint", count: str = "responders",
                       basis: str = "responders_basis") -> pd.DataFrame:
    """Pool the studies of each class, stratum, ``measure`` and disease; never across strata.

    Parameters
    ----------
    studies : DataFrame
        One row per trial population (e.g. :func:`response_studies`), with ``class_id``, ``stratum``,
        ``measure``, ``n``, ``count``, ``rate``, ``ci_low``, ``ci_high``, ``result_id`` (or ``harm_id``),
        ``source_id`` and ``trial``.
    measure, count, basis : str
        Column names of the measure (e.g. endpoint), the events counted and how they were obtained.

    Returns
    -------
    DataFrame
        Columns :data:`POOLED_COLUMNS`. Two or more studies are pooled on the logit scale with
        DerSimonian-Laird random effects (:func:`~lymphoma_evidence.stats.pool_proportions`); a single study
        gives its own rate and exact interval with ``single_study`` true and NaN prediction interval,
        I-squared and tau-squared. ``approximate`` is true when any count was derived from a rounded
        percentage (``basis == "rounded"``). Sorted by class, stratum (direct first), measure, disease.
    """
    id_column = "result_id" if "result_id" in studies.columns else "harm_id"
    rows = []
    frame = studies.assign(_disease=studies["disease"].astype("string").fillna("")
                           if "disease" in studies.columns else "")
    for (class_id, stratum, value, disease), group in frame.groupby(
            ["class_id", "stratum", measure, "_disease"], sort=False):
        rows.append(_pooled_row(group, class_id, stratum, value, disease, id_column, count, basis))
    out = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    if out.empty:
        return out
    out["_s"] = out["stratum"].map(STRATA.index)
    return out.sort_values(["class_id", "_s", "measure", "disease"], kind="mergesort") \
        .drop(columns="_s").reset_index(drop=True)


def _pooled_row(group: pd.DataFrame, class_id: str, stratum: str, value: str, disease: str,
                id_column: str, count: str, basis: str) -> dict[str, object]:
    approximate = bool(group[basis].astype("string").eq("rounded").any()) if basis in group.columns \
        else False
    percents = group["prior_car_t_percent"].dropna() if "prior_car_t_percent" in group.columns \
        else pd.Series(dtype=float)
    row: dict[str, object] = {
        "class_id": class_id, "stratum": stratum, "measure": value, "disease": disease,
        "n_studies": len(group), "n_patients": int(group["n"].sum()),
        "rate_min": float(group["rate"].min()), "rate_max": float(group["rate"].max()),
        "single_study": len(group) == 1, "approximate": approximate,
        "trials": "; ".join(dict.fromkeys(_trial_words(r) for r in group.to_dict("records"))),
        "result_ids": "; ".join(group[id_column].astype(str)),
        "source_ids": "; ".join(dict.fromkeys(group["source_id"].astype(str))),
        "prior_car_t_percent": float(percents.iloc[0]) if len(percents) == 1 and len(group) == 1 else np.nan,
    }
    if len(group) == 1:
        first = group.iloc[0]
        return row | {"rate": float(first["rate"]), "ci_low": float(first["ci_low"]),
                      "ci_high": float(first["ci_high"]), "pi_low": np.nan, "pi_high": np.nan,
                      "i_squared": np.nan, "tau_squared": np.nan}
    pooled = pool_proportions(group[count].to_numpy(float), group["n"].to_numpy(float))
    return row | {"rate": pooled.rate, "ci_low": pooled.ci_low, "ci_high": pooled.ci_high,
                  "pi_low": pooled.pi_low, "pi_high": pooled.pi_high, "i_squared": pooled.i_squared,
                  "tau_squared": pooled.tau_squared}


def _trial_words(row: dict) -> str:
    """A trial as readers see it: its name, and the time to relapse after CAR-T when published."""
    relapse = row.get("time_to_relapse")
    relapse = relapse if isinstance(relapse, str) and relapse.strip() and relapse != "any" else ""
    return f"{row['trial']} (relapse {relapse} after CAR-T)" if relapse else str(row["trial"])


def stratum_summary(evidence: Evidence, endpoints: Iterable[str] = ("ORR", "CR")) -> pd.DataFrame:
    """Response rates per class, stratum, endpoint and disease (:func:`pool_within_strata` of
    :func:`response_studies`), the endpoint in the ``measure`` column."""
    wanted = list(endpoints)
    unknown = [e for e in wanted if e not in ("ORR", "CR")]
    if unknown:
        raise ParameterError(f"endpoints {unknown} are not response endpoints; expected ORR and/or CR")
    studies = response_studies(evidence)
    studies = studies[studies["endpoint"].isin(wanted).to_numpy()]
    return pool_within_strata(studies, "endpoint")


def stratum_tests(studies: pd.DataFrame, measure: str = "endpoint", count: str = "responders",
                  ) -> pd.DataFrame:
    """The test for a difference between strata, per class and measure, where two or more strata
    have studies: QM of the meta-regression with the stratum as moderator
    (:func:`~lymphoma_evidence.stats.subgroup_difference`, as metafor's ``rma(mods = ~ stratum,
    method = "DL")``). Columns :data:`TEST_COLUMNS`; ``strata`` lists the strata compared ("; ")."""
    rows = []
    for (class_id, value), group in studies.groupby(["class_id", measure], sort=False):
        if group["stratum"].nunique() < 2:
            continue
        test = subgroup_difference(group[count].to_numpy(float), group["n"].to_numpy(float),
                                   group["stratum"].to_numpy())
        present = [s for s in STRATA if s in set(group["stratum"])]
        rows.append({"class_id": class_id, "measure": value, "strata": "; ".join(present),
                     "n_studies": test.n_studies, "qm": test.qm, "df": test.df, "p_value": test.p_value,
                     "tau_squared": test.tau_squared})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)
