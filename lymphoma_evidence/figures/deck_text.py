"""The words of the teaching deck: outlook, options at a glance, survival and side-effect charts, a case's
questions, investigational options, trials and key takeaways, each with a message title, the short labels
of its sources and speaker notes as a talk track (what to say, the caveat, the sources).

Every number comes from the headline numbers of the
:class:`~lymphoma_evidence.analysis.frames.AnalysisTables` it is given (computed once, by
:func:`lymphoma_evidence.analysis.tables.analysis_tables`) and is put in words by
:func:`lymphoma_evidence.formatting.natural_frequency`, so the deck says what the reports say. The topic's
words come from ``tables.words`` (:class:`~lymphoma_evidence.analysis.frames.TopicWords`): the measures
each slide quotes and their words (measures.csv), status labels (class_statuses.csv), featured classes
(featured_classes.csv), and the deck's title and the talk track's statements about the topic (texts.csv
``deck_*`` rows, a clinical one with its source, cited in the notes); only instructions for teaching are
written here. The slides are plain text (:class:`TextSlide`, :class:`BarChart`, :class:`DeckContent`),
written by :mod:`.slides`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..analysis.frames import ANY_CLASS, STRATA, AnalysisTables, TopicWords, lead_number
from ..formatting import approximately, natural_frequency, percent
from .directness import OUTCOME_COLOURS
from .figureset import reader_citation
from .style import COLORS

__all__ = ["BarChart", "DeckContent", "TextSlide", "deck_content"]

_MAX_TRIALS = 6


@dataclass
class TextSlide:
    """A slide of text: a message title, bullet lines (or table rows), speaker notes (a talk track: what to
    say, the caveat, the sources) and the short labels of the sources of its numbers (shown on the slide)."""

    title: str
    lines: list[str] = field(default_factory=list)
    notes: str = ""
    table: list[list[str]] | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class BarChart:
    """A native, editable bar chart of the deck: one bar group per category (an option), one series per
    measure; ``values`` are proportions 0-1 (None: not reported); ``indirect`` marks categories whose bars
    come from people who had not had CAR-T (drawn grey)."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None], str]]  # (name, values, colour as "#RRGGBB")
    notes: str
    sources: list[str]
    citations: list[str]
    indirect: list[bool] = field(default_factory=list)


@dataclass
class DeckContent:
    """Everything the deck shows besides the figures, as plain text (see :func:`deck_content`); ``title``
    and ``aim`` (what learners can do by the end, said on the title slide) are texts.csv ``deck_title`` and
    ``deck_title_note``."""

    outlook: TextSlide
    options: TextSlide
    investigational: TextSlide
    trials: TextSlide
    takeaways: TextSlide
    citations: list[str] = field(default_factory=list)
    title: str = ""
    case: TextSlide | None = None
    aim: str = ""
    charts: dict[str, BarChart] = field(default_factory=dict)


class _Cites:
    """Collects the sources a slide quotes, in order, as full citations."""

    def __init__(self, sources: pd.DataFrame) -> None:
        self.by_id = {r["source_id"]: reader_citation(r) for r in sources.to_dict("records")}
        self.label = {r["source_id"]: str(r["label"]) for r in sources.to_dict("records")
                      if isinstance(r.get("label"), str)}
        self.all: list[str] = []

    @staticmethod
    def _ids(source_ids: list[str]) -> list[str]:
        return list(dict.fromkeys(s.strip() for ids in source_ids for s in str(ids).split(";") if s.strip()))

    def labels(self, source_ids: list[str]) -> list[str]:
        """Short labels of the sources (sources.csv ``label``), for the source line on a slide."""
        return [self.label.get(s, s) for s in self._ids(source_ids)]

    def full(self, source_ids: list[str]) -> list[str]:
        """The full citations of the sources, in order (the deck's references)."""
        return [self.by_id.get(s, s) for s in self._ids(source_ids)]

    def notes(self, source_ids: list[str]) -> str:
        cited = [self.by_id.get(s, s) for s in self._ids(source_ids)]
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
                          trials=_trials(tables.words, tables.trials if tables.trials_offered is None
                                         else tables.trials_offered, cites),
                          takeaways=_takeaways(tables, numbers, cites))
    content.case = _case(tables, cites)
    charts = (("outcomes_after_car_t", _survival_chart(tables, cites)),
              ("harms", _harms_chart(tables, cites)))
    content.charts = {name: chart for name, chart in charts if chart}
    content.citations = cites.all
    content.title = tables.words.texts.get("deck_title", "")
    content.aim = tables.words.texts.get("deck_title_note", "")
    return content


