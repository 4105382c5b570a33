"""The words of the teaching deck: outlook, options at a glance, investigational options, trials and key
takeaways, each with a message title and speaker notes (teaching point and citations).

Every number comes from the headline numbers of the
:class:`~lymphoma_evidence.analysis.frames.AnalysisTables` it is given (computed once, by
:func:`lymphoma_evidence.analysis.tables.analysis_tables`) and is put in words by
:func:`lymphoma_evidence.formatting.natural_frequency`, so the deck says what the reports say. The slides
are plain text (:class:`TextSlide`, :class:`DeckContent`), written by :mod:`.slides`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..analysis.frames import ANY_CLASS, AnalysisTables, TopicWords, lead_number
from ..formatting import approximately, natural_frequency, percent
from .figureset import reader_citation

__all__ = ["DeckContent", "TextSlide", "deck_content"]

_OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
_MAX_TRIALS = 6


@dataclass
class TextSlide:
    """A slide of text: a message title, bullet lines (or table rows) and speaker notes."""

    title: str
    lines: list[str] = field(default_factory=list)
    notes: str = ""
    table: list[list[str]] | None = None


@dataclass
class DeckContent:
    """Everything the deck shows besides the figures, as plain text (see :func:`deck_content`)."""

    outlook: TextSlide
    options: TextSlide
    investigational: TextSlide
    trials: TextSlide
    takeaways: TextSlide
    citations: list[str] = field(default_factory=list)
    title: str = ""


class _Cites:
    """Collects the sources a slide quotes, in order, as full citations."""

    def __init__(self, sources: pd.DataFrame) -> None:
        self.by_id = {r["source_id"]: reader_citation(r) for r in sources.to_dict("records")}
        self.all: list[str] = []

    def notes(self, source_ids: list[str]) -> str:
        ids = [s.strip() for ids in source_ids for s in str(ids).split(";") if s.strip()]
        cited = [self.by_id.get(s, s) for s in dict.fromkeys(ids)]
        self.all += [c for c in cited if c not in self.all]
        return "\n".join(f"- {c}" for c in cited) or "- none"


def _rate_words(row: pd.Series) -> str:
    shown = approximately(percent(row["rate"]), bool(row["approximate"]))
    return f"{natural_frequency(float(row['rate']))} ({shown})"


def _option_classes(tables: AnalysisTables) -> pd.DataFrame:
    classes = tables.classes.sort_values("display_order")
    if "role" in classes.columns:
        classes = classes[classes["role"].astype("string").fillna("option") != "context"]
    return classes


def deck_content(tables: AnalysisTables) -> DeckContent:
    """The text slides of the deck, from the analysis ``tables`` (see the module docstring)."""
    numbers = tables.numbers
    cites = _Cites(tables.sources)
    content = DeckContent(outlook=_outlook(tables.words, numbers, cites),
                          options=_options(tables, numbers, cites),
                          investigational=_investigational(tables, numbers, cites),
                          trials=_trials(tables.trials), takeaways=_takeaways(tables, numbers, cites))
    content.citations = cites.all
    content.title = tables.words.texts.get("deck_title", "")
    return content


def _cap(words: str) -> str:
    return words[:1].upper() + words[1:]


def _note(words: TopicWords, text_id: str, default: str = "") -> str:
    """A slide's teaching point (texts.csv), after "Teaching point: "."""
    return words.texts.get(text_id, default)


