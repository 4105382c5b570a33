"""Figures of a class profile beyond its forest plot: for a class whose evidence after CAR-T failure is
survival rather than response (a transplant, chemotherapy), the 12-month survival chart of that class.

The chart is :func:`lymphoma_evidence.figures.directness.outcomes_plot` of the class's own post-CAR-T rows of
the headline numbers; its title states what was measured, in whom, without a comparison.
"""

from __future__ import annotations

from ..figures.directness import OUTCOME_MEASURES
from . import html as h
from .context import ReportContext, figure


def survival_chart(b: ReportContext, class_id: str) -> h.Fragment:
    """The 12-month survival after CAR-T failure of one class as a chart, or nothing when the evidence has
    no such figure for it."""
    from ..figures.directness import outcomes_plot
    from .direct_sections import _numbers

    numbers = _numbers(b)
    rows = numbers[(numbers["class_id"] == class_id) & (numbers["stratum"] == "post_car_t")
                   & numbers["measure"].isin(OUTCOME_MEASURES) & numbers["rate"].notna()]
    if rows.empty:
        return h.Fragment("")
    classes = b.evidence.classes
    names = dict(zip(classes["class_id"], classes["name"], strict=True))
    labels = dict(zip(b.evidence.sources["source_id"], b.evidence.sources["label"], strict=True))
    title = f"{names.get(class_id, class_id)}: survival 12 months after CAR-T failure"
    return figure(outcomes_plot, rows, names, labels, title=title, fit=True)