def _cap(words: str) -> str:
    return words[:1].upper() + words[1:]


def _text(words: TopicWords, text_id: str) -> tuple[str, list[str]]:
    """The topic text ``text_id`` (texts.csv; "" when the topic has none) and its source ids."""
    source = words.sources.get(text_id, "")
    return words.texts.get(text_id, ""), [source] if source else []


def _said(*parts: str) -> str:
    """Parts of a talk track joined into one paragraph (each after the first as a sentence of its own),
    the empty ones left out."""
    kept = [p.strip() for p in parts if p and p.strip()]
    return " ".join([*kept[:1], *(_cap(p) for p in kept[1:])])


def _case(tables: AnalysisTables, cites: _Cites) -> TextSlide | None:
    """The worked case's questions for discussion (discussion_questions.csv, clinician and shared ones)."""
    questions = tables.questions
    if questions is None or not len(questions):
        return None
    asked = questions[questions["audience"].isin(("clinician", "any"))]
    if asked.empty:
        return None
    lines = [f"{i}. {q}" for i, q in enumerate(asked["question"], start=1)]
    notes = _talk("give learners two minutes in pairs per question, using the case on the previous slide; "
                  "then take one answer per pair.",
                  "there is no single right answer; the evidence on the earlier slides frames the choice, it "
                  "does not make it.", cites.notes(list(asked["source_id"])))
    return TextSlide("Case discussion: what would you do next for this patient?", lines, notes)


def _survival_chart(tables: AnalysisTables, cites: _Cites) -> BarChart | None:
    """Survival after CAR-T failure by first treatment (post-CAR-T rows of the measures of the outcomes
    figure, measures.csv ``figure``), ordered by the last of them, best first."""
    words, numbers = tables.words, tables.numbers
    measures = words.figure_measures.get("outcomes", ())
    rows = numbers[(numbers["stratum"] == "post_car_t") & numbers["measure"].isin(measures)
                   & numbers["rate"].notna() & (numbers["class_id"] != ANY_CLASS)]
    if rows.empty:
        return None
    names = dict(zip(tables.classes["class_id"], tables.classes["name"], strict=True))
    last = measures[-1]
    order = rows[rows["measure"] == last].sort_values("rate", ascending=False)["class_id"].tolist()
    order += [c for c in dict.fromkeys(rows["class_id"]) if c not in order]
    series = []
    for i, measure in enumerate(measures):
        values = [_rate(rows, c, measure) for c in order]
        if any(v is not None for v in values):
            series.append((words.headings.get(measure, measure), values,
                           OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)]))
    ids = list(rows["source_ids"])
    ranked = rows[rows["measure"] == last].sort_values("rate")
    title = f"{words.headings.get(last, last)} after CAR-T failure, by the treatment given next"
    if len(ranked) >= 2:
        title = (f"After CAR-T failure, {percent(ranked['rate'].iloc[0])} to "
                 f"{percent(ranked['rate'].iloc[-1])} {words.sentences.get(last, last)}, among those given "
                 "each treatment")
    caveat, caveat_ids = _text(words, "deck_survival_caveat")
    who = "Who the numbers come from: " + " | ".join(dict.fromkeys(rows["population"]))
    notes = _talk("read each group of bars as what happened to the people who were given that treatment.",
                  _said(caveat, who), cites.notes(ids + caveat_ids))
    return BarChart(title, [names.get(c, c) for c in order], series, notes, cites.labels(ids),
                    cites.full(ids), [False] * len(order))


