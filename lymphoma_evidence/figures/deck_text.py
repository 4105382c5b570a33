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
    """Everything the deck shows besides the figures, as plain text (see :func:`deck_content`)."""

    outlook: TextSlide
    options: TextSlide
    investigational: TextSlide
    trials: TextSlide
    takeaways: TextSlide
    citations: list[str] = field(default_factory=list)
    title: str = ""
    case: TextSlide | None = None
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
                          trials=_trials(tables.trials if tables.trials_offered is None
                                         else tables.trials_offered),
                          takeaways=_takeaways(tables, numbers, cites))
    content.case = _case(tables, cites)
    charts = (("outcomes_after_car_t", _survival_chart(tables, cites)),
              ("harms", _harms_chart(tables, cites)))
    content.charts = {name: chart for name, chart in charts if chart}
    content.citations = cites.all
    content.title = tables.words.texts.get("deck_title", "")
    return content


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
    """12-month survival after CAR-T failure by first treatment (post-CAR-T rows), best survival first."""
    from .directness import OUTCOME_MEASURES

    numbers = tables.numbers
    rows = numbers[(numbers["stratum"] == "post_car_t") & numbers["measure"].isin(OUTCOME_MEASURES)
                   & numbers["rate"].notna() & (numbers["class_id"] != "any")]
    if rows.empty:
        return None
    names = dict(zip(tables.classes["class_id"], tables.classes["name"], strict=True))
    order = rows[rows["measure"] == "os_rate_12m"].sort_values("rate", ascending=False)["class_id"].tolist()
    order += [c for c in dict.fromkeys(rows["class_id"]) if c not in order]
    series = []
    for measure, (words, colour) in OUTCOME_MEASURES.items():
        values = [_rate(rows, c, measure) for c in order]
        if any(v is not None for v in values):
            series.append((words, values, colour))
    ids = list(rows["source_ids"])
    os12 = rows[rows["measure"] == "os_rate_12m"].sort_values("rate")
    title = "Survival one year after CAR-T failure, by the treatment given next"
    if len(os12) >= 2:
        title = (f"One year after CAR-T failure, {percent(os12['rate'].iloc[0])} to "
                 f"{percent(os12['rate'].iloc[-1])} of those given each treatment were alive")
    notes = _talk("read each pair of bars as what happened to the people who were given that treatment.",
                  "separate retrospective series of selected patients: people reach a transplant because "
                  "they are fit and responding, so the bars do not compare treatments. Who the numbers come "
                  "from: " + " | ".join(dict.fromkeys(rows["population"])), cites.notes(ids))
    return BarChart(title, [names.get(c, c) for c in order], series, notes, cites.labels(ids),
                    [cites.by_id.get(s, s) for s in cites._ids(ids)], [False] * len(order))


def _harms_chart(tables: AnalysisTables, cites: _Cites) -> BarChart | None:
    """Serious side effects by option: one bar per option and side effect (named beside it); bars from
    people who had not had CAR-T, or whose prior CAR-T was not reported, are grey and marked indirect."""
    from .directness import HARM_EVENTS, HARM_SHORT, SECTION_TITLES
    from .style import COLORS

    numbers = tables.numbers
    classes = _option_classes(tables)
    rows = numbers[numbers["measure"].isin(HARM_EVENTS) & numbers["rate"].notna()
                   & numbers["class_id"].isin(set(classes["class_id"]))]
    if rows.empty:
        return None
    rows = rows.assign(_s=rows["stratum"].map(list(SECTION_TITLES).index)).sort_values("_s", kind="stable")
    rows = rows.groupby(["class_id", "measure"], sort=False).head(1)
    names = dict(zip(tables.classes["class_id"], tables.classes["name"], strict=True))
    records = rows.to_dict("records")
    indirect = [r["stratum"] != "post_car_t" for r in records]
    categories = [f"{names.get(r['class_id'], r['class_id'])}: {HARM_SHORT.get(r['measure'], r['measure'])}"
                  + (" (indirect evidence)" if grey else "")
                  for r, grey in zip(records, indirect, strict=True)]
    direct = {r["class_id"] for r, grey in zip(records, indirect, strict=True) if not grey}
    ids = [r["source_ids"] for r in records]
    notes = _talk("name the serious side effect each bar counts and who it was counted in.",
                  "grey bars come from people who had not had CAR-T or whose prior CAR-T was not reported; "
                  "side effects after CAR-T may differ. Who the numbers come from: "
                  + " | ".join(dict.fromkeys(r["population"] for r in records)), cites.notes(ids))
    title = (f"Serious side effects after CAR-T were counted for {len(direct)} of {len(classes)} options; "
             "the rest come from other patients")
    return BarChart(title, categories, [("Share of patients", [float(r["rate"]) for r in records],
                                         COLORS["post_car_t"])], notes, cites.labels(ids),
                    [cites.by_id.get(s, s) for s in cites._ids(ids)], indirect)


def _rate(rows: pd.DataFrame, class_id: str, measure: str) -> float | None:
    hit = rows[(rows["class_id"] == class_id) & (rows["measure"] == measure)]
    return None if hit.empty else float(hit["rate"].iloc[0])


