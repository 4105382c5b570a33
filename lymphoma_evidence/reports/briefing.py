"""The sections of the briefing reports (``notebooks/briefing.ipynb``), for one audience.

Notebooks stay thin: they create a :class:`Briefing` from their parameters and display its sections in
order. A briefing is a :class:`~.context.ReportContext` (evidence, filters, wording, citations, the lead,
references and disclaimer) with the briefing's own sections, which the class profile and patient options
reports reuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..analysis import topic
from ..data.evidence import Evidence
from ..formatting import count_of, day_in_words, percent, percent_range, sentence_start
from ..stats import POOLED_BY
from . import direct_sections
from . import html as h
from .clinical_sections import after_outlook
from .context import CTGOV, Citations, ReportContext, describe_outcome, figure, status_line

__all__ = ["Briefing", "Citations", "ReportContext", "describe_outcome", "figure", "status_line"]


@dataclass
class Briefing(ReportContext):
    """A report context with the briefing's sections; parameters as for :class:`~.context.ReportContext`."""

    def takeaways(self) -> h.Fragment:
        """Key takeaways from the headline numbers: direct evidence first, each number the one its option
        section quotes (:func:`lymphoma_evidence.reports.direct_sections.takeaways`)."""
        return direct_sections.takeaways(self)

    def teaching(self) -> h.Fragment:
        """Educators only: learning objectives, teaching points and where the figures and deck come from
        (:func:`lymphoma_evidence.reports.direct_sections.teaching`)."""
        return direct_sections.teaching(self)

    def outlook(self) -> h.Fragment:
        """The outlook after CAR-T failure, from outcomes of all patients (scope ``any``)."""
        out = self.evidence.outcomes
        rows = out[(out["scope_id"] == "any")]
        headings = topic.measure_words(self.evidence, "heading")
        items = [h.Fragment(f"{h.esc(describe_outcome(r, self.words, headings))} — {h.esc(r['population'])}"
                            f"{self.refs.cite(r['source_id'])}") for _, r in rows.iterrows()]
        intro = h.para(self.topic_text("outlook_intro"))
        return self.section("The outlook after CAR T-cell therapy fails", intro, h.bullets(items)) + \
            after_outlook(self)

    def options(self) -> h.Fragment:
        """Options after CAR-T failure: direct evidence, side effects, then indirect evidence per class
        (:func:`lymphoma_evidence.reports.direct_sections.options`)."""
        return direct_sections.options(self)

    def _summary_sentence(self, row: pd.Series) -> h.Fragment:
        span = percent_range(row["rate_min"], row["rate_max"])
        study = "study" if row["n_studies"] == 1 else "studies"
        cites = self.refs.cite(*self._sources_for(row["result_ids"]))
        text = f"{self.endpoint} {span} across {row['n_studies']} {study} ({row['total_patients']} patients)"
        if not row["single_study"]:
            pooled = self.words.rate(row["pooled_rate"], row["pooled_ci_low"], row["pooled_ci_high"])
            text += f"; pooled ({POOLED_BY}) {pooled}"
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
        fmt = {"rate": lambda r: h.esc(("about " if r["approximate"] else "")
                                       + self.words.rate(r["rate"], r["ci_low"], r["ci_high"])),
               "trial": lambda r: h.esc(r["trial"]) + self.refs.cite(r["source_id"]),
               "n": lambda r: h.esc(int(r["n"]))}
        notes = ["Rates are computed from the published counts; intervals are exact (Clopper-Pearson).",
                 "Post-CAR-T rows count only patients who had CAR T-cell therapy before."]
        return h.table(table, columns, caption=f"{endpoint} by trial", formatters=fmt, notes=notes)

    def forest(self, endpoint: str | None = None) -> h.Fragment:
        """The forest plot of an endpoint (default: the report's) by stratum of directness (direct first,
        indirect grey), then the table behind it."""
        from ..analysis.strata import STRATA, pool_within_strata, response_studies
        from ..figures.directness import directness_forest_plot

        endpoint = endpoint or self.endpoint
        studies = response_studies(self.evidence, endpoint)
        if self.class_ids:
            studies = studies[studies["class_id"].isin(self.class_ids)]
        strata = ("post_car_t",) if self.post_car_t_only else STRATA
        studies = studies[studies["stratum"].isin(strata)]
        if studies.empty:
            return self.section("Response rates by trial", h.para(h.text(
                f"No {endpoint} results in the evidence for this selection; the evidence audit lists "
                "the response figures after CAR-T that were looked for and not found.")))
        names = dict(zip(self.evidence.classes["class_id"], self.evidence.classes["name"], strict=True))
        direct = int((studies["stratum"] == "post_car_t").sum())
        shown = sentence_start(count_of(direct, len(studies)))
        title = f"{shown} {endpoint} results come from people after CAR-T"
        intro = h.para(h.text(
            "Each line is one trial population with its 95% interval; a diamond pools a class within one "
            "stratum only. Rows from people who had not had CAR-T, or whose prior CAR-T was not reported, "
            "are grey and sit under their own heading."))
        chart = figure(directness_forest_plot, studies, pool_within_strata(studies), endpoint=endpoint,
                       title=title, class_names=names, strata=strata)
        return self.section("Response rates by trial", intro, chart, self.response_table(endpoint))

    def ranges_chart(self) -> h.Fragment:
        """The stated ranges beside the primary trials, as a figure (clinicians only: the check of reviews
        against trials is analyst material, not teaching or patient material)."""
        from .evidence_figures import ranges_figure

        if self.audience != "clinician":
            return h.Fragment("")
        return figure(ranges_figure, self.evidence)

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
               "requires_donor": lambda r: "yes" if r["requires_donor"] else "no",
               **{column: _in_words(column) for column in ("transplant", "prior_car_t", "basis")}}
        columns = [("Option", "name"), ("Prior lines (at least)", "min_prior_lines"),
                   ("Transplant fitness", "transplant"), ("Donor needed", "requires_donor"),
                   ("Prior CAR-T", "prior_car_t"), ("Basis", "basis"), ("In plain words", "plain_words")]
        return self.section("Who each option is for", h.table(
            elig, columns, caption="Eligibility", formatters=fmt,
            empty="No eligibility criteria for this option (from a label, a guideline or a trial) are in the "
                  "evidence."))

    def investigational(self) -> h.Fragment:
        """Investigational classes (status derived from the approvals): one line per class naming its agents
        (with their targets) and their approvals in words, said once when every agent shares them."""
        from ..analysis.approvals import agent_status, class_status

        status = class_status(self.evidence)
        ids = set(status.loc[status["status"] == "investigational", "class_id"])
        classes = self.classes()
        classes = classes[classes["class_id"].isin(ids)]
        agents = agent_status(self.evidence)
        targets = self.evidence.agents.set_index("agent_id")["target"]
        items = []
        for _, row in classes.iterrows():
            group = agents[agents["class_id"] == row["class_id"]]
            if group.empty:
                continue
            named = [h.esc(a["name"]) + (f" ({h.esc(targets.get(a['agent_id']))})"
                                         if isinstance(targets.get(a["agent_id"]), str) else "")
                     for _, a in group.iterrows()]
            shared = group["approvals"].nunique() == 1
            listed = ("; ".join(named) + f": {h.esc(group['approvals'].iloc[0])}" if shared else
                      "; ".join(f"{n}: {h.esc(a)}" for n, a in zip(named, group["approvals"], strict=True)))
            items.append(h.Fragment(f"<strong>{h.esc(row['name'])}</strong>: {listed}"))
        intro = h.para(h.text("These treatments are available only in clinical trials. Early-phase "
                              "results come from small groups of patients and may change."))
        body = h.bullets(items) if items else h.para(h.text("No investigational option in the evidence "
                                                            "for this selection."))
        return self.section("What is investigational", intro, body)

    def trials(self) -> h.Fragment:
        """Registered trials to ask about: recruiting, with a registry record from the last
        :data:`~.trial_status.STATUS_MAX_AGE_MONTHS` months by exact date (``trials_to_ask_about``, the one
        rule the tests count by); the others are counted, not offered."""
        from ..analysis.trial_status import STATUS_MAX_AGE_MONTHS, status_date_column, trials_to_ask_about

        trials = self.evidence.trials
        if self.class_ids:
            trials = trials[trials["class_id"].isin(self.class_ids)]
        offered = trials_to_ask_about(trials)
        column = status_date_column(trials)
        fmt = {"nct_id": lambda r: h.link(f"{CTGOV}{r['nct_id']}", r["nct_id"]),
               "status": lambda r: h.esc(f"{str(r['status']).replace('_', ' ').lower()} "
                                         f"(registry record of {day_in_words(r[column])})")}
        columns = [("Trial", "nct_id"), ("Title", "title"), ("Phase", "phase"), ("Status", "status"),
                   ("For", "population")]
        left_out = len(trials) - len(offered)
        note = (f" {left_out} other registered trial(s) are not listed: they are not recruiting, or their "
                f"registry record is more than {STATUS_MAX_AGE_MONTHS} months old." if left_out else "")
        intro = h.para(h.text("Trial status changes often: check the registry link before an "
                              f"appointment.{note}"))
        if trials.empty:
            return self.section("Clinical trials to ask about", h.para(h.text(
                "The evidence lists no registered trial under this option; each trial is listed with the "
                "option it tests.")))
        if offered.empty:
            return self.section("Clinical trials to ask about", intro, h.para(h.text(
                "No registered trial in the evidence is known to be recruiting now.")))
        return self.section("Clinical trials to ask about", intro,
                             h.table(offered, columns, caption="Registered trials", formatters=fmt))

    def questions(self) -> h.Fragment:
        """Questions to take to the care team (patient and educator audiences only)."""
        if self.audience == "clinician":
            return h.Fragment("")
        qs = self.evidence.questions
        wanted = ("patient", "any") if self.audience == "patient" else ("patient", "clinician", "any")
        qs = qs[qs["audience"].isin(wanted)]
        items = [h.Fragment(h.esc(q["question"]) + self.refs.cite(q["source_id"])) for _, q in qs.iterrows()]
        return self.section("Questions to ask the care team", h.bullets(items))


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


def _in_words(column: str) -> Callable[[pd.Series], str]:
    """A formatter that shows an eligibility code in words (``trial_criteria`` -> "trial criteria")."""
    return lambda r: h.esc("" if pd.isna(r[column]) else str(r[column]).replace("_", " "))
