"""Sections of the class profile report: one therapy class in depth.

Functions take a :class:`~lymphoma_evidence.reports.briefing.Briefing` made for that one class, so citations
and wording are shared with its other sections.
"""

from __future__ import annotations

import pandas as pd

from ..formatting import percent, percent_range
from ..vocabulary import ENDPOINTS
from . import html as h
from .briefing import Briefing, describe_outcome, status_line


def the_class(b: Briefing) -> pd.Series:
    """The one class a profile briefing is about."""
    return b.classes().iloc[0]


def overview(b: Briefing) -> h.Fragment:
    """What the class is, its status, and its agents with targets and regulatory status."""
    cls = the_class(b)
    agents = b.evidence.agents[b.evidence.agents["class_id"] == cls["class_id"]]
    columns = [("Agent", "name"), ("Brand names", "brand_names"), ("Target", "target"),
               ("Regulatory status", "regulatory_status"), ("Notes", "notes")]
    return b.section("What it is", status_line(cls["status"]), h.para(h.text(cls["mechanism"])),
                     h.table(agents, columns, caption=f"Agents in {cls['name']}"))


def results(b: Briefing) -> h.Fragment:
    """Every result of the class, ORR then CR, with n, rate and exact 95% interval."""
    tables = [b.response_table(endpoint) for endpoint in ENDPOINTS]
    return b.section("Results by trial", *tables)


def pooled(b: Briefing) -> h.Fragment:
    """The class summary per endpoint: range, pooled rate with CI, prediction interval, I-squared."""
    from ..analysis.summaries import class_summary

    cls_id = the_class(b)["class_id"]
    frames = [class_summary(b.evidence, endpoint=e, post_car_t=b.post_car_t) for e in ENDPOINTS]
    summary = pd.concat([f[f["class_id"] == cls_id] for f in frames], ignore_index=True)
    fmt = {
        "range": lambda r: h.esc(percent_range(r["rate_min"], r["rate_max"])),
        "pooled": lambda r: h.esc(b.words.rate(r["pooled_rate"], r["pooled_ci_low"], r["pooled_ci_high"])),
        "pi": lambda r: h.esc("single study" if r["single_study"]
                              else percent_range(r["pi_low"], r["pi_high"])),
        "i2": lambda r: h.esc("" if r["single_study"] else percent(r["i_squared"])),
        "studies": lambda r: h.esc(f"{r['n_studies']} ({r['total_patients']} patients)"),
    }
    columns = [("Endpoint", "endpoint"), ("Patients counted", "analysis_set"), ("Studies", "studies"),
               ("Range", "range"), ("Pooled (95% CI)", "pooled"), ("Prediction interval", "pi"),
               ("I²", "i2")]
    notes = ["Random-effects pooling (DerSimonian-Laird, logit scale); one data cut per trial population; "
             "different analysis sets and diseases are never pooled together.",
             "The prediction interval is where the rate of a new, similar trial is expected to lie."]
    body = h.table(summary, columns, caption="Pooled estimates", formatters=fmt, notes=notes) \
        if len(summary) else h.para(h.text("No response figures in the evidence for this class."))
    return b.section("Pooled estimate", body)


def outcomes(b: Briefing) -> h.Fragment:
    """Survival and other outcomes published for the class or its agents."""
    cls_id = the_class(b)["class_id"]
    scope = {cls_id, *b.evidence.agents.loc[b.evidence.agents["class_id"] == cls_id, "agent_id"]}
    rows = b.evidence.outcomes[b.evidence.outcomes["scope_id"].isin(scope)]
    items = [h.Fragment(h.esc(f"{describe_outcome(r, b.words)} — {r['population']}")
                        + b.refs.cite(r["source_id"])) for _, r in rows.iterrows()]
    body = h.bullets(items) if items else h.para(h.text("No outcomes in the evidence for this class."))
    return b.section("Survival and other outcomes", body)
