"""Briefing sections that lead with direct evidence: key takeaways and the options after CAR-T failure.

Each option shows, in this order: its direct evidence (post-CAR-T cohorts: responses beside survival),
its side effects, then the indirect evidence under a heading saying it comes from people who had not had
CAR-T (or only partly, or not reported). CD19 CAR-T products are shown as the therapy that failed. Every
number comes from :func:`~lymphoma_evidence.analysis.headline.headline_numbers` and is worded by one
function, :func:`number_sentence`, so the takeaways and the sections quote the same words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.headline import headline_numbers, lead_number, relapse_numbers
from ..analysis.regulatory import agent_status, class_status
from ..formatting import approximately, natural_frequency, percent, percent_range
from ..stats import POOLED_BY
from . import html as h

if TYPE_CHECKING:
    from .briefing import Briefing

__all__ = ["MEASURE_WORDS", "number_sentence", "takeaways", "options"]

#: What each measure counts, in words ("<natural frequency> <words>").
MEASURE_WORDS = {
    "ORR": "responded to treatment (overall response)",
    "CR": "had a complete response",
    "pfs_rate_12m": "were alive without progression at 12 months",
    "os_rate_12m": "were alive at 12 months",
    "os_rate_6m": "were alive at 6 months",
    "non_relapse_mortality_rate_12m": "died of causes other than lymphoma within 12 months",
    "crs/grade_3_plus": "had severe cytokine release syndrome (grade 3 or higher)",
    "icans/grade_3_plus": "had severe neurotoxicity (ICANS, grade 3 or higher)",
    "infection/grade_3_plus": "had a severe infection (grade 3 or higher)",
    "crs/any": "had cytokine release syndrome (any grade)",
    "icans/any": "had neurotoxicity (ICANS, any grade)",
}
#: Side effects in words (harms.csv ``event``), combined with the grade: "had a severe infection ...".
EVENT_WORDS = {
    "crs": "cytokine release syndrome", "icans": "neurotoxicity (ICANS)", "infection": "an infection",
    "neutropenia": "neutropenia (low neutrophils)", "thrombocytopenia": "thrombocytopenia (low platelets)",
    "anaemia": "anaemia", "febrile_neutropenia": "febrile neutropenia",
    "peripheral_neuropathy": "peripheral neuropathy", "tumour_flare": "tumour flare",
}
GRADE_WORDS = {"any": "any grade", "grade_3_plus": "grade 3 or higher", "grade_5": "fatal, grade 5"}
_DEATHS = {"treatment_related_death": "died of the treatment", "non_relapse_mortality": "died of causes "
           "other than lymphoma (non-relapse mortality)"}


def _measure_words(measure: str) -> str | None:
    """What a measure counts, in words; None for a side effect without words (event "other")."""
    if measure in MEASURE_WORDS:
        return MEASURE_WORDS[measure]
    timed = re.fullmatch(r"(os|pfs|non_relapse_mortality)_rate_(\d+(?:\.\d+)?)m", measure)
    if timed:
        said = {"os": "were alive", "pfs": "were alive without progression",
                "non_relapse_mortality": "had died of causes other than lymphoma"}[timed.group(1)]
        return f"{said} at {timed.group(2)} months"
    if "/" in measure:
        event, grade = measure.split("/", 1)
        if event in _DEATHS:
            return _DEATHS[event]
        if event in EVENT_WORDS:
            return f"had {EVENT_WORDS[event]} ({GRADE_WORDS.get(grade, grade.replace('_', ' '))})"
        return None
    return measure.replace("_", " ")


_MEDIANS = {"median_os_months": "median overall survival", "median_pfs_months": "median time without "
            "progression", "median_duration_of_response_months": "median duration of response"}
_BENEFIT = ("ORR", "CR", "pfs_rate_12m", "os_rate_12m", "median_pfs_months", "median_os_months",
            "median_duration_of_response_months")
_INDIRECT_HEADING = {"partly": "From populations in which only some people had had CAR-T (partly indirect)",
                     "car_t_naive": "From people who had not had CAR-T (indirect evidence)",
                     "unknown": "From trials that did not report prior CAR-T (indirect evidence)"}


def _numbers(b: Briefing) -> pd.DataFrame:
    """The headline numbers of the report's evidence, computed once per report (cached on the context)."""
    cache = vars(b)
    if "_headline" not in cache:
        cache["_headline"] = headline_numbers(b.evidence)
    return cache["_headline"]