def _outlook(words: TopicWords, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    found = [(m, lead_number(numbers, ANY_CLASS, m, strata=("post_car_t",))) for m in words.outlook_measures]
    rows = [(m, r) for m, r in found if r is not None]
    if not found or found[0][1] is None:
        return TextSlide("The outlook after CAR-T failure", ["No survival figures after CAR-T failure in the "
                         "evidence (a listed gap)."])
    median = rows[0][1]
    lines = [f"{_cap(words.sentences.get(rows[0][0], rows[0][0]))} after CAR-T failure: "
             f"{median['value']:g} months ({median['trials']})"]
    for measure, row in rows[1:]:
        if row["unit"] == "months":
            lines.append(f"{_cap(words.sentences.get(measure, measure))}: {row['value']:g} months")
        else:
            lines.append(f"{words.headings.get(measure, measure)} after CAR-T failure: {_rate_words(row)}")
    used = [r for _, r in rows]
    for class_id, measure, named, note in words.featured.get("deck_outlook", ()):
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            who = f"{note}; {row['trials']}" if note else str(row["trials"])
            lines.append(f"Some do well: {_rate_words(row)} {words.shorts.get(measure, '')} after {named} "
                         f"({who})".replace("  ", " "))
            used.append(row)
    source = words.sources.get("deck_outlook_note", "")
    notes = (f"Teaching point: {_note(words, 'deck_outlook_note')}\n\nWho the numbers come from: "
             + " | ".join(r["population"] for r in used) + "\n\nSources:\n"
             + cites.notes([r["source_ids"] for r in used] + ([source] if source else [])))
    title = f"After CAR-T failure, half of patients live less than about {median['value']:.0f} months"
    return TextSlide(title, lines, notes)


def _direct_words(words: TopicWords, numbers: pd.DataFrame, class_id: str) -> tuple[str, list[str]]:
    for measure in words.lead_measures:
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            said = words.shorts.get(measure) or words.sentences.get(measure, measure)
            return f"{natural_frequency(float(row['rate']))} {said}", [row["source_ids"]]
    return "none published", []


def _direct_population(words: TopicWords, numbers: pd.DataFrame, class_id: str) -> str:
    for measure in words.lead_measures:
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            return str(row["population"])
    return ""


def _options(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    status = tables.status.set_index("class_id")
    rows = [["Option", "Status", "Direct evidence after CAR-T"]]
    sources: list[str] = []
    with_direct = 0
    classes = _option_classes(tables)
    who = []
    for cls in classes.to_dict("records"):
        words, ids = _direct_words(tables.words, numbers, cls["class_id"])
        if ids:
            who.append(f"{cls['name']}: {_direct_population(tables.words, numbers, cls['class_id'])}")
        with_direct += bool(ids)
        sources += ids
        state = status.loc[cls["class_id"], "status"] if cls["class_id"] in status.index else ""
        rows.append([cls["name"], tables.words.status_labels.get(state, str(state)), words])
    title = (f"{len(classes)} kinds of treatment are used after CAR-T; {with_direct} have results from "
             "people after CAR-T")
    notes = (f"Teaching point: {_note(tables.words, 'deck_options_note')}"
             "\n\nWho the direct numbers come from: " + " | ".join(who) + "\n\nSources:\n"
             + cites.notes(sources))
    return TextSlide(title, notes=notes, table=rows)


def _investigational(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    status = tables.status
    ids = status.loc[status["status"] == "investigational", "class_id"].tolist()
    classes = tables.classes.set_index("class_id")
    lines, sources = [], []
    for class_id in ids:
        agents = tables.agents.loc[tables.agents["class_id"] == class_id, "name"].tolist()
        row = lead_number(numbers, class_id, tables.words.response_measure)
        detail = ""
        if row is not None:
            studies = "study" if row["n_studies"] == 1 else "studies"
            detail = (f"; early results: {row['n_patients']:.0f} people in {int(row['n_studies'])} small "
                      f"{studies}, {row['population'].split(':')[0]}")
            sources.append(row["source_ids"])
        lines.append(f"{classes.loc[class_id, 'name']} ({', '.join(agents) or 'no agent listed'}){detail}")
    names = " and ".join(classes.loc[i, "name"] for i in ids[:2]) if ids else "No option"
    title = f"{names} {'are' if len(ids) > 1 else 'is'} available only in clinical trials"
    notes = (f"Teaching point: {_note(tables.words, 'deck_investigational_note')}\n\nSources:\n"
             + cites.notes(sources))
    return TextSlide(title, lines or ["No investigational option in the evidence."], notes)


def _trials(trials: pd.DataFrame) -> TextSlide:
    date_column = "status_date" if "status_date" in trials.columns else "status_verified"
    status = trials["status"].astype(str).str.upper()
    open_trials = trials[status.isin(_OPEN_STATUSES)].head(_MAX_TRIALS)
    rows = [["Trial", "Phase", "Status (date of registry record)"]]
    for t in open_trials.to_dict("records"):
        when = pd.Timestamp(t[date_column]).date().isoformat() if pd.notna(t[date_column]) else "no date"
        rows.append([f"{t['nct_id']}: {t['title']}", str(t["phase"]),
                     f"{str(t['status']).replace('_', ' ').lower()} ({when})"])
    title = (f"{len(open_trials)} registered trials were open to people after CAR-T failure when their "
             "records were last updated")
    notes = ("Teaching point: trial enrolment is an option in its own right after CAR-T failure; status "
             "changes often, so check the registry before advising anyone. The date is that of the stored "
             "registry record, not a check of the trial today.")
    if len(open_trials) == 0:
        return TextSlide("No open trial is listed in the evidence", ["Search ClinicalTrials.gov for "
                         "current trials after CAR-T failure."], notes)
    return TextSlide(title, notes=notes, table=rows)


def _takeaways(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    lines, sources = [], []
    words = tables.words
    first = words.outlook_measures[:1]
    median = lead_number(numbers, ANY_CLASS, first[0], strata=("post_car_t",)) if first else None
    if median is not None:
        lines.append(f"After CAR-T failure, median survival is about {median['value']:.0f} months.")
        sources.append(median["source_ids"])
    responses = numbers[numbers["measure"] == words.response_measure]
    shown = tables.classes.sort_values("display_order", kind="mergesort")["class_id"]
    order = {c: i for i, c in enumerate(shown)}
    direct = responses[responses["stratum"] == "post_car_t"]
    # in the classes' display order, never in the order of their ids
    direct = direct.assign(_o=direct["class_id"].map(order)).sort_values("_o", kind="mergesort")
    lines.append(f"Response rates after CAR-T come from {int(direct['n_studies'].sum())} of "
                 f"{int(responses['n_studies'].sum())} studies; the rest are indirect evidence.")
    names = dict(zip(tables.classes["class_id"], tables.classes["name"], strict=True))
    for row in direct.to_dict("records"):
        lines.append(f"{names.get(row['class_id'], row['class_id'])} after CAR-T: "
                     f"{natural_frequency(row['rate'])} {words.shorts.get(words.response_measure, '')} "
                     f"({row['trials']}, "
                     f"{int(row['n_patients'])} people).")
        sources.append(row["source_ids"])
    for class_id, measure, named, _ in words.featured.get("deck_takeaways", ()):
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            lines.append(f"After {named} following CAR-T, {natural_frequency(row['rate'])} "
                         f"{words.sentences.get(measure, measure)} ({row['trials']}).")
            sources.append(row["source_ids"])
    notes = ("Teaching point: lead with the direct evidence, say who every number comes from, and offer "
             "trials early.\n\nSources:\n" + cites.notes(sources))
    return TextSlide("Key takeaways: few numbers come from people after CAR-T, and they are sobering",
                     lines, notes)
