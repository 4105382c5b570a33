"""The clinician briefing's opening overview and its summary of findings after CAR-T failure.

The overview is one table on one screen: per option, its response and survival after CAR-T failure (with
the number of patients and studies), its serious side effects, its approval status and the certainty of
its evidence, each option linking to its rows in the summary of findings below it. Every cell is a row of
:func:`~lymphoma_evidence.analysis.sof.summary_of_findings` (numbers, outcome names and certainty from the
evidence and ``certainty.csv``) or of the class status derived from the approvals; nothing is typed here.
Which measures each column shows is the topic's choice (measures.csv ``overview``). A class none of whose
serious side effects (``overview`` harms) was counted shows the first other side effect counted for it
(measures.csv display order, direct evidence first), so the column never says "none" of a class whose side
effects are in the evidence.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import topic
from ..analysis.frames import STRATA
from ..analysis.headline import headline_numbers
from ..analysis.sof import summary_of_findings
from ..analysis.strata import STRATUM_LABELS
from ..analysis.topic import overview_measures, stratum_words
from ..formatting import approximately, percent
from . import html as h
from .context import ReportContext

__all__ = ["overview", "findings"]

#: The stratum of direct evidence (everyone had had CAR-T before).
DIRECT = STRATA[0]
_NONE = "none counted"
_OTHER = "Other side effect"


def _options(b: ReportContext) -> pd.DataFrame:
    """The options of the report (classes that are not the therapy that failed), in display order, with
    their status in words (derived from the approvals: ``ReportContext.classes``)."""
    classes = b.classes()
    return classes[classes["status"].astype("string").fillna("") != "context"].reset_index(drop=True)


def _sof(b: ReportContext) -> pd.DataFrame:
    """Summary-of-findings rows of every class, computed once per report (cached on the context)."""
    cache = vars(b)
    if "_sof_all" not in cache:
        cache["_sof_all"] = summary_of_findings(b.evidence)
    return cache["_sof_all"]


def _other_harm(b: ReportContext, class_id: str) -> pd.Series | None:
    """The first side effect counted for ``class_id`` that is not among the overview's own (direct
    evidence first, then measures.csv display order; measures without one last), or None."""
    cache = vars(b)
    if "_headline_all" not in cache:
        cache["_headline_all"] = headline_numbers(b.evidence)
    numbers = cache["_headline_all"]
    kinds, headings = topic.measure_kinds(b.evidence), topic.measure_words(b.evidence, "heading")
    rows = numbers[(numbers["class_id"] == class_id) & numbers["rate"].notna()
                   & numbers["measure"].map(lambda m: kinds.get(m) == "harm" and m in headings)]
    if rows.empty:
        return None
    order = topic.measure_order(b.evidence)
    rank = rows["measure"].map(lambda m: order.index(m) if m in order else len(order))
    first = rows.assign(_s=rows["stratum"].map(STRATA.index), _m=rank).sort_values(["_s", "_m"]).iloc[0]
    return pd.concat([first, pd.Series({"outcome": headings[first["measure"]]})])


def _cite(b: ReportContext, row: pd.Series) -> h.Fragment:
    return b.refs.cite(*[s for s in str(row["source_ids"]).split("; ") if s])


def _numbers_cell(b: ReportContext, rows: pd.DataFrame, measures: list[str]) -> h.Fragment:
    """The first of ``measures`` with a direct (post-CAR-T) number: estimate, outcome, patients, studies."""
    for measure in measures:
        hit = rows[(rows["measure"] == measure) & (rows["stratum"] == DIRECT)]
        if len(hit):
            row = hit.iloc[0]
            people = f"n = {row['patients']}" if str(row["patients"]).isdigit() else "n not reported"
            studies = f"{row['studies']} {'study' if str(row['studies']) == '1' else 'studies'}"
            return h.Fragment(f'{h.esc(row["estimate"])}<br><span class="le-muted">'
                              f"{h.esc(row['outcome'].lower())}; {h.esc(people)}, {h.esc(studies)}</span>"
                              ) + _cite(b, row)
    return h.text(_NONE)


def _harms_cell(b: ReportContext, class_id: str, rows: pd.DataFrame, measures: list[str]) -> h.Fragment:
    """Serious side effects (``measures``): direct numbers first; numbers from other populations say so.
    Without any, the first other side effect counted (:func:`_other_harm`), marked as another one."""
    harms = rows[rows["measure"].isin(measures)]
    if harms.empty:
        other = _other_harm(b, class_id)
        if other is None:
            return h.text(_NONE)
        who = "" if other["stratum"] == DIRECT else f" ({STRATUM_LABELS[other['stratum']]})"
        shown = approximately(percent(other["rate"]), bool(other["approximate"]))
        return h.Fragment(f'<span class="le-muted">{_OTHER}:</span> '
                          f"{h.esc(other['outcome'])}: {h.esc(shown)}{h.esc(who)}") + _cite(b, other)
    harms = harms.assign(_d=harms["stratum"] != DIRECT).sort_values("_d", kind="stable")
    parts = []
    for _, row in harms.iterrows():
        who = "" if row["stratum"] == DIRECT else f" ({STRATUM_LABELS[row['stratum']]})"
        parts.append(h.Fragment(f"{h.esc(row['outcome'])}: {h.esc(row['estimate'])}{h.esc(who)}")
                     + _cite(b, row))
    return h.Fragment("<br>").join(parts)


def _certainty_cell(rows: pd.DataFrame, measures: list[str]) -> h.Fragment:
    """The certainty of the first direct row of ``measures`` that is rated (else "not rated")."""
    direct = rows[(rows["stratum"] == DIRECT) & rows["measure"].isin(measures)]
    if direct.empty:
        return h.text("no direct evidence")
    rated = direct[direct["certainty"] != "not rated"]
    return h.text((rated if len(rated) else direct).iloc[0]["certainty"])


def overview(b: ReportContext) -> h.Fragment:
    """The one-screen overview (clinicians only): each option's response and survival after CAR-T failure
    with n, serious side effects, approval status and certainty; an option with direct evidence links to
    its rows in :func:`findings`."""
    if b.audience != "clinician":
        return h.Fragment("")
    sof = _sof(b)
    options = _options(b)
    cells = {cid: sof[sof["class_id"] == cid] for cid in options["class_id"]}
    shown = overview_measures(b.evidence)
    fmt = {
        "name": lambda r: h.Fragment(f'<a href="#sof-{h.esc(r["class_id"])}">{h.esc(r["name"])}</a>')
        if (cells[r["class_id"]]["stratum"] == DIRECT).any() else h.esc(r["name"]),
        "status": lambda r: h.esc(r["words"]),
        "response": lambda r: _numbers_cell(b, cells[r["class_id"]], shown["response"]),
        "survival": lambda r: _numbers_cell(b, cells[r["class_id"]], shown["survival"]),
        "harms": lambda r: _harms_cell(b, r["class_id"], cells[r["class_id"]], shown["harms"]),
        "certainty": lambda r: _certainty_cell(cells[r["class_id"]], shown["response"] + shown["survival"]),
    }
    columns = [("Option", "name"), ("Response after CAR-T", "response"), ("Survival after CAR-T", "survival"),
               ("Serious side effects", "harms"), ("Status", "status"), ("Certainty (GRADE)", "certainty")]
    who = stratum_words(b.evidence).get(DIRECT, "")
    shorts = topic.measure_words(b.evidence, "short")
    names = [shorts.get(m) or m for m in shown["harms"]]
    serious = (f"Serious side effects: {', '.join(names)}; for an option with none of these counted, the "
               "first other side effect counted is shown" if names else "Each option's first side effect "
               "counted is shown")
    notes = [f"Numbers are from {who}, unless marked; "
             "separate studies of selected patients, not a comparison between options.",
             f"{serious} ('{_OTHER.lower()}'). A cell saying '{_NONE}' means the evidence holds no figure "
             "with its count.",
             "Certainty (GRADE) is rated by an analyst; 'not rated' means no rating yet."]
    return b.section("Overview: the options after CAR-T failure", h.table(
        options, columns, caption="Each option at a glance", formatters=fmt, notes=notes))


def findings(b: ReportContext) -> h.Fragment:
    """Summary of findings after CAR-T failure for every option (direct evidence only), as on the class
    pages; each option's first row carries the anchor the overview links to."""
    if b.audience == "patient":
        return h.Fragment("")
    sof = _sof(b)
    options = _options(b)
    rows = sof[(sof["stratum"] == DIRECT) & sof["class_id"].isin(options["class_id"])]
    names = dict(zip(options["class_id"], options["name"], strict=True))
    order = {cid: i for i, cid in enumerate(options["class_id"])}
    rows = rows.assign(_o=rows["class_id"].map(order)).sort_values("_o", kind="stable")
    first = ~rows["class_id"].duplicated()
    fmt = {
        "class_id": lambda r: h.Fragment(f'<span id="sof-{h.esc(r["class_id"])}">'
                                         f'{h.esc(names[r["class_id"]])}</span>') if first[r.name] else "",
        "outcome": lambda r: h.esc(r["outcome"]) + _cite(b, r),
        "certainty": lambda r: h.esc(r["certainty"]) + (
            h.Fragment(f'<br><span class="certainty-reasons">{h.esc(r["certainty_reasons"])}</span>')
            if r["certainty_reasons"] else h.Fragment("")),
    }
    columns = [("Option", "class_id"), ("Outcome", "outcome"), ("Studies", "studies"),
               ("Patients", "patients"), ("Estimate (95% CI)", "estimate"), ("Certainty", "certainty")]
    return b.section("Summary of findings after CAR-T failure", h.table(
        rows, columns, caption=f"Summary of findings: {stratum_words(b.evidence).get(DIRECT, '')}",
        formatters=fmt, notes=["Direct evidence only; the class pages add the indirect evidence."]))