def number_sentence(row: pd.Series, detailed: bool = True) -> str:
    """One headline row in words, e.g. ``"about 5 in 10 responded to treatment (overall response):
    48% (95% CI 35–62%), people whose lymphoma came back after CAR T-cell therapy: ELM-1 (60 people)"``.
    Medians: ``"median overall survival 10.2 months, ..."``. Approximate counts are marked "~"."""
    measure = str(row["measure"])
    if measure in _MEDIANS:
        return f"{_MEDIANS[measure]} {row['value']:g} months, {row['population']}"
    words = _measure_words(measure) or measure.replace("_", " ").replace("/", ", ")
    shown = approximately(percent(row["rate"]), bool(row["approximate"]))
    if detailed and pd.notna(row["ci_low"]):
        shown += f" (95% CI {percent_range(row['ci_low'], row['ci_high'])})"
    pooled = f", pooled ({POOLED_BY})" if not bool(row["single_study"]) else ""
    return f"{natural_frequency(float(row['rate']))} {words}: {shown}{pooled}; {row['population']}"


def _option_classes(b: Briefing) -> pd.DataFrame:
    return b.classes()


def takeaways(b: Briefing) -> h.Fragment:
    """Key takeaways: the outlook, then per option its lead number (direct evidence first), the same
    sentence its section quotes."""
    numbers = _numbers(b)
    lines = []
    outlook = lead_number(numbers, "any", "median_os_months", strata=("post_car_t",))
    if outlook is not None:
        lines.append(h.Fragment(h.esc(f"Outlook after CAR-T failure: {number_sentence(outlook)}")
                                + b.refs.cite(*str(outlook["source_ids"]).split("; "))))
    status = class_status(b.evidence).set_index("class_id")["status"]
    for cls in _option_classes(b).to_dict("records"):
        if status.get(cls["class_id"]) == "context":
            continue
        row = next((r for m in ("ORR", "os_rate_12m", "pfs_rate_12m")
                    if (r := lead_number(numbers, cls["class_id"], m)) is not None), None)
        if row is None:
            continue
        label = "after CAR-T" if row["stratum"] == "post_car_t" else "indirect evidence only"
        lines.append(
            h.Fragment(f'<span class="takeaway" data-class="{h.esc(cls["class_id"])}">')
            + h.esc(f"{cls['name']} ({label}): {number_sentence(row, b.words.detailed)}")
            + h.Fragment("</span>") + b.refs.cite(*str(row["source_ids"]).split("; ")))
    direct = numbers[(numbers["measure"] == "ORR")]
    k_direct = int(direct.loc[direct["stratum"] == "post_car_t", "n_studies"].sum())
    intro = h.para(h.text(f"Response figures from people after CAR-T: {k_direct} of "
                          f"{int(direct['n_studies'].sum())} studies (trial populations, not result rows); "
                          "the rest are indirect and are labelled so wherever they appear."))
    return b.section("Key takeaways", intro, h.bullets(lines))


def _rows_list(b: Briefing, rows: pd.DataFrame) -> h.Fragment:
    items = [h.Fragment(f'<span class="number" data-class="{h.esc(r["class_id"])}" '
                        f'data-measure="{h.esc(r["measure"])}" data-stratum="{h.esc(r["stratum"])}">')
             + h.esc(number_sentence(r, b.words.detailed)) + h.Fragment("</span>")
             + b.refs.cite(*str(r["source_ids"]).split("; "))
             for _, r in rows.iterrows()]
    return h.bullets(items)


def _relapse_list(b: Briefing, rows: pd.DataFrame) -> h.Fragment:
    items = []
    for r in rows.to_dict("records"):
        if r["unit"] == "months":
            said = f"{_MEDIANS.get(r['measure'], r['measure'])} {r['value']:g} months"
        else:
            said = f"{MEASURE_WORDS.get(r['measure'], r['measure'])}: {percent(r['value'])}"
        people = f", {int(r['n'])} people" if pd.notna(r["n"]) else ""
        items.append(h.esc(f"Relapse {r['time_to_relapse']}: {said}{people}")
                     + b.refs.cite(str(r["source_id"])))
    return h.bullets(items)