def _outlook(numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    median = lead_number(numbers, "any", "median_os_months", strata=("post_car_t",))
    pfs = lead_number(numbers, "any", "median_pfs_months", strata=("post_car_t",))
    six = lead_number(numbers, "any", "os_rate_6m", strata=("post_car_t",))
    allo = lead_number(numbers, "allo_sct", "os_rate_12m", strata=("post_car_t",))
    used = [r for r in (median, pfs, six, allo) if r is not None]
    if median is None:
        return TextSlide("The outlook after CAR-T failure", ["No survival figures after CAR-T failure in the "
                         "evidence (a listed gap)."])
    lines = [f"Median overall survival after CAR-T failure: {median['value']:g} months "
             f"({median['trials']})"]
    if pfs is not None:
        lines.append(f"Median time without progression: {pfs['value']:g} months")
    if six is not None:
        lines.append(f"Alive 6 months after CAR-T failure: {_rate_words(six)}")
    if allo is not None:
        lines.append(f"Some do well: {_rate_words(allo)} alive one year after an allogeneic transplant "
                     f"(selected, fit patients; {allo['trials']})")
    notes = _talk("when lymphoma returns after CAR-T, survival is usually short, so the next treatment and "
                  "early referral to a centre with trials matter; a minority, often those who reach a "
                  "transplant or respond to the next therapy, live longer.",
                  "who the numbers come from: " + " | ".join(r["population"] for r in used),
                  cites.notes([r["source_ids"] for r in used]))
    title = f"After CAR-T failure, half of patients live less than about {median['value']:.0f} months"
    return TextSlide(title, lines, notes, sources=cites.labels([r["source_ids"] for r in used]))


def _direct_population(words: TopicWords, numbers: pd.DataFrame, class_id: str) -> str:
    for measure in words.lead_measures:
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is not None:
            return str(row["population"])
    return ""


def _options(tables: AnalysisTables, numbers: pd.DataFrame, cites: _Cites) -> TextSlide:
    """Options at a glance: one row per option with results after CAR-T (response and 1-year survival in
    their own columns), then one row naming the options without any such result."""
    status = tables.status.set_index("class_id")
    rows = [["Option", "Status for large B-cell lymphoma", "Responded after CAR-T",
             "Alive 1 year after CAR-T"]]
    sources: list[str] = []
    classes = _option_classes(tables)
    who, without = [], []
    for cls in classes.to_dict("records"):
        cells, ids = [], []
        for measure in ("ORR", "os_rate_12m"):
            row = lead_number(numbers, cls["class_id"], measure, strata=("post_car_t",))
            cells.append("none published" if row is None else natural_frequency(float(row["rate"])))
            ids += [] if row is None else [row["source_ids"]]
        if not ids:
            without.append(str(cls["name"]))
            continue
        who.append(f"{cls['name']}: {_direct_population(numbers, cls['class_id'])}")
        sources += ids
        state = status.loc[cls["class_id"], "status"] if cls["class_id"] in status.index else ""
        rows.append([cls["name"], {"approved": "Approved", "standard": "Established care",
                                   "investigational": "In trials"}.get(state, str(state)), *cells])
    if without:
        rows.append([f"No results after CAR-T published: {', '.join(without)}", "", "", ""])
    title = (f"{len(classes)} kinds of treatment are used after CAR-T; {len(classes) - len(without)} have "
             "results from people after CAR-T")
    notes = _talk("the options differ in how they work and how well they have been studied after CAR-T. "
                  "Read the last two columns as separate studies, not a ranking.",
                  "'approved' means approved for large B-cell lymphoma, not for use after CAR-T "
                  "specifically; response and 1-year survival are different measures. Who the direct "
                  "numbers come from: " + " | ".join(who), cites.notes(sources))
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
    notes = _talk("these options are reached through clinical trials; name the trials learners can refer to.",
                  "early-phase results come from few, selected patients, often with other lymphomas, and "
                  "are not evidence for routine use after CAR-T.", cites.notes(sources))
    return TextSlide(title, lines or ["No investigational option in the evidence."], notes,
                     sources=cites.labels(sources))


def _trials(trials: pd.DataFrame) -> TextSlide:
    """Registered trials to ask about (``AnalysisTables.trials_offered``: recruiting, with a registry
    record recent enough to offer, the rule the briefings use), at most :data:`_MAX_TRIALS`."""
    date_column = "status_date" if "status_date" in trials.columns else "status_verified"
    open_trials = trials.head(_MAX_TRIALS)
    rows = [["Trial", "Phase", "Status (date of registry record)"]]
    for t in open_trials.to_dict("records"):
        when = pd.Timestamp(t[date_column]).date().isoformat() if pd.notna(t[date_column]) else "no date"
        rows.append([f"{t['nct_id']}: {t['title']}", str(t["phase"]),
                     f"{str(t['status']).replace('_', ' ').lower()} ({when})"])
    title = (f"{len(open_trials)} registered trials were open to people after CAR-T failure when their "
             "records were last updated")
    notes = _talk("trial enrolment is an option in its own right after CAR-T failure.",
                  "status changes often: the date is that of the stored registry record, not a check of the "
                  "trial today; check the registry before advising anyone.",
                  "- ClinicalTrials.gov records listed on the slide")
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
    notes = _talk("lead with the direct evidence, say who every number comes from, and offer trials early.",
                  "every number here comes from a separate, small or retrospective study of selected "
                  "patients; they are not comparisons between treatments.", cites.notes(sources))
    return TextSlide("Key takeaways: few numbers come from people after CAR-T, and they are sobering",
                     lines, notes, sources=cites.labels(sources))


def _talk(say: str, caveat: str, sources: str) -> str:
    """Speaker notes as a talk track: what to say, the caveat to give, the sources to name."""
    return f"Say: {say}\n\nCaveat: {caveat}\n\nSources:\n{sources}"
