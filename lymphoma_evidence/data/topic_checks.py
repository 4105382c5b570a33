"""Checks of the topic tables (evidence/README.md, "The topic"): every measure a reader sees has its words,
every endpoint is a response measure, a measure's choices fit its kind, every clinical statement has its
source, every known gap names what it is about.

Each check takes the typed frames (and each table's line numbers) and returns problems; none raises.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import Problem, ProblemCode
from ..vocabulary import READER_GAP_KINDS
from .schema import Package

__all__ = ["ENDPOINT_TABLES", "endpoint_problems", "measure_code", "optional_column", "response_codes",
           "topic_problems", "UNNAMED_EVENT"]

#: The harms.csv event that names its side effect in ``population`` (no measure words: not listed).
UNNAMED_EVENT = "other"

#: The tables whose ``endpoint`` column names a response measure (measures.csv, kind ``response``).
ENDPOINT_TABLES = ("results", "reported_ranges")
#: The measure kinds that are rates where more is better: only they may mark a poor choice.
HIGHER_IS_BETTER = ("response", "survival")

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]


def measure_code(measure: str, timepoint_months: float | None = None) -> str:
    """The measure as reports name it (``measures.csv``): an outcome rate with its time point
    (``os_rate`` at 12 -> ``os_rate_12m``), anything else as it is (``median_os_months``, ``ORR``,
    ``crs/grade_3_plus``)."""
    if measure.startswith("median_") or timepoint_months is None or pd.isna(timepoint_months):
        return measure
    return f"{measure}_{float(timepoint_months):g}m"


def _shown(frames: Frames) -> list[tuple[str, int, str, str]]:
    """(table, row index, column, measure code) of every row whose number a report may show."""
    endpoints = frames["results"]["endpoint"].dropna()
    shown = [("results", int(i), "endpoint", str(v)) for i, v in endpoints.items()]
    out = frames["outcomes"]
    for i in out.index[out["measure"].notna()]:
        shown.append(("outcomes", int(i), "measure", measure_code(str(out["measure"][i]),
                                                                  out["timepoint_months"][i])))
    harms = frames["harms"]
    named = harms["event"].notna() & harms["grade"].notna() & (harms["event"] != UNNAMED_EVENT)
    for i in harms.index[named]:
        shown.append(("harms", int(i), "event", f"{harms['event'][i]}/{harms['grade'][i]}"))
    return shown


def _measure_words(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    known = set(frames["measures"]["measure"].dropna())
    problems = []
    for table, i, column, code in _shown(frames):
        if code not in known:
            problems.append(Problem(
                package.table(table).path, lines[table][i], column,
                f"measure {code!r} has no words: add a row for it to measures.csv (heading, sentence, "
                "kind), so every report words it the same way", ProblemCode.MEASURE_WORDS))
    return problems


def optional_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]``, or an empty column where the table's schema is older and lacks it (``diff``
    validates earlier releases with this toolkit)."""
    return frame[column] if column in frame.columns else pd.Series(pd.NA, index=frame.index, dtype=object)


def response_codes(measures: pd.DataFrame) -> list[str]:
    """The measures of kind ``response`` (the endpoints of results.csv), in display order (those without one
    last, in file order)."""
    rows = measures[(measures["kind"] == "response").fillna(False)]
    rows = rows.sort_values("display_order", kind="mergesort", na_position="last")
    return rows["measure"].astype(str).tolist()


