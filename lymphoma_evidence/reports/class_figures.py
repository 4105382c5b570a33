"""Figures of a class profile beyond its forest plot: for a class whose evidence after CAR-T failure is
survival rather than response (a transplant, chemotherapy), the survival chart of that class (the
measures of the outcomes figure in measures.csv).

The chart is :func:`lymphoma_evidence.figures.directness.outcomes_plot` of the class's own post-CAR-T rows of
the headline numbers; its title states what was measured, in whom, without a comparison.
"""

from __future__ import annotations

from ..analysis.topic import topic_words
from . import html as h
from .context import ReportContext, figure


def survival_chart(b: ReportContext, class_id: str) -> h.Fragment:
    """The 12-month survival after CAR-T failure of one class as a chart, or nothing when the evidence has
    no such figure for it."""
    from ..figures.directness import outcomes_plot
    from .direct_sections import _numbers

    words = topic_words(b.evidence)
    measures = {m: words.headings.get(m, m) for m in words.figure_measures.get("outcomes", ())}
    numbers = _numbers(b)
    rows = numbers[(numbers["class_id"] == class_id) & (numbers["stratum"] == "post_car_t")
                   & numbers["measure"].isin(measures) & numbers["rate"].notna()]
    if rows.empty:
        return h.Fragment("")
    classes = b.evidence.classes
    names = dict(zip(classes["class_id"], classes["name"], strict=True))
    labels = dict(zip(b.evidence.sources["source_id"], b.evidence.sources["label"], strict=True))
    title = f"{names.get(class_id, class_id)}: survival after CAR-T failure"
    return figure(outcomes_plot, rows, names, labels, title=title, measures=measures, fit=True)
