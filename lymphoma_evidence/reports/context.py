"""The report context every notebook's sections share: evidence, audience, filters, wording, citations.

A notebook creates one context from its parameters (or a :class:`~.briefing.Briefing`, the context with
the briefing's sections) and passes it to the section functions of its report module. Each section is an
escaped HTML :class:`~lymphoma_evidence.reports.html.Fragment` with its own heading (h2), so every report
has one h1 (the title) and ordered headings. Citations are numbered in order of first use and resolve to
the references section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..analysis import topic
from ..analysis.citations import plain_citation
from ..analysis.summaries import check_class_ids
from ..data.evidence import Evidence
from ..formatting import NOT_REACHED
from ..vocabulary import DISCLAIMER
from . import html as h
from .wording import Wording

CTGOV = "https://clinicaltrials.gov/study/"


@dataclass
class Citations:
    """Numbers sources in order of first citation; renders markers and the reference list."""

    sources: pd.DataFrame
    order: list[str] = field(default_factory=list)

    def numbers(self, *source_ids: str) -> list[int]:
        """Sorted reference numbers of ``source_ids``, numbered on first citation; unknown ids skipped."""
        known = set(self.sources["source_id"])
        for source_id in dict.fromkeys(s for s in source_ids if s in known):
            if source_id not in self.order:
                self.order.append(source_id)
        return sorted({self.order.index(s) + 1 for s in source_ids if s in known})

    def cite(self, *source_ids: str) -> h.Fragment:
        """Superscript markers such as ``[1, 3]`` linking to the references; unknown ids are skipped."""
        numbers = self.numbers(*source_ids)
        links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in numbers)
        return h.Fragment(f"<sup>[{links}]</sup>" if numbers else "")

    def reference_list(self) -> h.Fragment:
        """The numbered reference list, with PubMed, DOI and ClinicalTrials.gov links."""
        by_id = self.sources.set_index("source_id")
        items = []
        for number, source_id in enumerate(self.order, start=1):
            row = by_id.loc[source_id]
            links = [h.link(f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/", f"PMID {row['pmid']}")
                     if pd.notna(row["pmid"]) else "",
                     h.link(f"https://doi.org/{row['doi']}", f"doi:{row['doi']}")
                     if pd.notna(row["doi"]) else "",
                     h.link(f"{CTGOV}{row['nct_id']}", row["nct_id"]) if pd.notna(row["nct_id"]) else "",
                     h.link(row["url"], "web page", printed=True)
                     if pd.isna(row["pmid"]) and pd.isna(row["doi"]) and pd.notna(row["url"]) else ""]
            shown = " · ".join(link for link in links if link)
            items.append(f'<li id="ref-{number}">{h.esc(plain_citation(row["citation"]))} {shown}</li>')
        return h.Fragment('<ol class="references">' + "".join(items) + "</ol>")


@dataclass
class ReportContext:
    """What every report shares: the evidence, one audience and one set of filters, the audience's wording,
    the citations, and the sections every report has (lead, references, disclaimer).

    The notebooks' report modules take a context and add their own sections; :class:`.briefing.Briefing`
    is the context with the briefing's sections.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    audience : str
        ``clinician``, ``educator`` or ``patient`` (words and statistical detail, never the numbers).
    endpoint : str
        The response measure the report leads with, a measure of kind response in measures.csv; empty:
        the topic's first in display order (:func:`~lymphoma_evidence.analysis.topic.default_endpoint`).
        The context holds the measure it resolved to.
    post_car_t_only : bool
        Show only results in which every patient had prior CAR T-cell therapy.
    class_ids : list of str or None
        Therapy classes to show; ``None`` or empty for all.
    """

    evidence: Evidence
    audience: str = "clinician"
    endpoint: str = ""
    post_car_t_only: bool = False
    class_ids: list[str] | None = None
    words: Wording = field(init=False)
    refs: Citations = field(init=False)

    def __post_init__(self) -> None:
        self.words = Wording(self.audience, topic.abbreviations(self.evidence))
        self.endpoint = topic.check_endpoint(self.evidence, self.endpoint)
        self.class_ids = check_class_ids(self.evidence, self.class_ids) if self.class_ids else None
        self.refs = Citations(self.evidence.sources)

    # -- shared pieces -----------------------------------------------------------------------------

    @property
    def post_car_t(self) -> bool | None:
        """The ``post_car_t`` filter for the summaries: True, or None for whole populations."""
        return True if self.post_car_t_only else None

    def classes(self) -> pd.DataFrame:
        """Therapy classes shown, in display order, with their ``status`` and its ``words`` derived from
        approvals.csv (:func:`~lymphoma_evidence.analysis.approvals.class_status`)."""
        from ..analysis.approvals import class_status

        classes = self.evidence.classes.merge(class_status(self.evidence), on="class_id", how="left")
        classes = classes.sort_values("display_order", kind="mergesort")
        if self.class_ids:
            classes = classes[classes["class_id"].isin(self.class_ids)]
        return classes

    def responses(self, endpoint: str | None = None) -> pd.DataFrame:
        """The response table (rates 0-1 with exact 95% CIs) for the report's filters."""
        from ..analysis.summaries import response_table

        return response_table(self.evidence, endpoint=endpoint or self.endpoint,
                              post_car_t=self.post_car_t, class_ids=self.class_ids)

    def summary(self, endpoint: str | None = None) -> pd.DataFrame:
        """The per-class summary (ranges and pooled estimates) for the report's filters."""
        from ..analysis.summaries import class_summary

        summary = class_summary(self.evidence, endpoint=endpoint or self.endpoint,
                                post_car_t=self.post_car_t)
        if self.class_ids:
            summary = summary[summary["class_id"].isin(self.class_ids)]
        return summary

    def section(self, title: str, *body: object, cls: str = "") -> h.Fragment:
        """A ``<section>`` with an h2 title and the given body (fragments; plain text is escaped)."""
        attrs = f' class="{h.esc(cls)}"' if cls else ""
        return h.Fragment(f"<section{attrs}>{h.heading(2, title)}{h.concat(body)}</section>")

    # -- sections every report has ------------------------------------------------------------------

    def lead(self, about: str = "") -> h.Fragment:
        """The opening paragraph: what the report covers (the title is in the page header).

        ``about`` replaces the topic's statement of scope (texts.csv ``report_scope``), e.g. for a class
        profile.
        """
        scope = about or topic.text(self.evidence, "report_scope")
        focus = " Only results from people who had CAR T-cell therapy before are shown." \
            if self.post_car_t_only else ""
        return h.Fragment(f'<p class="lead">{h.esc(scope)}{focus}</p>')

    def topic_text(self, text_id: str) -> h.Fragment:
        """A topic text (texts.csv) as escaped HTML: each ``{ABBR}`` expanded at first use (explained for
        patients), and a claim followed by its citation."""
        parts = re.split(r"\{([^{}]+)\}", topic.text(self.evidence, text_id))
        shown = "".join(str(self.words.term(part)) if i % 2 else h.esc(part) for i, part in enumerate(parts))
        source = topic.text_source(self.evidence, text_id)
        return h.Fragment(shown + (str(self.refs.cite(source)) if source else ""))

    def references(self) -> h.Fragment:
        """The numbered references cited so far in this report; nothing when none was cited (a page that
        quotes no source, such as the profile of a class without figures)."""
        if not self.refs.order:
            return h.Fragment("")
        return self.section("References", self.refs.reference_list())

    def disclaimer(self) -> h.Fragment:
        """The disclaimer section: educational, not medical advice."""
        return self.section("About this briefing", h.para(h.text(DISCLAIMER)), cls="disclaimer")


