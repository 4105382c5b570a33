"""Outcomes by time to relapse after CAR-T, as one table (:func:`relapse_timing_table`).

Survival after CAR-T failure depends on how soon the lymphoma came back; sources report it by windows of
time from CAR-T to relapse ("within 3 months", "after 6 months"). The table keeps each published
outcome of such a window as it was printed, with who it counts and its source: medians in months, rates
as proportions 0-1. Nothing is pooled or compared across sources.
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from .estimates import not_reached
from .frames import columns
from .strata import class_of_scope

__all__ = ["relapse_timing_table", "whole_cohort", "WHOLE_COHORT"]

#: ``time_to_relapse`` values that mean a whole post-CAR-T cohort rather than one window of time.
WHOLE_COHORT = ("", "any")


def whole_cohort(outcomes: pd.DataFrame) -> pd.Series:
    """Whether each row is about a whole cohort (``time_to_relapse`` empty or "any", or no such column)
    rather than one window of time to relapse after CAR-T."""
    if "time_to_relapse" not in outcomes.columns:
        return pd.Series(True, index=outcomes.index)
    return outcomes["time_to_relapse"].astype("string").fillna("").str.strip().isin(WHOLE_COHORT)


def relapse_timing_table(evidence: Evidence, class_id: str | None = None) -> pd.DataFrame:
    """Every outcome published for one window of time to relapse after CAR-T.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    class_id : str, optional
        Keep the rows of this therapy class (and its agents) only; default: every class and the rows
        about all patients after CAR-T failure (outcome ``scope_id`` "any", whose ``class_id`` is empty).

    Returns
    -------
    pandas.DataFrame
        A :data:`~.frames.RelapseTimingTable`: ``value`` in months for medians (``unit`` "months") and as
        a proportion 0-1 for rates (``unit`` "proportion"); a median the source says was not reached has
        no value and ``not_reached`` true; rows in class display order (rows about all
        patients first), then file order.
    """
    out = evidence.outcomes
    rows = out[~whole_cohort(out) & out["post_car_t"].fillna(False).astype(bool)]
    classes = class_of_scope(evidence)
    class_ids = rows["scope_id"].map(classes)
    if class_id is not None:
        rows, class_ids = rows[class_ids == class_id], class_ids[class_ids == class_id]
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    order = dict(zip(evidence.classes["class_id"], evidence.classes["display_order"], strict=True))
    labels = dict(zip(evidence.sources["source_id"], evidence.sources["label"], strict=True))
    months = rows["measure"].astype(str).str.startswith("median_")
    frame = pd.DataFrame({
        "outcome_id": rows["outcome_id"].astype(str),
        "class_id": class_ids.astype("string"),
        "class_name": class_ids.map(names).astype("string"),
        "measure": rows["measure"].astype(str),
        "timepoint_months": rows["timepoint_months"].astype(float),
        "time_to_relapse": rows["time_to_relapse"].astype("string").str.strip().astype(str),
        "value": rows["value"].astype(float).where(months, rows["value"].astype(float) / 100),
        "not_reached": not_reached(rows),
        "unit": months.map({True: "months", False: "proportion"}),
        "n": rows["n"].astype("Int64"),
        "population": rows["population"].astype(str),
        "source_id": rows["source_id"].astype(str),
        "source_label": rows["source_id"].map(labels).astype(str),
    }, columns=columns("RelapseTimingTable"))
    rank = class_ids.map(order).fillna(-1)
    return frame.assign(_rank=rank.values).sort_values("_rank", kind="mergesort") \
        .drop(columns="_rank").reset_index(drop=True)
