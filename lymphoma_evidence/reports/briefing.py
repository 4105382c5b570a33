"""The sections of the briefing reports, built from the evidence for one audience.

Notebooks stay thin: they create a :class:`Briefing` from their parameters and display its sections in
order. Each section is an escaped HTML :class:`~lymphoma_evidence.reports.html.Fragment` with its own heading
(h2), so every report has one h1 (the title) and ordered headings. Citations are numbered in order of first
use and resolve to the references section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..analysis.summaries import check_class_ids
from ..data.evidence import Evidence
from ..formatting import percent, percent_range
from ..vocabulary import CLASS_STATUS_WORDS, DISCLAIMER, check_endpoint
from . import html as h
from .wording import Wording

CTGOV = "https://clinicaltrials.gov/study/"


@dataclass
class Citations:
    """Numbers sources in order of first citation; renders markers and the reference list."""

    sources: pd.DataFrame
    order: list[str] = field(default_factory=list)

    def cite(self, *source_ids: str) -> h.Fragment:
        """Superscript markers such as ``[1, 3]`` linking to the references; unknown ids are skipped."""
        known = set(self.sources["source_id"])
        numbers = []
        for source_id in dict.fromkeys(s for s in source_ids if s in known):
            if source_id not in self.order:
                self.order.append(source_id)
            numbers.append(self.order.index(source_id) + 1)
        links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in sorted(numbers))
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
                     h.link(row["url"], "web page") if pd.isna(row["pmid"]) and pd.isna(row["doi"])
                     and pd.notna(row["url"]) else ""]
            shown = " · ".join(link for link in links if link)
            items.append(f'<li id="ref-{number}">{h.esc(row["citation"])} {shown}</li>')
        return h.Fragment('<ol class="references">' + "".join(items) + "</ol>")


@dataclass
class Briefing:
    """One report's sections, for one audience and one set of filters.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    audience : str
        ``clinician``, ``educator`` or ``patient`` (words and statistical detail, never the numbers).
    endpoint : str
        ``ORR`` or ``CR``: the response measure the report leads with.
    post_car_t_only : bool
        Show only results in which every patient had prior CAR T-cell therapy.
    class_ids : list of str or None
        Therapy classes to show; ``None`` or empty for all.
    """

    evidence: Evidence
    audience: str = "clinician"
    endpoint: str = "ORR"
    post_car_t_only: bool = False
    class_ids: list[str] | None = None
    words: Wording = field(init=False)
    refs: Citations = field(init=False)
    _headline: pd.DataFrame | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.words = Wording(self.audience)
        check_endpoint(self.endpoint)
        self.class_ids = check_class_ids(self.evidence, self.class_ids) if self.class_ids else None
        self.refs = Citations(self.evidence.sources)

    # -- shared pieces -----------------------------------------------------------------------------

    @property
    def post_car_t(self) -> bool | None:
        """The ``post_car_t`` filter for the summaries: True, or None for whole populations."""
        return True if self.post_car_t_only else None

    def classes(self) -> pd.DataFrame:
        """Therapy classes shown, in display order, with their ``status`` derived from approvals.csv."""
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

    def section(self, title: str, *body: str, cls: str = "") -> h.Fragment:
        """A ``<section>`` with an h2 title and the given (already escaped) body."""
        attrs = f' class="{h.esc(cls)}"' if cls else ""
        return h.Fragment(f"<section{attrs}>{h.heading(2, title)}{''.join(str(b) for b in body)}</section>")

    # -- sections ----------------------------------------------------------------------------------

    def lead(self, about: str = "") -> h.Fragment:
        """The opening paragraph: what the report covers (the title is in the page header).

        ``about`` replaces the default statement of scope, e.g. for a class profile.
        """
        scope = about or ("Treatment options for patients whose lymphoma came back or did not respond "
                          "after CAR T-cell therapy.")
        focus = " Only results from people who had CAR T-cell therapy before are shown." \
            if self.post_car_t_only else ""
        return h.Fragment(f'<p class="lead">{h.esc(scope)}{focus}</p>')

    def takeaways(self) -> h.Fragment:
        """Key takeaways from the headline numbers: direct evidence first, each number the one its option
        section quotes (:func:`lymphoma_evidence.reports.direct_sections.takeaways`)."""
        from .direct_sections import takeaways

        return takeaways(self)

    def teaching(self) -> h.Fragment:
        """Educators only: learning objectives, teaching points and where the figures and deck come from
        (:func:`lymphoma_evidence.reports.direct_sections.teaching`)."""
        from .direct_sections import teaching

        return teaching(self)

    def outlook(self) -> h.Fragment:
        """The outlook after CAR-T failure, from outcomes of all patients (scope ``any``)."""
        out = self.evidence.outcomes
        rows = out[(out["scope_id"] == "any")]
        items = [h.Fragment(f"{h.esc(describe_outcome(r, self.words))} — {h.esc(r['population'])}"
                            f"{self.refs.cite(r['source_id'])}") for _, r in rows.iterrows()]
        intro = h.para(h.Fragment(
            f"When lymphoma returns after {self.words.term('CAR-T')}, survival is often short, which is "
            "why the choice of the next treatment, and early referral to a centre with trials, matters."))
        return self.section("The outlook after CAR T-cell therapy fails", intro, h.bullets(items))

    def options(self) -> h.Fragment:
        """Options after CAR-T failure: direct evidence, side effects, then indirect evidence per class
        (:func:`lymphoma_evidence.reports.direct_sections.options`)."""
        from .direct_sections import options

        return options(self)

    def _summary_sentence(self, row: pd.Series) -> h.Fragment:
        span = percent_range(row["rate_min"], row["rate_max"])
        study = "study" if row["n_studies"] == 1 else "studies"
        cites = self.refs.cite(*self._sources_for(row["result_ids"]))
        text = f"{self.endpoint} {span} across {row['n_studies']} {study} ({row['total_patients']} patients)"
        if not row["single_study"]:
            pooled = self.words.rate(row["pooled_rate"], row["pooled_ci_low"], row["pooled_ci_high"])
            text += f"; pooled {pooled}"
            if self.words.detailed:
                text += (f", prediction interval {percent_range(row['pi_low'], row['pi_high'])}, "
                         f"I² {percent(row['i_squared'])}")
        return h.Fragment(h.esc(text) + cites)

    def _sources_for(self, result_ids: str) -> list[str]:
        ids = [r.strip() for r in str(result_ids).split(";") if r.strip()]
        results = self.evidence.results.set_index("result_id")
        return [results.loc[r, "source_id"] for r in ids if r in results.index]

    def response_table(self, endpoint: str | None = None) -> h.Fragment:
        """Every result for an endpoint (default: the report's), with n, rate and, except for patients,
        the 95% CI."""
        endpoint = endpoint or self.endpoint
        table = self.responses(endpoint)
        columns = [("Class", "class_name"), ("Regimen", "regimen"), ("Trial", "trial"),
                   ("Population", "population"), ("n", "n"), (endpoint, "rate")]
        fmt = {"rate": lambda r: h.esc(self.words.rate(r["rate"], r["ci_low"], r["ci_high"])),
               "trial": lambda r: h.esc(r["trial"]) + self.refs.cite(r["source_id"]),
               "n": lambda r: h.esc(int(r["n"]))}
        notes = ["Rates are computed from the published counts; intervals are exact (Clopper-Pearson).",
                 "Post-CAR-T rows count only patients who had CAR T-cell therapy before."]
        return h.table(table, columns, caption=f"{endpoint} by trial", formatters=fmt, notes=notes)

    def forest(self) -> h.Fragment:
        """The forest plot of the report's endpoint by stratum of directness (direct first, indirect grey),
        then the table behind it."""
        from ..analysis.strata import STRATA, pool_within_strata, response_studies
        from ..figures.directness import directness_forest_plot

        studies = response_studies(self.evidence, self.endpoint)
        if self.class_ids:
            studies = studies[studies["class_id"].isin(self.class_ids)]
        strata = ("post_car_t",) if self.post_car_t_only else STRATA
        studies = studies[studies["stratum"].isin(strata)]
        if studies.empty:
            return self.section("Response rates by trial", h.para(h.text(
                f"No {self.endpoint} results in the evidence for this selection; response figures after "
                "CAR-T that were looked for and not found are listed as gaps in evidence/README.md.")))
        names = dict(zip(self.evidence.classes["class_id"], self.evidence.classes["name"], strict=True))
        direct = int((studies["stratum"] == "post_car_t").sum())
        title = (f"{direct} of {len(studies)} {self.endpoint} results come from people after CAR-T")
        intro = h.para(h.text(
            "Each line is one trial population with its 95% interval; a diamond pools a class within one "
            "stratum only. Rows from people who had not had CAR-T, or whose prior CAR-T was not reported, "
            "are grey and sit under their own heading."))
        chart = directness_forest_plot(studies, pool_within_strata(studies), endpoint=self.endpoint,
                                       title=title, class_names=names, strata=strata)
        return self.section("Response rates by trial", intro, figure(chart), self.response_table())

    def ranges_chart(self) -> h.Fragment:
        """The stated ranges beside the primary trials, as a figure (clinicians only: the check of reviews
        against trials is analyst material, not teaching or patient material)."""
        from ..figures.charts import ranges_figure

        if self.audience != "clinician":
            return h.Fragment("")
        return figure(ranges_figure(self.evidence))

    def ranges(self) -> h.Fragment:
        """Ranges stated by secondary sources, checked against the primary results (clinicians only)."""
        from ..analysis.summaries import check_reported_ranges

        if self.audience != "clinician":
            return h.Fragment("")
        checked = check_reported_ranges(self.evidence)
        if self.class_ids:
            checked = checked[checked["class_id"].isin(self.class_ids)]
        names = self.evidence.classes.set_index("class_id")["name"]
        fmt = {
            "class_id": lambda r: h.esc(names.get(r["class_id"], r["class_id"])),
            "claim": lambda r: h.esc(f"{r['endpoint']} {percent_range(r['claim_low'], r['claim_high'])}")
            + self.refs.cite(r["source_id"]),
            "primary": lambda r: h.esc(percent_range(r["primary_low"], r["primary_high"])
                                       if r["n_studies"] else "none"),
        }
        columns = [("Class", "class_id"), ("Stated range", "claim"), ("Primary trials", "primary"),
                   ("Verdict", "verdict"), ("Explanation", "explanation")]
        intro = h.para(h.text("Reviews and articles quote response ranges; here each is set beside the "
                              "range of the primary trials it summarises."))
        return self.section("Reported ranges and the primary data", intro,
                             h.table(checked, columns, caption="Stated ranges vs primary trials",
                                     formatters=fmt))

    def eligibility(self) -> h.Fragment:
        """Who each option is for, from labels, guidelines and trial criteria."""
        elig = self.evidence.eligibility.merge(
            _scope_names(self.evidence), on="scope_id", how="left")
        if self.class_ids:
            elig = elig[elig["class_id"].isin(self.class_ids)]
        elig = elig.sort_values(["display_order", "scope_type"], kind="stable")
        fmt = {"plain_words": lambda r: h.esc(r["plain_words"]) + self.refs.cite(r["source_id"]),
               "min_prior_lines": lambda r: h.esc("" if pd.isna(r["min_prior_lines"])
                                                  else int(r["min_prior_lines"])),
               "requires_donor": lambda r: "yes" if r["requires_donor"] else "no"}
        columns = [("Option", "name"), ("Prior lines (at least)", "min_prior_lines"),
                   ("Transplant fitness", "transplant"), ("Donor needed", "requires_donor"),
                   ("Prior CAR-T", "prior_car_t"), ("Basis", "basis"), ("In plain words", "plain_words")]
        return self.section("Who each option is for", h.table(elig, columns, caption="Eligibility",
                                                               formatters=fmt))

    def investigational(self) -> h.Fragment:
        """Investigational classes (status derived from the approvals) and their agents."""
        from ..analysis.regulatory import agent_status, class_status

        status = class_status(self.evidence)
        ids = set(status.loc[status["status"] == "investigational", "class_id"])
        classes = self.classes()
        classes = classes[classes["class_id"].isin(ids)]
        agents = agent_status(self.evidence)
        agents = agents[agents["class_id"].isin(classes["class_id"])]
        targets = self.evidence.agents.set_index("agent_id")["target"]
        items = [h.Fragment(f"<strong>{h.esc(a['name'])}</strong>"
                            + (f" ({h.esc(targets.get(a['agent_id']))})"
                               if isinstance(targets.get(a["agent_id"]), str) else "")
                            + f": {h.esc(a['approvals'])}") for _, a in agents.iterrows()]
        intro = h.para(h.text("These treatments are available only in clinical trials. Early-phase "
                              "results come from small groups of patients and may change."))
        body = h.bullets(items) if items else h.para(h.text("No investigational option in the evidence "
                                                            "for this selection."))
        return self.section("What is investigational", intro, body)

    def trials(self) -> h.Fragment:
        """Registered trials to ask about, with status, the date of the stored registry record, and a
        registry link."""
        trials = self.evidence.trials
        if self.class_ids:
            trials = trials[trials["class_id"].isin(self.class_ids)]
        fmt = {"nct_id": lambda r: h.link(f"{CTGOV}{r['nct_id']}", r["nct_id"]),
               "status": lambda r: h.esc(f"{str(r['status']).replace('_', ' ').lower()} "
                                         f"(registry record of {_record_date(r)})")}
        columns = [("Trial", "nct_id"), ("Title", "title"), ("Phase", "phase"), ("Status", "status"),
                   ("For", "population")]
        intro = h.para(h.text("Trial status changes often: check the registry link before an "
                              "appointment."))
        return self.section("Clinical trials to ask about", intro,
                             h.table(trials, columns, caption="Registered trials", formatters=fmt))

    def questions(self) -> h.Fragment:
        """Questions to take to the care team (patient and educator audiences only)."""
        if self.audience == "clinician":
            return h.Fragment("")
        qs = self.evidence.questions
        wanted = ("patient", "any") if self.audience == "patient" else ("patient", "clinician", "any")
        qs = qs[qs["audience"].isin(wanted)]
        items = [h.Fragment(h.esc(q["question"]) + self.refs.cite(q["source_id"])) for _, q in qs.iterrows()]
        return self.section("Questions to ask the care team", h.bullets(items))

    def references(self) -> h.Fragment:
        """The numbered references cited so far in this report."""
        return self.section("References", self.refs.reference_list())

    def disclaimer(self) -> h.Fragment:
        """The disclaimer section: educational, not medical advice."""
        return self.section("About this briefing", h.para(h.text(DISCLAIMER)), cls="disclaimer")


def status_line(status: str) -> h.Fragment:
    """``Status: approved by regulators for this use`` as a paragraph."""
    return h.para(h.Fragment(f"<strong>Status:</strong> {h.esc(CLASS_STATUS_WORDS.get(status, status))}"),
                  cls=f"status status-{status}")


def figure(fig_and_alt: tuple) -> h.Fragment:
    """A ``(figure, alt text)`` pair from :mod:`lymphoma_evidence.figures.charts` as an embedded PNG with alt
    text."""
    from .display import figure_html

    return h.Fragment(figure_html(*fig_and_alt)._repr_html_())


def _record_date(row: pd.Series) -> str:
    """The date of a trial's stored registry record (``status_date``; ``status_verified`` in older
    evidence), as YYYY-MM-DD."""
    value = row.get("status_date", row.get("status_verified"))
    return "no date" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _agent_label(agent: pd.Series) -> str:
    brands = f" ({agent['brand_names']})" if pd.notna(agent["brand_names"]) else ""
    return f"{agent['name']}{brands}"


def _scope_names(evidence: Evidence) -> pd.DataFrame:
    classes = evidence.classes[["class_id", "name", "display_order"]]
    agents = evidence.agents[["agent_id", "name", "class_id"]].merge(
        classes[["class_id", "display_order"]], on="class_id", how="left")
    return pd.concat([
        agents.rename(columns={"agent_id": "scope_id"}).assign(scope_type="agent"),
        classes.assign(scope_id=classes["class_id"], scope_type="class"),
    ], ignore_index=True)[["scope_id", "name", "class_id", "display_order", "scope_type"]]


OUTCOME_WORDS = {
    "median_os_months": ("median overall survival", "months"),
    "median_pfs_months": ("median progression-free survival", "months"),
    "median_duration_of_response_months": ("median duration of response", "months"),
    "os_rate": ("overall survival", "%"),
    "pfs_rate": ("progression-free survival", "%"),
    "non_relapse_mortality_rate": ("non-relapse mortality", "%"),
}


def describe_outcome(row: pd.Series, words: Wording) -> str:
    """One outcome row in words, e.g. ``"Median overall survival: 5.2 months, n = 238"``."""
    label, unit = OUTCOME_WORDS[row["measure"]]
    ci = ""
    if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]) and not words.plain:
        ci = f" (95% CI {row['ci_low']:g}–{row['ci_high']:g})"
    n = f", n = {int(row['n'])}" if pd.notna(row["n"]) else ""
    if unit == "months":
        return f"{label[0].upper()}{label[1:]}: {row['value']:g} months{ci}{n}"
    at = f" at {row['timepoint_months']:g} months" if pd.notna(row["timepoint_months"]) else ""
    return f"{label[0].upper()}{label[1:]}{at}: {row['value']:g}%{ci}{n}"
