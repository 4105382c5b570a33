"""Sections of the class profile report: one therapy class in depth, direct evidence first.

Functions take a :class:`~lymphoma_evidence.reports.briefing.Briefing` made for that one class, so citations
and wording are shared with its other sections. Order of the story: what it is (status derived from the
approvals), the summary of findings after CAR-T failure (direct), then side effects, then indirect evidence
under its own heading, the trials behind the numbers, pooling within strata and the test between strata.

Every option class gets a page, whether or not the evidence holds figures for it: a section with nothing to
show says so once in plain words (with the gap's reader note from known_gaps.csv where one is listed), and
the sections that would only repeat it (pooling, the forest plot) are left out.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import topic
from ..analysis.approvals import agent_status, class_status
from ..analysis.sof import summary_of_findings
from ..analysis.strata import STRATUM_LABELS, pool_within_strata, response_studies, stratum_tests
from ..formatting import percent, percent_range
from . import html as h
from .briefing import Briefing
from .context import status_line
from .direct_sections import _no_direct, side_effects

_HEADINGS = {"post_car_t": "After CAR-T failure (direct evidence)",
             "partly": "From populations in which only some people had had CAR-T (partly indirect)",
             "car_t_naive": "From people who had not had CAR-T (indirect evidence)",
             "unknown": "From trials that did not report prior CAR-T (indirect evidence)"}
_SOF_COLUMNS = [("Outcome", "outcome"), ("Studies", "studies"), ("Patients", "patients"),
                ("Estimate (95% CI)", "estimate"), ("Certainty", "certainty"), ("Comments", "comments")]


def the_class(b: Briefing) -> pd.Series:
    """The one class a profile briefing is about."""
    return b.classes().iloc[0]


def _studies(b: Briefing) -> pd.DataFrame:
    """The class's response studies (one analysis set per trial population), every stratum."""
    studies = response_studies(b.evidence)
    return studies[studies["class_id"] == the_class(b)["class_id"]]


def _agents(b: Briefing) -> pd.DataFrame:
    """The class's agents with their approvals, brand names and targets."""
    agents = agent_status(b.evidence)
    agents = agents[agents["class_id"] == the_class(b)["class_id"]]
    return agents.merge(b.evidence.agents[["agent_id", "brand_names", "target"]], on="agent_id", how="left")


def lead(b: Briefing) -> h.Fragment:
    """The opening sentence: the class, and what its page holds (only what the evidence has for it)."""
    cls = the_class(b)
    scope = {cls["class_id"], *b.evidence.agents.loc[b.evidence.agents["class_id"] == cls["class_id"],
                                                     "agent_id"]}
    holds = [("its agents", not _agents(b).empty),
             ("trial results and pooled estimates", not _studies(b).empty),
             ("survival", bool(b.evidence.outcomes["scope_id"].isin(scope).any())),
             ("who it is for", bool(b.evidence.eligibility["scope_id"].isin(scope).any())),
             ("registered trials", bool((b.evidence.trials["class_id"] == cls["class_id"]).any()))]
    shown = ["what it is", *[words for words, present in holds if present], "what the evidence lacks"]
    return b.lead(f"{cls['name']} after CAR T-cell therapy, in depth: {', '.join(shown[:-1])} and "
                  f"{shown[-1]}, with references.")


def _status(b: Briefing) -> pd.Series:
    status = class_status(b.evidence).set_index("class_id")
    return status.loc[the_class(b)["class_id"]]


def overview(b: Briefing) -> h.Fragment:
    """What the class is, its status (from the approvals), and its agents with their approvals."""
    cls = the_class(b)
    state = _status(b)
    agents = _agents(b)
    columns = [("Agent", "name"), ("Brand names", "brand_names"), ("Target", "target"),
               ("Approvals (regulator, year, disease, line)", "approvals")]
    fmt = {"approvals": lambda r: h.esc(r["approvals"]) + b.refs.cite(*str(r["source_ids"]).split("; "))}
    parts = [status_line(state["status"], state["words"]), h.para(h.text(cls["mechanism"]))]
    if state["status"] == "context" and topic.text(b.evidence, "context_class_note"):
        parts.append(h.para(b.topic_text("context_class_note")))
    if len(agents):  # a procedure, a path or care has no agents: nothing to list, nothing to say
        parts.append(h.table(agents, columns, caption=f"Agents in {cls['name']}", formatters=fmt))
    return b.section("What it is", *parts)


def findings(b: Briefing) -> h.Fragment:
    """Summary of findings per stratum (GRADEpro style): direct evidence first, then indirect under its
    own heading; certainty as entered by an analyst in certainty.csv, or "not rated"."""
    cls_id = the_class(b)["class_id"]
    sof = summary_of_findings(b.evidence, cls_id)
    fmt = {"outcome": lambda r: h.esc(r["outcome"]) + b.refs.cite(*str(r["source_ids"]).split("; ")),
           "certainty": lambda r: h.esc(r["certainty"]) + (
               h.Fragment(f'<br><span class="certainty-reasons">{h.esc(r["certainty_reasons"])}</span>')
               if r["certainty_reasons"] else h.Fragment(""))}
    blocks = []
    for stratum, heading in _HEADINGS.items():
        rows = sof[sof["stratum"] == stratum]
        if stratum != "post_car_t" and rows.empty:
            continue
        blocks.append(h.heading(3, heading))
        blocks.append(h.table(rows, _SOF_COLUMNS, caption=f"Summary of findings: {heading}", formatters=fmt,
                              empty=_no_direct(b, cls_id),
                              notes=["Certainty (GRADE) is entered by an analyst with a reason for every "
                                     "downgrade; 'not rated' means no rating has been entered yet."]))
    return b.section("Summary of findings", *blocks)


