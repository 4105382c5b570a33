"""The sections of the briefing reports (``notebooks/briefing.ipynb``), for one audience.

Notebooks stay thin: they create a :class:`Briefing` from their parameters and display its sections in
order. A briefing is a :class:`~.context.ReportContext` (evidence, filters, wording, citations, the lead,
references and disclaimer) with the briefing's own sections, which the class profile and patient options
reports reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.evidence import Evidence
from ..formatting import day_in_words, percent, percent_range
from . import html as h
from .context import CTGOV, OUTCOME_WORDS, Citations, ReportContext, describe_outcome, figure, status_line

__all__ = ["Briefing", "Citations", "ReportContext", "OUTCOME_WORDS", "describe_outcome", "figure",
           "status_line"]


@dataclass
class Briefing(ReportContext):
    """A report context with the briefing's sections; parameters as for :class:`~.context.ReportContext`."""

    def takeaways(self) -> h.Fragment:
        """Key takeaways written from the data: one sentence per class with results."""
        from ..analysis.takeaways import class_takeaways

        summary = self.summary()
        lines = [h.text(line) for line in class_takeaways(summary, audience=self.audience)]
        intro = h.para(h.Fragment(f"Measure: {self.words.term(self.endpoint)}, "
                                  f"from {summary['n_studies'].sum()} studies."))
        return self.section("Key takeaways", intro, h.bullets(lines))

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
        """Options by class: mechanism, agents, and the response range with the pooled estimate."""
        summary = self.summary()
        agents = self.evidence.agents
        blocks = []
        for _, cls in self.classes().iterrows():
            members = agents[agents["class_id"] == cls["class_id"]]
            names = ", ".join(_agent_label(a) for _, a in members.iterrows())
            rows = summary[summary["class_id"] == cls["class_id"]]
            lines = [self._summary_sentence(r) for _, r in rows.iterrows()] or \
                [h.text("No response figures in the evidence for this filter.")]
            blocks.append(
                h.heading(3, cls["name"])
                + status_line(cls["status"]) + h.para(h.text(cls["mechanism"]))
                + h.para(h.text(f"Agents: {names}."))
                + h.bullets(lines))
        return self.section("Options by therapy class", *blocks)

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
        fmt = {"rate": lambda r: h.esc(("about " if r["approximate"] else "")
                                       + self.words.rate(r["rate"], r["ci_low"], r["ci_high"])),
               "trial": lambda r: h.esc(r["trial"]) + self.refs.cite(r["source_id"]),
               "n": lambda r: h.esc(int(r["n"]))}
        notes = ["Rates are computed from the published counts; intervals are exact (Clopper-Pearson).",
                 "Post-CAR-T rows count only patients who had CAR T-cell therapy before."]
        return h.table(table, columns, caption=f"{endpoint} by trial", formatters=fmt, notes=notes)

    def forest(self) -> h.Fragment:
        """The forest plot of the report's endpoint (classes filtered), then the table behind it."""
        from ..analysis.selections import forest_rows_for
        from ..figures.charts import forest_plot

        summary = self.summary()
        rows = forest_rows_for(self.evidence, summary, self.post_car_t)
        if self.class_ids:
            rows = rows[rows["class_id"].isin(self.class_ids)].reset_index(drop=True)
        if rows.empty:
            return self.section("Response rates by trial", h.para(h.text(
                f"No {self.words.term(self.endpoint)} results in the evidence for this selection.")))
        intro = h.para(h.text("Each line is one trial result with its 95% interval; the diamond is the "
                              "pooled estimate of a class. Trials differ in patients and follow-up, so "
                              "compare with care."))
        return self.section("Response rates by trial", intro, figure(forest_plot, rows, summary),
                             self.response_table())

    def ranges_chart(self) -> h.Fragment:
        """The stated ranges beside the primary trials, as a figure."""
        from ..figures.figureset import ranges_figure

        return figure(ranges_figure, self.evidence)

    def ranges(self) -> h.Fragment:
        """Ranges stated by secondary sources, checked against the primary results."""
        from ..analysis.summaries import check_reported_ranges

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
        """Investigational classes and their early-phase results, marked as such."""
        from ..analysis.approvals import agent_status

        classes = self.classes()
        classes = classes[classes["status"] == "investigational"]
        agents = self.evidence.agents[self.evidence.agents["class_id"].isin(classes["class_id"])]
        status = agent_status(self.evidence)
        items = [h.Fragment(f"<strong>{h.esc(a['name'])}</strong> ({h.esc(a['target'])}): "
                            f"{h.esc(status[a['agent_id']])}") for _, a in agents.iterrows()]
        intro = h.para(h.text("These treatments are available only in clinical trials. Early-phase "
                              "results come from small groups of patients and may change."))
        return self.section("What is investigational", intro, h.bullets(items))

    def trials(self) -> h.Fragment:
        """Registered trials to ask about: recruiting, with a registry record no older than
        :data:`~.trial_status.STATUS_MAX_AGE_MONTHS` months; the others are counted, not offered."""
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
