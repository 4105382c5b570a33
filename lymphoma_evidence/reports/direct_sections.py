"""Briefing sections that lead with direct evidence: key takeaways and the options after CAR-T failure.

Each option shows, in this order: its direct evidence (post-CAR-T cohorts: responses beside survival,
then its medians not reached and its comparisons with another treatment, with their caveats),
its side effects, then the indirect evidence under a heading saying it comes from people who had not had
CAR-T (or only partly, or not reported). Classes of role ``context`` are shown as the therapy that
failed. Every number comes from :func:`~lymphoma_evidence.analysis.headline.headline_numbers` and is
worded by one function, :func:`number_sentence`, with the measures' words of measures.csv, so the
takeaways and the sections quote the same words.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import topic
from ..analysis.approvals import agent_status, class_status
from ..analysis.frames import ANY_CLASS, STRATA
from ..analysis.headline import headline_numbers, lead_number, relapse_numbers
from ..analysis.strata import count_trials
from ..formatting import approximately, natural_frequency, percent, percent_range
from ..stats import POOLED_BY
from . import html as h
from .context import ReportContext, status_line
from .estimate_sections import direct_items

__all__ = ["number_sentence", "takeaways", "options", "side_effects"]


def _measure_words(b: ReportContext, measure: str) -> str | None:
    """What a measure counts, in words (measures.csv ``sentence``); None for a measure without words (a
    side effect of event "other", named in its population)."""
    return topic.measure_words(b.evidence, "sentence").get(measure)


def _is_harm(b: ReportContext, measures: pd.Series) -> pd.Series:
    """Whether each measure is shown with side effects (measures.csv kind ``harm``; an event/grade
    measure without a row too)."""
    kinds = topic.measure_kinds(b.evidence)
    return measures.map(lambda m: kinds.get(m) == "harm" or (m not in kinds and "/" in m)).astype(bool)


def _outlook(b: ReportContext, numbers: pd.DataFrame) -> pd.Series | None:
    """The number that says the outlook after the therapy failed: the first outlook measure
    (measures.csv ``outlook_order``), for all patients together, direct evidence only."""
    leads = topic.outlook_measures(b.evidence)[:1]
    return next((row for m in leads
                 if (row := lead_number(numbers, ANY_CLASS, m, strata=("post_car_t",))) is not None), None)


def _words(b: ReportContext) -> dict[str, str]:
    return topic.measure_words(b.evidence, "sentence")


def _benefit_order(b: ReportContext) -> tuple[str, ...]:
    kinds = topic.measure_kinds(b.evidence)
    return tuple(m for m in topic.measure_order(b.evidence) if kinds.get(m) != "harm")


_INDIRECT_HEADING = {"partly": "From populations in which only some people had had CAR-T (partly indirect)",
                     "car_t_naive": "From people who had not had CAR-T (indirect evidence)",
                     "unknown": "From trials that did not report prior CAR-T (indirect evidence)"}


def _numbers(b: ReportContext) -> pd.DataFrame:
    """The headline numbers of the report's evidence, computed once per report (cached on the context)."""
    cache = vars(b)
    if "_headline" not in cache:
        cache["_headline"] = headline_numbers(b.evidence)
    return cache["_headline"]


def number_sentence(row: pd.Series, words: dict[str, str], detailed: bool = True) -> str:
    """One headline row in words (``words``: the measures' ``sentence`` words of measures.csv), e.g.
    ``"about 5 in 10 responded to treatment (overall response): 48% (95% CI 35–62%), people whose ...
    came back after CAR T-cell therapy: <trial> (60 people)"``. Medians: ``"median overall survival 10.2
    months, ..."``. Approximate counts are marked "~"."""
    measure = str(row["measure"])
    said = words.get(measure) or measure.replace("_", " ").replace("/", ", ")
    if row["unit"] == "months":
        return f"{said} {row['value']:g} months, {row['population']}"
    shown = approximately(percent(row["rate"]), bool(row["approximate"]))
    if detailed and pd.notna(row["ci_low"]):
        shown += f" (95% CI {percent_range(row['ci_low'], row['ci_high'])})"
    pooled = f", pooled ({POOLED_BY})" if not bool(row["single_study"]) else ""
    return f"{natural_frequency(float(row['rate']))} {said}: {shown}{pooled}; {row['population']}"


def _option_classes(b: ReportContext) -> pd.DataFrame:
    return b.classes()


