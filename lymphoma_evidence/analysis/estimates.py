"""Published estimates that are not one group's number: comparisons between two groups (hazard ratios,
``comparisons.csv``) and medians the source says were not reached (``outcomes.csv`` ``not_reached``).

Nothing here computes an effect: a comparison is kept as it was printed, with whether its groups were
randomised and whether it was adjusted, and the caveat words readers are told beside it come from the
topic's texts (texts.csv). A median not reached is a finding, not a missing number: it has no value and is
shown as "not reached".
"""

from __future__ import annotations

import pandas as pd

from ..data.comparison_checks import caveat_text_ids
from ..data.evidence import Evidence
from . import topic
from .frames import columns
from .strata import class_of_scope, with_strata

__all__ = ["comparison_table", "medians_not_reached", "not_reached"]


def not_reached(outcomes: pd.DataFrame) -> pd.Series:
    """Whether each outcome row is a median the source says was not reached (False where the column is
    empty or absent, e.g. in a frame built by hand)."""
    if "not_reached" not in outcomes.columns:
        return pd.Series(False, index=outcomes.index, dtype=bool)
    return outcomes["not_reached"].astype("boolean").fillna(False).astype(bool)


def medians_not_reached(evidence: Evidence, class_id: str | None = None) -> pd.DataFrame:
    """The outcome rows that are medians not reached, with ``class_id`` and ``stratum``, in file order.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    class_id : str, optional
        Keep the rows of this therapy class and its agents; default: every row (rows about all patients,
        outcome ``scope_id`` "any", have an empty ``class_id``).

    Returns
    -------
    pandas.DataFrame
        The outcomes.csv columns plus ``class_id`` and ``stratum``; ``value`` is empty in every row.
    """
    out = evidence.outcomes
    rows = with_strata(out[not_reached(out).to_numpy()])
    rows = rows.assign(class_id=rows["scope_id"].map(class_of_scope(evidence)).astype("string"))
    if class_id is not None:
        rows = rows[rows["class_id"] == class_id]
    return rows.reset_index(drop=True)


def _caveat(evidence: Evidence, row: pd.Series) -> str:
    """The caveat words of one comparison: randomisation, then adjustment and how (texts.csv and the
    row's ``adjustment``), joined by "; "."""
    said = []
    for text_id in caveat_text_ids(row):
        words = topic.text(evidence, text_id)
        if text_id.endswith("_adjusted") and pd.notna(row["adjustment"]):
            words = f"{words} ({row['adjustment']})"
        said.append(words)
    return "; ".join(w for w in said if w)


def comparison_table(evidence: Evidence, class_id: str | None = None,
                     strata: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every published comparison between two groups, as printed, with the words a reader is told.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    class_id : str, optional
        Keep the comparisons whose group belongs to this therapy class (or one of its agents).
    strata : tuple of str, optional
        Keep these strata of directness only (e.g. ``("post_car_t",)``); default: all.

    Returns
    -------
    pandas.DataFrame
        A :data:`~.frames.ComparisonTable` in comparisons.csv order: ``value``, ``ci_low`` and
        ``ci_high`` as published (a ratio; the limits empty when not printed), ``heading`` the measure's
        heading (measures.csv), ``caveat`` the caveat words (texts.csv and the row's ``adjustment``).
    """
    cmp = evidence.comparisons
    if cmp.empty:
        return pd.DataFrame(columns=columns("ComparisonTable"))
    rows = with_strata(cmp)
    classes = rows["scope_id"].map(class_of_scope(evidence))
    keep = pd.Series(True, index=rows.index)
    if class_id is not None:
        keep &= classes == class_id
    if strata is not None:
        keep &= rows["stratum"].isin(strata)
    rows, classes = rows[keep], classes[keep]
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    labels = dict(zip(evidence.sources["source_id"], evidence.sources["label"], strict=True))
    headings = topic.measure_words(evidence, "heading")
    frame = pd.DataFrame({
        "comparison_id": rows["comparison_id"].astype(str), "class_id": classes.astype(str),
        "class_name": classes.map(names).astype(str), "stratum": rows["stratum"].astype(str),
        "group": rows["group"].astype(str), "comparator": rows["comparator"].astype(str),
        "measure": rows["measure"].astype(str),
        "heading": rows["measure"].map(lambda m: headings.get(str(m), str(m))).astype(str),
        "value": rows["value"].astype(float), "ci_low": rows["ci_low"].astype(float),
        "ci_high": rows["ci_high"].astype(float),
        "adjusted": rows["adjusted"].astype("boolean").fillna(False).astype(bool),
        "randomised": rows["randomised"].astype("boolean").fillna(False).astype(bool),
        "caveat": [_caveat(evidence, r) for _, r in rows.iterrows()],
        "n_group": rows["n_group"].astype("Int64"), "n_comparator": rows["n_comparator"].astype("Int64"),
        "population": rows["population"].astype(str), "source_id": rows["source_id"].astype(str),
        "source_label": rows["source_id"].map(labels).astype(str),
    }, columns=columns("ComparisonTable"))
    return frame.reset_index(drop=True)