def _harms_chart(tables: AnalysisTables, cites: _Cites) -> BarChart | None:
    """Serious side effects by option (the measures of the harms figure, measures.csv ``figure``): one bar
    per option and side effect (its ``short`` words beside it); bars from people who had not had CAR-T, or
    whose prior CAR-T was not reported, are grey and marked indirect."""
    words, numbers = tables.words, tables.numbers
    classes = _option_classes(tables)
    rows = numbers[numbers["measure"].isin(words.figure_measures.get("harms", ())) & numbers["rate"].notna()
                   & numbers["class_id"].isin(set(classes["class_id"]))]
    if rows.empty:
        return None
    rows = rows.assign(_s=rows["stratum"].map(list(STRATA).index)).sort_values("_s", kind="stable")
    rows = rows.groupby(["class_id", "measure"], sort=False).head(1)
    names = dict(zip(tables.classes["class_id"], tables.classes["name"], strict=True))
    records = rows.to_dict("records")
    indirect = [r["stratum"] != "post_car_t" for r in records]
    categories = [f"{names.get(r['class_id'], r['class_id'])}: "
                  f"{words.shorts.get(r['measure']) or words.headings.get(r['measure'], r['measure'])}"
                  + (" (indirect evidence)" if grey else "")
                  for r, grey in zip(records, indirect, strict=True)]
    direct = {r["class_id"] for r, grey in zip(records, indirect, strict=True) if not grey}
    ids = [r["source_ids"] for r in records]
    caveat, caveat_ids = _text(words, "deck_harms_caveat")
    notes = _talk("name the serious side effect each bar counts and who it was counted in.",
                  _said("Grey bars come from people who had not had CAR-T or whose prior CAR-T was not "
                        "reported.", caveat, "Who the numbers come from: "
                        + " | ".join(dict.fromkeys(r["population"] for r in records))),
                  cites.notes(ids + caveat_ids))
    title = (f"Serious side effects after CAR-T were counted for {len(direct)} of {len(classes)} options; "
             "the rest come from other patients")
    return BarChart(title, categories, [("Share of patients", [float(r["rate"]) for r in records],
                                         COLORS["post_car_t"])], notes, cites.labels(ids), cites.full(ids),
                    indirect)


def _rate(rows: pd.DataFrame, class_id: str, measure: str) -> float | None:
    hit = rows[(rows["class_id"] == class_id) & (rows["measure"] == measure)]
    return None if hit.empty else float(hit["rate"].iloc[0])