def status_line(status: str, words: str) -> h.Fragment:
    """``Status: <words>`` as a paragraph classed by the status (words from class_statuses.csv)."""
    return h.para(h.Fragment(f"<strong>Status:</strong> {h.esc(words)}"), cls=f"status status-{status}")


def figure(draw, *args: object, **kwargs: Any) -> h.Fragment:
    """``draw(*args, **kwargs)``, a :mod:`lymphoma_evidence.figures` function returning ``(figure, alt
    text)``, as an embedded PNG with alt text; drawn once per report build (``cached_figure_html``)."""
    from .display import cached_figure_html

    return h.Fragment(cached_figure_html(draw, *args, **kwargs)._repr_html_())


def describe_outcome(row: pd.Series, words: Wording, headings: dict[str, str]) -> str:
    """One outcomes.csv row in words, e.g. ``"Median overall survival: 5.2 months, n = 238"`` or
    ``"Alive at 12 months: 45%, n = 60"``; a median the source says was not reached is ``"Median overall
    survival: not reached"``; ``headings`` are the measures' headings
    (:func:`lymphoma_evidence.analysis.topic.measure_words`)."""
    code = topic.measure_code(str(row["measure"]), row["timepoint_months"])
    label = headings.get(code, code.replace("_", " "))
    ci = ""
    if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]) and not words.plain:
        ci = f" (95% CI {row['ci_low']:g}–{row['ci_high']:g})"
    n = f", n = {int(row['n'])}" if pd.notna(row["n"]) else ""
    reached = row.get("not_reached")
    if reached is not None and not pd.isna(reached) and bool(reached):
        return f"{label}: {NOT_REACHED}{n}"
    if str(row["measure"]).startswith("median_"):
        return f"{label}: {row['value']:g} months{ci}{n}"
    return f"{label}: {row['value']:g}%{ci}{n}"