def takeaways(b: ReportContext) -> h.Fragment:
    """Key takeaways: the outlook, then per option its lead number (direct evidence first), the same
    sentence its section quotes."""
    numbers = _numbers(b)
    lines = []
    outlook = _outlook(b, numbers)
    if outlook is not None:
        lines.append(h.Fragment(h.esc(f"Outlook after CAR-T failure: {number_sentence(outlook, _words(b))}")
                                + b.refs.cite(*str(outlook["source_ids"]).split("; "))))
    status = class_status(b.evidence).set_index("class_id")["status"]
    for cls in _option_classes(b).to_dict("records"):
        if status.get(cls["class_id"]) == "context":
            continue
        row = next((r for m in topic.lead_measures(b.evidence)
                    if (r := lead_number(numbers, cls["class_id"], m)) is not None), None)
        if row is None:
            continue
        label = "after CAR-T" if row["stratum"] == "post_car_t" else "indirect evidence only"
        lines.append(
            h.Fragment(f'<span class="takeaway" data-class="{h.esc(cls["class_id"])}">')
            + h.esc(f"{cls['name']} ({label}): {number_sentence(row, _words(b), b.words.detailed)}")
            + h.Fragment("</span>") + b.refs.cite(*str(row["source_ids"]).split("; ")))
    direct = numbers[(numbers["measure"] == topic.response_measure(b.evidence))]
    k_direct = int(direct.loc[direct["stratum"] == "post_car_t", "n_studies"].sum())
    intro = h.para(h.text(f"Response figures from people after CAR-T: {k_direct} of "
                          f"{int(direct['n_studies'].sum())} studies (trial populations, not result rows); "
                          "the rest are indirect and are labelled so wherever they appear."))
    return b.section("Key takeaways", intro, h.bullets(lines))


def _rows_list(b: ReportContext, rows: pd.DataFrame, more: list[h.Fragment] | None = None) -> h.Fragment:
    """The headline rows as a list of sentences, each cited, then ``more`` items (already worded)."""
    items = [h.Fragment(f'<span class="number" data-class="{h.esc(r["class_id"])}" '
                        f'data-measure="{h.esc(r["measure"])}" data-stratum="{h.esc(r["stratum"])}">')
             + h.esc(number_sentence(r, _words(b), b.words.detailed)) + h.Fragment("</span>")
             + b.refs.cite(*str(r["source_ids"]).split("; "))
             for _, r in rows.iterrows()]
    return h.bullets([*items, *(more or [])])


def _relapse_list(b: ReportContext, rows: pd.DataFrame) -> h.Fragment:
    items = []
    words = _words(b)
    for r in rows.to_dict("records"):
        if r["unit"] == "months":
            said = f"{words.get(r['measure'], r['measure'])} {r['value']:g} months"
        else:
            said = f"{words.get(r['measure'], r['measure'])}: {percent(r['value'])}"
        people = f", {int(r['n'])} people" if pd.notna(r["n"]) else ""
        items.append(h.esc(f"Relapse {r['time_to_relapse']}: {said}{people}")
                     + b.refs.cite(str(r["source_id"])))
    return h.bullets(items)


