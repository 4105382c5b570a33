"""Sections of the evidence audit report, for analysts: validation, coverage, claim checks, gaps, changes."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..analysis import topic
from ..formatting import percent_range
from . import html as h
from .context import ReportContext


def validation(b: ReportContext) -> h.Fragment:
    """The validation result of the evidence folder: problems, or the size of what was checked.

    Evidence loaded from files that have not changed since is not validated again (it passed).
    """
    from ..data.evidence import still_valid
    from ..data.validate import validate_evidence

    problems = validate_evidence(b.evidence.path) if b.evidence.path and not still_valid(b.evidence) else []
    tables = {"sources": b.evidence.sources, "results": b.evidence.results,
              "outcomes": b.evidence.outcomes, "comparisons": b.evidence.comparisons,
              "harms": b.evidence.harms,
              "approvals": b.evidence.approvals, "eligibility": b.evidence.eligibility}
    if problems:
        body = h.bullets([h.text(str(p)) for p in problems])
    else:
        sizes = ", ".join(f"{len(frame)} {name}" for name, frame in tables.items())
        digest = b.evidence.content_hash[:12]
        body = h.para(h.text(f"The evidence is valid ({sizes}); content hash {digest}."))
    return b.section("Validation", body)


def _responses(b: ReportContext) -> list[str]:
    """The response measures (measures.csv kind ``response``), in display order."""
    return topic.response_measures(b.evidence)


def coverage_table(b: ReportContext) -> pd.DataFrame:
    """Per class: agents, results per response measure (``<measure> results``, measures.csv kind
    ``response``), post-CAR-T results, comparisons with another treatment, harms, eligibility rows,
    stated ranges."""
    ev = b.evidence
    results = ev.results  # class_id is derived by the loader (also for class-scoped rows)
    scopes = ev.eligibility["scope_id"]
    rows = []
    for _, cls in ev.classes.sort_values("display_order").iterrows():
        mine = results[results["class_id"] == cls["class_id"]]
        agents = ev.agents.loc[ev.agents["class_id"] == cls["class_id"], "agent_id"]
        rows.append({
            "class": cls["name"], "agents": len(agents),
            **{f"{m} results": int((mine["endpoint"] == m).sum()) for m in _responses(b)},
            "post_car_t_results": int(mine["post_car_t"].fillna(False).sum()),
            "comparisons": int(ev.comparisons["scope_id"].isin([cls["class_id"], *agents]).sum()),
            "harms": int((ev.harms["class_id"] == cls["class_id"]).sum()),
            "eligibility_rows": int(scopes.isin([cls["class_id"], *agents]).sum()),
            "stated_ranges": int((ev.reported_ranges["class_id"] == cls["class_id"]).sum()),
        })
    return pd.DataFrame(rows)


def coverage(b: ReportContext) -> h.Fragment:
    """The coverage table as a section."""
    counts = [(f"{m} results", f"{m} results") for m in _responses(b)]
    columns = [("Class", "class"), ("Agents", "agents"), *counts,
               ("Post-CAR-T results", "post_car_t_results"), ("Comparisons", "comparisons"),
               ("Harms", "harms"),
               ("Eligibility rows", "eligibility_rows"), ("Stated ranges", "stated_ranges")]
    return b.section("Coverage per class", h.table(coverage_table(b), columns, caption="Coverage"))


def claim_checks(b: ReportContext) -> h.Fragment:
    """Every stated range checked against the primary results, with the verdict and why."""
    from ..analysis.summaries import check_reported_ranges

    checked = check_reported_ranges(b.evidence)
    fmt = {"claim": lambda r: h.esc(f"{r['endpoint']} {percent_range(r['claim_low'], r['claim_high'])}")
           + b.refs.cite(r["source_id"]),
           "result_ids": lambda r: h.esc(r["result_ids"] or "none")}
    columns = [("Range", "range_id"), ("Claim", "claim"), ("Verdict", "verdict"),
               ("Explanation", "explanation"), ("Primary results used", "result_ids")]
    return b.section("Claim checks", h.table(checked, columns, caption="Stated ranges vs primary results",
                                             formatters=fmt))


def findings(b: ReportContext, stale_after_months: int, today: date | None) -> h.Fragment:
    """The audit findings (stale sources, gaps), one table per kind."""
    from ..analyst.audit import audit_evidence
    from ..analyst.auditreport import NOTHING_FOUND, column_header

    report = audit_evidence(b.evidence, stale_after_months=stale_after_months, today=today)
    parts = [h.para(h.text(f"{report.total} finding(s) on {report.today.isoformat()}."))]
    for kind, frame in report.findings.items():
        title = f"{report.titles[kind]}: {len(frame)}"
        columns = [(column_header(c), c) for c in frame.columns]
        body = h.table(frame.astype("string").fillna(""), columns, caption=report.titles[kind]) \
            if len(frame) else h.para(h.text(NOTHING_FOUND))
        parts += [h.heading(3, title), body]
    return b.section("Staleness and gaps", *parts)


def changes(b: ReportContext, since_release: bool = True) -> h.Fragment:
    """What changed since the latest release of the evidence (see :func:`..analyst.revisions.latest_release`).

    ``since_release=False`` leaves the comparison out (the notebook's default, so its stored outputs do
    not depend on which tags a clone has; the built report sets it).
    """
    from ..analyst.audit import compare_with_latest_release
    from ..analyst.diffreport import render_text

    if not since_release:
        return b.section("Changes since the latest release", h.para(h.text(
            "Not compared here: the built audit report compares the evidence with its latest release "
            "(run with since_release = True).")))
    release, diff = compare_with_latest_release(b.evidence)
    body = h.para(h.text("No earlier release to compare with: releases are the commits that "
                         "'lymphoma-evidence release' makes, tagged evidence-vX.Y.Z.")) if diff is None else \
        h.tag("pre", h.esc(render_text(diff)))
    return b.section(f"Changes since release {release}" if release else "Changes since the latest release",
                     body)
