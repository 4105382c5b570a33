"""Two self-contained sections for clinicians and educators: outcomes by time to relapse after CAR-T
(:func:`relapse_timing`) and the clinical questions with their cited answers (:func:`questions`).

Both take a report context (the clinician briefing, or a class profile with ``class_id``) and return
nothing for the patient audience: the numbers are split by subgroup and the answers are written for
clinicians. :func:`after_outlook` is the one call the briefing makes; :func:`for_class` the one call a
class profile makes.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import topic
from ..analysis.clinical import clinical_questions
from ..analysis.relapse import relapse_timing_table
from ..formatting import NOT_REACHED, percent
from . import html as h
from .context import ReportContext

__all__ = ["after_outlook", "for_class", "questions", "relapse_timing"]


def _value(row: pd.Series) -> str:
    if bool(row["not_reached"]):
        return NOT_REACHED
    if row["unit"] == "months":
        return f"{row['value']:g} months"
    return percent(row["value"], 1, trim=True)


def relapse_timing(ctx: ReportContext, class_id: str | None = None) -> h.Fragment:
    """The table of outcomes by time from CAR-T to relapse (:func:`~..analysis.relapse.relapse_timing_table`),
    one row per published window; empty for patients or when the evidence has none."""
    table = relapse_timing_table(ctx.evidence, class_id=class_id)
    if ctx.audience == "patient" or table.empty:
        return h.Fragment("")
    headings = topic.measure_words(ctx.evidence, "heading")
    fmt = {"outcome": lambda r: headings[topic.measure_code(r["measure"], r["timepoint_months"])],
           "shown": _value,
           "people": lambda r: str(int(r["n"])) if pd.notna(r["n"]) else "not printed",
           "source": lambda r: h.Fragment(h.esc(r["source_label"]) + ctx.refs.cite(r["source_id"]))}
    columns = [("Time from CAR-T to relapse", "time_to_relapse"), ("Who", "population"),
               ("Outcome", "outcome"), ("Value", "shown"), ("People", "people"), ("Source", "source")]
    return ctx.section("Outcomes by time to relapse after CAR-T",
                       h.table(table, columns, caption="Published outcomes by time to relapse after CAR-T",
                               formatters=fmt))


def questions(ctx: ReportContext, class_id: str | None = None) -> h.Fragment:
    """The clinical questions (``clinical_questions.csv``) with their cited answers; empty for patients
    or when there are none."""
    if ctx.audience == "patient":
        return h.Fragment("")
    qs = clinical_questions(ctx.evidence, audience=ctx.audience, class_id=class_id)
    if qs.empty:
        return h.Fragment("")
    items = [h.Fragment(h.tag("strong", q["question"]) + " " + h.esc(q["answer"])
                        + ctx.refs.cite(q["source_id"])) for _, q in qs.iterrows()]
    return ctx.section("Clinical questions after CAR-T failure", h.bullets(items))


def after_outlook(ctx: ReportContext) -> h.Fragment:
    """What the briefing shows after its outlook: the relapse-timing table and every clinical question."""
    return h.concat([relapse_timing(ctx), questions(ctx)])


def for_class(ctx: ReportContext, class_id: str) -> h.Fragment:
    """What a class profile shows after its outcomes: the class's relapse-timing rows and questions."""
    return h.concat([relapse_timing(ctx, class_id), questions(ctx, class_id)])