def _order(rows: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    rank = {m: i for i, m in enumerate(measures)}
    return rows.assign(_r=rows["measure"].map(rank).fillna(len(rank))).sort_values("_r").drop(columns="_r")


def _no_direct(b: ReportContext, class_id: str) -> str:
    """The one sentence shown for an option without direct evidence: what is missing, and whether it is a
    gap the curators listed (with its note for readers, known_gaps.csv ``reader_note``)."""
    said = "No response or survival figures from people after CAR-T are in the evidence for this option"
    note = topic.gap_notes(b.evidence, "no_direct_figure").get(class_id)
    if note:
        return f"{said}. Why: {_sentence_end(note)}"
    return f"{said}; it is not among the known gaps the evidence audit lists."


def _sentence_end(text: str) -> str:
    """``text`` ending with one full stop."""
    return text.rstrip().rstrip(".") + "."


def side_effects(b: ReportContext, class_id: str, why: bool = False) -> h.Fragment:
    """The side effects counted for a class (direct evidence first, then measures.csv display order, each
    saying who it comes from), or one sentence saying none are in the evidence; with ``why``, the gap's note
    for readers when it is a listed one (known_gaps.csv ``reader_note``, kind ``no_harm_figure``)."""
    numbers = _numbers(b)
    mine = numbers[numbers["class_id"] == class_id]
    worded = mine["measure"].map(lambda m: _measure_words(b, m) is not None)
    harms = mine[_is_harm(b, mine["measure"]) & worded]
    if len(harms):
        order = topic.measure_order(b.evidence)
        rank = harms["measure"].map(lambda m: order.index(m) if m in order else len(order))
        return _rows_list(b, harms.assign(_s=harms["stratum"].map(STRATA.index), _m=rank)
                          .sort_values(["_s", "_m"], kind="stable"))
    said = "No side-effect figures for this option are in the evidence yet."
    note = topic.gap_notes(b.evidence, "no_harm_figure").get(class_id) if why else None
    return h.para(h.text(f"{said} Why: {_sentence_end(note)}" if note else said))


def options(b: ReportContext) -> h.Fragment:
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
        is_harm = _is_harm(b, mine["measure"])
        benefit = mine[~is_harm]
        direct = _order(benefit[benefit["stratum"] == "post_car_t"], _benefit_order(b))
        members = agents[agents["class_id"] == class_id]
        agent_items = [h.text(f"{a['name']}: {a['approvals']}") for a in members.to_dict("records")]
        body = [h.heading(3, cls["name"])]
        if state is not None:
            body.append(status_line(state["status"], state["words"]))
        body += [h.para(h.text(cls["mechanism"]))]
        if agent_items:
            body.append(h.bullets(agent_items))
        if state is not None and state["status"] == "context":
            body.append(h.para(h.text("This is the therapy that failed. Its trial results come from people "
                                      "who had not had CAR-T and are not evidence for giving it again.")))
        body.append(h.heading(4, "After CAR-T failure (direct evidence)"))
        estimates = direct_items(b, class_id)  # medians not reached and comparisons with other treatment
        body.append(_rows_list(b, direct, estimates) if len(direct) or estimates
                    else h.para(h.text(_no_direct(b, class_id))))
        by_relapse = relapse[relapse["class_id"] == class_id]
        if len(by_relapse):
            body += [h.heading(4, "After CAR-T failure, by time to relapse"), _relapse_list(b, by_relapse)]
        body.append(h.heading(4, "Side effects"))
        body.append(side_effects(b, class_id))
        for stratum, heading in _INDIRECT_HEADING.items():
            rows = _order(benefit[benefit["stratum"] == stratum], _benefit_order(b))
            if len(rows):
                body += [h.heading(4, heading), _rows_list(b, rows)]
        blocks.append(h.Fragment("".join(str(x) for x in body)))
    direct_words = topic.stratum_words(b.evidence).get("post_car_t", "people after CAR-T")
    intro = h.para(h.text(f"Each option leads with figures from {direct_words}; "
                          "figures from other populations follow under their own heading."))
    return b.section("Options after CAR-T failure", intro, *blocks)


def teaching(b: ReportContext) -> h.Fragment:
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
    outlook = _outlook(b, numbers)
    if outlook is not None:
        points.append(h.Fragment(h.esc(f"The outlook is short: {number_sentence(outlook, _words(b), False)}.")
                                 + b.refs.cite(*str(outlook["source_ids"]).split("; "))))
    orr = numbers[numbers["measure"] == topic.response_measure(b.evidence)]
    direct = count_trials(orr[orr["stratum"] == "post_car_t"])  # a trial in two strata counts once
    points.append(h.text(f"Only {direct} of {count_trials(orr)} response studies enrolled only "
                         "people after CAR-T; say so whenever a pivotal-trial rate is shown."))
    for pick in topic.featured(b.evidence, "briefing_teaching"):
        row = lead_number(numbers, pick.class_id, pick.measure, strata=("post_car_t",))
        if row is not None:
            said = number_sentence(row, _words(b), False)
            points.append(h.Fragment(h.esc("Fitting the criteria is not the same as working well: after "
                                           f"CAR-T, with {pick.words} {said}.")
                                     + b.refs.cite(*str(row["source_ids"]).split("; "))))
    if topic.text(b.evidence, "trials_early"):
        points.append(b.topic_text("trials_early"))
    make = h.para(h.Fragment(
        "Slide-ready figures (PNG and editable SVG, alt text and sources in figures.md) come from "
        "<code>lymphoma-evidence figures --out figures</code>; the 20-minute teaching deck with speaker "
        "notes from <code>lymphoma-evidence slides --out deck.pptx</code> (options: <code>--title</code>, "
        "<code>--profile</code>, <code>--post-car-t-only</code>); built in the project folder they are "
        "<code>figures/figures.md</code> and <code>deck.pptx</code>."))
    return b.section("For teaching", h.heading(3, "Learning objectives"), h.bullets(objectives),
                     h.heading(3, "Teaching points"), h.bullets(points), h.heading(3, "Figures and slides"),
                     make)