def _order(rows: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    rank = {m: i for i, m in enumerate(measures)}
    return rows.assign(_r=rows["measure"].map(rank).fillna(len(rank))).sort_values("_r").drop(columns="_r")


def _no_direct(b: Briefing, class_id: str) -> str:
    """The one sentence shown for an option without direct evidence: what is missing, and whether it is a
    gap the curators listed (with their reason)."""
    from ..analysis.gaps import direct_gaps

    said = "No response or survival figures from people after CAR-T are in the evidence for this option"
    reason = direct_gaps(b.evidence).get(class_id)
    if reason:
        return f"{said}; this is a listed gap: {reason}."
    return f"{said}; it is not among the gaps listed in evidence/README.md."


def options(b: Briefing) -> h.Fragment:
    """Per option: status (from approvals), what it is, agents with their approvals, then direct
    evidence, side effects and indirect evidence; the therapy that failed is shown as such."""
    numbers = _numbers(b)
    relapse = relapse_numbers(b.evidence)
    status = class_status(b.evidence).set_index("class_id")
    agents = agent_status(b.evidence)
    blocks = []
    for cls in _option_classes(b).to_dict("records"):
        class_id = cls["class_id"]
        state = status.loc[class_id] if class_id in status.index else None
        mine = numbers[numbers["class_id"] == class_id]
        is_harm = mine["measure"].str.contains("/") | mine["measure"].str.startswith("non_relapse")
        benefit = mine[~is_harm]
        harms = mine[is_harm & mine["measure"].map(lambda m: _measure_words(m) is not None)]
        direct = _order(benefit[benefit["stratum"] == "post_car_t"], _BENEFIT)
        members = agents[agents["class_id"] == class_id]
        agent_items = [h.text(f"{a['name']}: {a['approvals']}") for a in members.to_dict("records")]
        body = [h.heading(3, cls["name"])]
        if state is not None:
            body.append(h.para(h.Fragment(f"<strong>Status:</strong> {h.esc(state['words'])}"),
                               cls=f"status status-{state['status']}"))
        body += [h.para(h.text(cls["mechanism"]))]
        if agent_items:
            body.append(h.bullets(agent_items))
        if state is not None and state["status"] == "context":
            body.append(h.para(h.text("This is the therapy that failed. Its trial results come from people "
                                      "who had not had CAR-T and are not evidence for giving it again.")))
        body.append(h.heading(4, "After CAR-T failure (direct evidence)"))
        body.append(_rows_list(b, direct) if len(direct) else h.para(h.text(_no_direct(b, class_id))))
        by_relapse = relapse[relapse["class_id"] == class_id]
        if len(by_relapse):
            body += [h.heading(4, "After CAR-T failure, by time to relapse"), _relapse_list(b, by_relapse)]
        body.append(h.heading(4, "Side effects"))
        body.append(_rows_list(b, harms) if len(harms) else h.para(h.text(
            "No side-effect figures for this option are in the evidence yet.")))
        for stratum, heading in _INDIRECT_HEADING.items():
            rows = _order(benefit[benefit["stratum"] == stratum], _BENEFIT)
            if len(rows):
                body += [h.heading(4, heading), _rows_list(b, rows)]
        blocks.append(h.Fragment("".join(str(x) for x in body)))
    intro = h.para(h.text("Each option leads with figures from people whose lymphoma came back after CAR-T; "
                          "figures from other populations follow under their own heading."))
    return b.section("Options after CAR-T failure", intro, *blocks)


def teaching(b: Briefing) -> h.Fragment:
    """For educators: learning objectives, teaching points quoting the same numbers as the sections, and
    where the slide-ready figures and the deck come from. Empty for other audiences."""
    if b.audience != "educator":
        return h.Fragment("")
    numbers = _numbers(b)
    objectives = [h.text("Say what the outlook is after CAR-T failure, and who the figures come from."),
                  h.text("Tell direct (post-CAR-T) evidence from indirect evidence on every slide."),
                  h.text("Weigh response against survival and side effects for each option."),
                  h.text("Explain why an option that fits the criteria may still be a poor choice.")]
    points = []
    outlook = lead_number(numbers, "any", "median_os_months", strata=("post_car_t",))
    if outlook is not None:
        points.append(h.Fragment(h.esc(f"The outlook is short: {number_sentence(outlook, False)}.")
                                 + b.refs.cite(*str(outlook["source_ids"]).split("; "))))
    orr = numbers[numbers["measure"] == "ORR"]
    direct = int(orr.loc[orr["stratum"] == "post_car_t", "n_studies"].sum())
    points.append(h.text(f"Only {direct} of {int(orr['n_studies'].sum())} response studies enrolled only "
                         "people after CAR-T; say so whenever a pivotal-trial rate is shown."))
    chemo = lead_number(numbers, "salvage_chemo", "pfs_rate_12m", strata=("post_car_t",))
    if chemo is not None:
        points.append(h.Fragment(h.esc("Fitting the criteria is not the same as working well: after CAR-T, "
                                       f"with chemotherapy {number_sentence(chemo, False)}.")
                                 + b.refs.cite(*str(chemo["source_ids"]).split("; "))))
    points.append(h.text("Offer clinical trials early: CD22-directed and dual-target CAR-T cells and "
                         "off-the-shelf CAR-T are available only in trials."))
    make = h.para(h.Fragment(
        "Slide-ready figures (PNG and editable SVG, alt text and sources in figures.md) come from "
        "<code>lymphoma-evidence figures --out figures</code>; the 20-minute teaching deck with speaker "
        "notes from <code>lymphoma-evidence slides --out deck.pptx</code> (options: <code>--title</code>, "
        "<code>--profile</code>, <code>--post-car-t-only</code>); built in the project folder they are "
        "<code>figures/figures.md</code> and <code>deck.pptx</code>."))
    return b.section("For teaching", h.heading(3, "Learning objectives"), h.bullets(objectives),
                     h.heading(3, "Teaching points"), h.bullets(points), h.heading(3, "Figures and slides"),
                     make)