def results(b: Briefing) -> h.Fragment:
    """The trial populations behind the numbers (one analysis set each), endpoints in the measures' display
    order, with directness."""
    order = topic.measure_order(b.evidence)
    studies = _studies(b).assign(
        _e=lambda f: f["endpoint"].map(order.index),
        _s=lambda f: f["stratum"].map(list(_HEADINGS).index)).sort_values(["_e", "_s"], kind="mergesort")
    fmt = {"stratum": lambda r: h.esc(STRATUM_LABELS[r["stratum"]]),
           "trial": lambda r: h.esc(r["trial"]) + b.refs.cite(r["source_id"]),
           "rate": lambda r: h.esc(b.words.rate(r["rate"], r["ci_low"], r["ci_high"])),
           "n": lambda r: h.esc(int(r["n"]))}
    columns = [("Endpoint", "endpoint"), ("Who", "stratum"), ("Regimen", "regimen"), ("Trial", "trial"),
               ("Population", "population"), ("n", "n"), ("Rate", "rate")]
    notes = ["One analysis set per trial population (intention-to-treat, then treated, then evaluable; the "
             "latest data cut); rates from the published counts with exact (Clopper-Pearson) intervals."]
    return b.section("Results by trial", h.table(
        studies, columns, caption="Response by trial population", formatters=fmt, notes=notes,
        empty="No response counts for this option are in the evidence, so nothing is pooled or plotted."))


def pooled(b: Briefing) -> h.Fragment:
    """Pooled estimates within each stratum (never across), and the test for a difference between strata;
    nothing when the class has no response counts (:func:`results` says so)."""
    studies = _studies(b)
    if studies.empty:
        return h.Fragment("")
    pooled_rows = pool_within_strata(studies)
    fmt = {
        "stratum": lambda r: h.esc(STRATUM_LABELS[r["stratum"]]),
        "studies": lambda r: h.esc(f"{r['n_studies']} ({r['n_patients']} patients)"),
        "pooled": lambda r: h.esc(b.words.rate(r["rate"], r["ci_low"], r["ci_high"])),
        "pi": lambda r: h.esc("single study" if r["single_study"]
                              else percent_range(r["pi_low"], r["pi_high"])),
        "i2": lambda r: h.esc("" if r["single_study"] else percent(r["i_squared"])),
    }
    columns = [("Endpoint", "measure"), ("Who", "stratum"), ("Studies", "studies"),
               ("Estimate (95% CI)", "pooled"), ("Prediction interval", "pi"), ("I²", "i2")]
    notes = ["Random-effects pooling (DerSimonian-Laird, logit scale) within one stratum of directness only; "
             "a post-CAR-T cohort is never pooled with other populations."]
    body = [h.table(pooled_rows, columns, caption="Estimates by stratum", formatters=fmt, notes=notes)]
    tests = stratum_tests(studies)
    for row in tests.to_dict("records") if len(tests) else []:
        body.append(h.para(h.text(
            f"{row['measure']}: test for a difference between strata "
            f"({'; '.join(STRATUM_LABELS.get(s, s) for s in str(row['strata']).split('; '))}), "
            f"QM = {row['qm']:.2f} on {row['df']} df, p = {row['p_value']:.3f} (meta-regression with the "
            "stratum as moderator). Few studies: a non-significant test does not show the strata agree.")))
    return b.section("Pooled estimate", *body)


def forest(b: Briefing) -> h.Fragment:
    """The forest plot of the class by stratum (the briefing's forest, filtered to the class): the report's
    endpoint, else the first response measure the class has counts of (measures.csv order); nothing when it
    has none (:func:`results` says so)."""
    have = set(_studies(b)["endpoint"])
    shown = next((m for m in [b.endpoint, *topic.response_measures(b.evidence)] if m in have), None)
    return b.forest(shown) if shown else h.Fragment("")


def harms(b: Briefing) -> h.Fragment:
    """The side effects counted for the class, direct evidence first, each saying who it comes from; or
    that none are in the evidence, with the gap's note for readers where it is listed."""
    return b.section("Side effects", side_effects(b, the_class(b)["class_id"], why=True))


def outcomes(b: Briefing) -> h.Fragment:
    """Every survival and other outcome published for the class or its agents, direct evidence first,
    each labelled with who it comes from (a median not reached says so), then the class's comparisons
    with another treatment and their caveats."""
    from ..analysis.strata import with_strata
    from .briefing import describe_outcome

    cls_id = the_class(b)["class_id"]
    scope = {cls_id, *b.evidence.agents.loc[b.evidence.agents["class_id"] == cls_id, "agent_id"]}
    rows = with_strata(b.evidence.outcomes[b.evidence.outcomes["scope_id"].isin(scope)])
    rows = rows.assign(_s=rows["stratum"].map(list(_HEADINGS).index)).sort_values("_s", kind="stable")
    headings = topic.measure_words(b.evidence, "heading")
    items = [h.Fragment(h.esc(f"{STRATUM_LABELS[r['stratum']]}: {describe_outcome(r, b.words, headings)} — "
                              f"{r['population']}") + b.refs.cite(r["source_id"]))
             for _, r in rows.iterrows()]
    body = h.bullets(items) if items else h.para(h.text(
        "No survival or other outcomes for this option are in the evidence."))
    from .class_figures import survival_chart
    from .clinical_sections import for_class
    from .estimate_sections import comparisons

    return b.section("Survival and other outcomes", survival_chart(b, cls_id), body,
                     comparisons(b, cls_id)) + for_class(b, cls_id)
