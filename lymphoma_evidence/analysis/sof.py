"""Summary-of-findings tables per therapy class and stratum of directness, in the form GRADEpro users know.

One row per outcome: studies and patients, the estimate with its 95% CI (pooled or single), the
directness (the stratum), the certainty of the evidence and comments. Numbers come from
:func:`~lymphoma_evidence.analysis.headline.headline_numbers`. Certainty is read from ``certainty.csv``,
where an analyst enters it (GRADE: risk of bias, inconsistency, indirectness, imprecision, publication
bias) with a rationale for every downgrade; it is never computed here, and an outcome without a rating
says "not rated".
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from ..formatting import approximately, percent, percent_range
from ..stats import POOLED_BY
from .headline import headline_numbers
from .strata import STRATA, STRATUM_LABELS
from .topic import summary_measures

__all__ = ["SOF_COLUMNS", "NOT_RATED", "outcome_family", "row_facts", "summary_of_findings"]

SOF_COLUMNS = ["class_id", "stratum", "measure", "outcome", "studies", "patients", "estimate",
               "directness", "certainty", "certainty_reasons", "comments", "source_ids", "result_ids"]
NOT_RATED = "not rated"
_CERTAINTY_WORDS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low"}
_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")


def _estimate(row: pd.Series) -> str:
    if row["unit"] == "months":
        return f"{row['value']:g} months"
    shown = approximately(percent(row["rate"]), bool(row["approximate"]))
    if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]):
        shown += f" (95% CI {percent_range(row['ci_low'], row['ci_high'])})"
    return shown + ("" if bool(row["single_study"]) else f", pooled ({POOLED_BY})")


def row_facts(row: pd.Series) -> str:
    """The computed facts of a row, e.g. ``"2 studies, 152 patients, 45% (95% CI 38–53%), pooled"``."""
    k = int(row["n_studies"])
    people = "patients not reported" if pd.isna(row["n_patients"]) else f"{int(row['n_patients'])} patients"
    return f"{k} stud{'y' if k == 1 else 'ies'}, {people}, {_estimate(row)}"


def _comments(row: pd.Series) -> str:
    notes = []
    if bool(row["single_study"]):
        notes.append("single study")
    if bool(row["approximate"]):
        notes.append("count derived from a rounded percentage")
    if "largest of" in str(row["population"]):
        notes.append(str(row["population"]).rsplit("; ", 1)[-1])
    if row["stratum"] != "post_car_t":
        notes.append("indirect: not a post-CAR-T population")
    return "; ".join(notes)


def _ratings(evidence: Evidence) -> pd.DataFrame:
    table = getattr(evidence, "certainty", None)
    if not isinstance(table, pd.DataFrame) or table.empty:
        return pd.DataFrame(columns=["class_id", "stratum", "outcome", "certainty", "rationale"])
    return table


def outcome_family(measure: str) -> str:
    """The outcome a rating may name instead of the exact measure: ``pfs_rate_12m`` and
    ``median_pfs_months`` -> ``pfs``, ``os_rate_12m`` -> ``os``, ``crs/grade_3_plus`` -> ``crs``."""
    if "/" in measure:
        return measure.split("/")[0]
    for family in ("pfs", "os", "duration_of_response", "non_relapse_mortality"):
        if measure.startswith((f"{family}_rate", f"median_{family}")):
            return family
    return measure


def _rating(ratings: pd.DataFrame, class_id: str, stratum: str, measure: str) -> tuple[str, str]:
    """The analyst's rating of this outcome: one naming the exact measure (e.g. ``pfs_rate_12m``) wins
    over one naming its family (``pfs``)."""
    mine = ratings[(ratings["class_id"] == class_id) & (ratings["stratum"] == stratum)]
    hit = mine[mine["outcome"] == measure]
    if hit.empty:
        hit = mine[mine["outcome"] == outcome_family(measure)]
    if hit.empty:
        return NOT_RATED, ""
    rec = hit.iloc[0]
    downgraded = [d.replace("_", " ") + f" ({str(rec[d]).replace('_', ' ')})" for d in _DOMAINS
                  if d in rec.index and isinstance(rec[d], str) and rec[d] != "not_serious"]
    reasons = "; ".join(downgraded)
    if isinstance(rec.get("rationale"), str) and rec["rationale"].strip():
        reasons = f"{reasons}: {rec['rationale'].strip()}" if reasons else rec["rationale"].strip()
    return _CERTAINTY_WORDS.get(str(rec["certainty"]), str(rec["certainty"])), reasons


def summary_of_findings(evidence: Evidence, class_id: str | None = None,
                        strata: tuple[str, ...] = STRATA) -> pd.DataFrame:
    """Summary-of-findings rows for one class (or every class), per stratum (direct first).

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle (``certainty`` table optional).
    class_id : str, optional
        The class; None gives every class.
    strata : tuple of str
        Strata to include, in order.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SOF_COLUMNS`: ``studies`` and ``patients`` count trial populations and their
        patients ("not reported" when a source gives no n); ``estimate`` is text (percent with 95% CI,
        "~" when approximate, or months); ``certainty`` is High/Moderate/Low/Very low from
        ``certainty.csv`` or "not rated"; ``certainty_reasons`` names the downgraded domains and the
        analyst's rationale. Only the measures flagged ``in_summary`` in measures.csv with a number
        appear, in its display order, headed by their ``heading``.
    """
    outcomes = summary_measures(evidence)
    numbers = headline_numbers(evidence)
    numbers = numbers[numbers["measure"].isin(outcomes) & numbers["stratum"].isin(strata)]
    if class_id is not None:
        numbers = numbers[numbers["class_id"] == class_id]
    ratings = _ratings(evidence)
    rows = []
    order = {m: i for i, m in enumerate(outcomes)}
    numbers = numbers.assign(_s=numbers["stratum"].map(STRATA.index), _m=numbers["measure"].map(order))
    for _, row in numbers.sort_values(["class_id", "_s", "_m"], kind="mergesort").iterrows():
        certainty, reasons = _rating(ratings, row["class_id"], row["stratum"], row["measure"])
        if certainty != NOT_RATED:  # the row's computed facts beside the analyst's words
            reasons = f"{reasons} [Rated row: {row_facts(row)}.]".strip()
        rows.append({
            "class_id": row["class_id"], "stratum": row["stratum"], "measure": row["measure"],
            "outcome": outcomes[row["measure"]], "studies": int(row["n_studies"]),
            "patients": "not reported" if pd.isna(row["n_patients"]) else str(int(row["n_patients"])),
            "estimate": _estimate(row), "directness": STRATUM_LABELS[row["stratum"]],
            "certainty": certainty, "certainty_reasons": reasons, "comments": _comments(row),
            "source_ids": row["source_ids"], "result_ids": row["result_ids"],
        })
    return pd.DataFrame(rows, columns=SOF_COLUMNS)