def endpoint_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Every ``endpoint`` of :data:`ENDPOINT_TABLES` is a response measure of measures.csv; the message lists
    them (it is reported in place of the plainer foreign-key message for the same cell)."""
    measures = frames["measures"]
    kinds = dict(zip(measures["measure"].astype(str), measures["kind"], strict=True))
    codes = response_codes(measures)
    expected = (f"expected one of: {', '.join(codes)} (the measures of kind response in measures.csv"
                if codes else "expected a measure of kind response (measures.csv has none")
    problems = []
    for table in ENDPOINT_TABLES:
        endpoints = frames[table]["endpoint"]
        for i in endpoints.index[endpoints.notna() & ~endpoints.isin(codes)]:
            value = str(endpoints[i])
            kind = kinds.get(value)
            if isinstance(kind, str):
                said = f"{value!r} is a {kind} measure, not an allowed value; {expected})"
            else:
                said = (f"{value!r} is not an allowed value; {expected}; a new endpoint needs a row there "
                        "first: kind response, heading, sentence)")
            problems.append(Problem(package.table(table).path, lines[table][i], "endpoint", said,
                                    ProblemCode.FOREIGN_KEY))
    return problems


def _measure_choices(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """A measure is within another response measure, not itself; only a rate where more is better may mark a
    poor choice (measures.csv ``within``, ``poor_choice_below``)."""
    measures = frames["measures"]
    kinds = dict(zip(measures["measure"].astype(str), measures["kind"], strict=True))
    path, problems = package.table("measures").path, []

    def problem(i: int, column: str, message: str) -> None:
        problems.append(Problem(path, lines["measures"][i], column, message, ProblemCode.MEASURE_CHOICE))

    withins, limits = optional_column(measures, "within"), optional_column(measures, "poor_choice_below")
    for i, row in measures.iterrows():
        measure, within, kind = str(row["measure"]), withins[i], row["kind"]
        if pd.notna(within) and within == measure:
            problem(i, "within", f"measure {measure!r} cannot be within itself; name the response measure "
                                 "whose responders include its responders, or leave within empty")
        elif pd.notna(within) and within in kinds:  # an unknown one is a foreign-key problem
            odd = measure if kind != "response" else str(within) if kinds[within] != "response" else ""
            if odd:
                problem(i, "within", f"within relates two response measures (results.csv endpoints); "
                                     f"{odd!r} is of kind {kinds[odd]}: name a response measure or leave "
                                     "within empty")
        if pd.notna(limits[i]) and kind not in HIGHER_IS_BETTER:
            kinds_shown = " or ".join(HIGHER_IS_BETTER)
            problem(i, "poor_choice_below", f"poor_choice_below is for a rate where more is better (kind "
                                            f"{kinds_shown}); measure {measure!r} is of kind {kind}: leave "
                                            "it empty")
    return problems


def _claims_cited(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    texts = frames["texts"]
    uncited = (texts["kind"] == "claim").fillna(False) & texts["source_id"].isna()
    return [Problem(package.table("texts").path, lines["texts"][i], "source_id",
                    f"text {texts['text_id'][i]!r} is a clinical claim without a source; add the "
                    "source_id of the source that says it", ProblemCode.CLAIM_WITHOUT_SOURCE)
            for i in texts.index[uncited]]


def _gap_scopes(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    gaps = frames["known_gaps"]
    expected = {"no_direct_figure": ("therapy_classes", "class_id"),
                "no_harm_figure": ("therapy_classes", "class_id"), "agent_missing": ("agents", "agent_id")}
    problems = []
    for i, row in gaps.iterrows():
        target = expected.get(str(row["kind"]))
        if target is None:
            continue
        ids = set(frames[target[0]][target[1]].dropna())
        if row["scope_id"] not in ids:
            problems.append(Problem(
                package.table("known_gaps").path, lines["known_gaps"][i], "scope_id",
                f"{row['scope_id']!r} is not a {target[1]} in {target[0]}.csv; a {row['kind']} gap names "
                "one", ProblemCode.FOREIGN_KEY))
    return problems


#: Words of an analyst that must not reach a reader through a gap's ``reader_note``: a backtick, a web
#: address, an evidence file name or a snake_case id.
ANALYST_WORDS = re.compile(r"`|://|\bwww\.|\b[\w-]+\.(?:csv|json)\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: Where readers see each kind of gap (for the messages).
_SHOWN_WHERE = {"no_direct_figure": "where the option has no figure from people after CAR-T",
                "no_harm_figure": "under the option's side effects"}


def _gap_reader_notes(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """A gap readers see (kinds :data:`~lymphoma_evidence.vocabulary.READER_GAP_KINDS`) needs its
    ``reader_note``; no note may carry an analyst's words (:data:`ANALYST_WORDS`)."""
    gaps = frames["known_gaps"]
    path = package.table("known_gaps").path
    problems = []
    for i, row in gaps.iterrows():
        note, kind = row["reader_note"], str(row["kind"])
        if kind in READER_GAP_KINDS and (pd.isna(note) or not str(note).strip()):
            problems.append(Problem(
                path, lines["known_gaps"][i], "reader_note",
                f"gap {row['gap_id']!r} (kind {kind}) has no reader_note, and readers see this gap "
                f"{_SHOWN_WHERE.get(kind, 'on the pages')}; write one or two plain sentences for a clinician "
                "that restate the reason (no addresses, file names or ids)", ProblemCode.READER_NOTE))
        elif pd.notna(note) and (found := ANALYST_WORDS.search(str(note))):
            problems.append(Problem(
                path, lines["known_gaps"][i], "reader_note",
                f"the reader_note of gap {row['gap_id']!r} contains {found.group(0)!r}, which readers would "
                "see; say it in plain words (addresses, file names and ids belong in reason)",
                ProblemCode.READER_NOTE))
    return problems


def topic_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Run every check of the topic tables; returns the problems found."""
    return (_measure_words(package, frames, lines) + _measure_choices(package, frames, lines)
            + _claims_cited(package, frames, lines) + _gap_scopes(package, frames, lines)
            + _gap_reader_notes(package, frames, lines))