def _outlook(words: TopicWords, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    """The outlook after CAR-T failure for all patients together (measures.csv ``outlook_order``), then
    the featured classes of ``deck_outlook`` (featured_classes.csv) whose patients do better."""
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
    say, say_ids = _text(words, "deck_outlook_note")
    ids = [r["source_ids"] for r in used]
    who = " | ".join(dict.fromkeys(r["population"] for r in used))
    notes = _talk(say, f"who the numbers come from: {who}", cites.notes(ids + say_ids))
    title = f"After CAR-T failure, half of patients live less than about {median['value']:.0f} months"
    return TextSlide(title, lines, notes, sources=cites.labels(ids))


def _direct_population(words: TopicWords, numbers: pd.DataFrame, class_id: str) -> str:
    for measure in words.lead_measures:
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            return str(row["population"])
    return ""


def _option_measures(words: TopicWords) -> list[str]:
    """The columns of the options slide: the response measure and the first lead measure the survival
    figure shows (measures.csv ``lead_order`` and ``figure``), each in its own column."""
    survival = next((m for m in words.lead_measures if m in words.figure_measures.get("outcomes", ())), "")
    return [m for m in dict.fromkeys((words.response_measure, survival)) if m]


def _options(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    """Options at a glance: one row per option with results after CAR-T (response and survival in their
    own columns, :func:`_option_measures`), then one row naming the options without any such result."""
    words = tables.words
    status = tables.status.set_index("class_id")
    measures = _option_measures(words)
    rows = [["Option", "Status",
             *(f"{_cap(words.shorts.get(m) or words.headings.get(m, m))} after CAR-T" for m in measures)]]
    sources: list[str] = []
    classes = _option_classes(tables)
    who, without = [], []
    for cls in classes.to_dict("records"):
        cells, ids = [], []
        for measure in measures:
            row = lead_number(numbers, cls["class_id"], measure, strata=("post_car_t",))
            cells.append("none counted" if row is None else natural_frequency(float(row["rate"])))
            ids += [] if row is None else [row["source_ids"]]
        if not ids:
            without.append(str(cls["name"]))
            continue
        who.append(f"{cls['name']}: {_direct_population(words, numbers, cls['class_id'])}")
        sources += ids
        state = status.loc[cls["class_id"], "status"] if cls["class_id"] in status.index else ""
        rows.append([cls["name"], words.status_labels.get(state, str(state)), *cells])
    if without:
        rows.append([f"No results after CAR-T published: {', '.join(without)}", *([""] * (len(rows[0]) - 1))])
    title = (f"{len(classes)} kinds of treatment are used after CAR-T; {len(classes) - len(without)} have "
             "results from people after CAR-T")
    say, say_ids = _text(words, "deck_options_note")
    measured = " and ".join(words.headings.get(m, m).lower() for m in measures)
    notes = _talk(say, _said(f"read the columns as separate studies, not a ranking: {measured} are different "
                             "measures.", "Who the direct numbers come from: " + " | ".join(who)),
                  cites.notes(sources + say_ids))
    return TextSlide(title, notes=notes, table=rows, sources=cites.labels(sources))


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
    caveat, caveat_ids = _text(tables.words, "deck_investigational_note")
    notes = _talk("these options are reached through clinical trials; name the trials learners can refer to.",
                  caveat, cites.notes(sources + caveat_ids))
    return TextSlide(title, lines or ["No investigational option in the evidence."], notes,
                     sources=cites.labels(sources))


def _trials(words: TopicWords, trials: pd.DataFrame, cites: _Cites) -> TextSlide:
    """Registered trials to ask about (``AnalysisTables.trials_offered``: recruiting, with a registry
    record recent enough to offer, the rule the briefings use), at most :data:`_MAX_TRIALS`."""
    date_column = "status_date" if "status_date" in trials.columns else "status_verified"
    open_trials = trials.head(_MAX_TRIALS)
    rows = [["Trial", "Phase", "Status (date of registry record)"]]
    for t in open_trials.to_dict("records"):
        when = pd.Timestamp(t[date_column]).date().isoformat() if pd.notna(t[date_column]) else "no date"
        rows.append([f"{t['nct_id']}: {t['title']}", str(t["phase"]),
                     f"{str(t['status']).replace('_', ' ').lower()} ({when})"])
    one = len(open_trials) == 1
    title = (f"{len(open_trials)} registered {'trial was' if one else 'trials were'} open to people after "
             f"CAR-T failure when {'its record was' if one else 'their records were'} last updated")
    say, say_ids = _text(words, "deck_trials_note")
    cited = cites.notes(say_ids) if say_ids else "- none"
    notes = _talk(say or "name the registered trials learners can refer to.",
                  "status changes often: the date is that of the stored registry record, not a check of the "
                  "trial today; check the registry before advising anyone.",
                  "- ClinicalTrials.gov records listed on the slide" + ("\n" + cited if say_ids else ""))
    if len(open_trials) == 0:
        return TextSlide("No open trial is listed in the evidence", ["Search ClinicalTrials.gov for "
                         "current trials after CAR-T failure."], notes)
    return TextSlide(title, notes=notes, table=rows, sources=["ClinicalTrials.gov"])


def _takeaways(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    lines, sources = [], []
    words = tables.words
    first = words.outlook_measures[:1]
    median = lead_number(numbers, ANY_CLASS, first[0], strata=("post_car_t",)) if first else None
    if median is not None:
        lines.append(f"After CAR-T failure, {words.sentences.get(first[0], first[0])} is about "
                     f"{median['value']:.0f} months.")
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
    early, early_ids = _text(words, "trials_early")
    caveat, caveat_ids = _text(words, "deck_takeaways_caveat")
    notes = _talk(_said("lead with the direct evidence and say who every number comes from.", early),
                  caveat or "each number comes from its own study; they are not comparisons between "
                  "treatments.", cites.notes(sources + early_ids + caveat_ids))
    return TextSlide(words.texts.get("deck_takeaways_title") or "Key takeaways", lines, notes,
                     sources=cites.labels(sources))


def _talk(say: str, caveat: str, sources: str) -> str:
    """Speaker notes as a talk track: what to say, the caveat to give, the sources to name (a topic
    without the slide's text in texts.csv gets a generic line)."""
    say = say or "state the title's finding and say who its numbers come from."
    caveat = caveat or "each number comes from its own study; say who it comes from before comparing any two."
    return f"Say: {say}\n\nCaveat: {caveat}\n\nSources:\n{sources}"
