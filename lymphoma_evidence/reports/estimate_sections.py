"""Comparisons between two groups and medians not reached, in words, for the class pages and the
clinician briefing (:mod:`lymphoma_evidence.analysis.estimates`).

A comparison is said with its measure, the two groups (and their sizes where printed), the estimate and
its 95% interval, the caveat words of the topic (randomised or not; adjusted or not, and how) and who was
compared; a median not reached says "not reached", never a number. Patients are shown neither: a hazard
ratio between groups that were not randomised is written for clinicians.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import topic
from ..analysis.estimates import comparison_table, medians_not_reached
from ..analysis.relapse import whole_cohort
from ..formatting import NOT_REACHED
from . import html as h
from .context import ReportContext

__all__ = ["comparison_sentence", "comparisons", "direct_items", "not_reached_sentence"]

def _group(name: str, n: float | None) -> str:
    return f"{name} ({int(n)} people)" if n is not None and pd.notna(n) else name


def comparison_sentence(row: pd.Series, detailed: bool = True) -> str:
    """One :func:`~lymphoma_evidence.analysis.estimates.comparison_table` row in words, e.g.
    ``"Hazard ratio for overall survival 0.28 (95% CI 0.16–0.51), <group> (54 people) against
    <comparator>; <caveat>"``; with ``detailed``, then `` — <population>``. The interval is left out when
    the source printed none."""
    ci = f" (95% CI {row['ci_low']:g}–{row['ci_high']:g})" if pd.notna(row["ci_low"]) else ""
    said = (f"{row['heading']} {row['value']:g}{ci}, {_group(row['group'], row['n_group'])} against "
            f"{_group(row['comparator'], row['n_comparator'])}")
    if row["caveat"]:
        said += f"; {row['caveat']}"
    return f"{said} — {row['population']}" if detailed else said


def not_reached_sentence(rows: pd.DataFrame, words: dict[str, str]) -> str:
    """Medians not reached of one population in words (``words``: the measures' ``sentence`` words), e.g.
    ``"median time without progression and median overall survival not reached — <population>"``, with the
    number of people where printed."""
    said = [words.get(str(m), str(m).replace("_", " ")) for m in rows["measure"]]
    first = rows.iloc[0]
    people = f", {int(first['n'])} people" if pd.notna(first["n"]) else ""
    return f"{' and '.join(said)} {NOT_REACHED}{people} — {first['population']}"


def direct_items(ctx: ReportContext, class_id: str) -> list[h.Fragment]:
    """The class's direct (post-CAR-T) medians not reached, one item per population, and its comparisons
    in short (without the population, which its class page gives), each cited, for the list of its direct
    evidence in the briefing; none for patients. Medians of one window of time to relapse are left to the
    table of outcomes by time to relapse."""
    if ctx.audience == "patient":
        return []
    words = topic.measure_words(ctx.evidence, "sentence")
    rows = medians_not_reached(ctx.evidence, class_id)
    rows = rows[(rows["stratum"] == "post_car_t").to_numpy() & whole_cohort(rows).to_numpy()]
    items = [h.Fragment(h.esc(not_reached_sentence(group, words)) + ctx.refs.cite(str(source)))
             for (source, _), group in rows.groupby(["source_id", "population"], sort=False)]
    table = comparison_table(ctx.evidence, class_id, strata=("post_car_t",))
    items += [h.Fragment(h.esc(comparison_sentence(r, detailed=False)) + ctx.refs.cite(r["source_id"]))
              for _, r in table.iterrows()]
    return items


def comparisons(ctx: ReportContext, class_id: str) -> h.Fragment:
    """The comparisons of one class with another treatment, every stratum, each with its caveat and
    citation, after how to read them (texts.csv ``comparison_reading``); nothing when there are none or
    for patients."""
    table = comparison_table(ctx.evidence, class_id)
    if ctx.audience == "patient" or table.empty:
        return h.Fragment("")
    items = [h.Fragment(h.esc(comparison_sentence(r)) + ctx.refs.cite(r["source_id"]))
             for _, r in table.iterrows()]
    reading = topic.text(ctx.evidence, "comparison_reading")
    intro = [h.para(h.text(reading))] if reading else []
    return h.concat([h.heading(3, "Compared with another treatment"), *intro, h.bullets(items)])
