"""The topic's words and choices, read from the evidence package's topic tables (evidence/README.md, "The
topic"): what each measure is called, which are the endpoints and which one a report leads with, which
numbers mark a poor choice, what a status says, which diseases count as approved, which kinds of class are
care without a licence, which classes a report features, the glossary, titles and known gaps.

The code knows the evidence model only; every word a reader sees about the topic comes from these tables,
so a second topic is a second evidence folder. The functions return plain mappings and lists read from an
:class:`~lymphoma_evidence.data.evidence.Evidence` (its topic tables are small; reading is cheap).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from ..data.evidence import Evidence
from ..data.topic_checks import measure_code, response_codes
from ..errors import ParameterError
from ..vocabulary import READER_GAP_KINDS, check_choice
from .frames import TopicWords

__all__ = ["Featured", "abbreviations", "aid_measures", "approved_diseases", "check_endpoint",
           "default_endpoint", "featured", "gap_notes", "gap_reasons", "lead_measures",
           "leading_diseases", "measure_code", "measure_kinds", "measure_order", "measure_words",
           "outlook_measures", "overview_measures", "poor_choice_limits", "response_measure",
           "response_measures", "standard_kinds", "status_labels", "status_words", "stratum_words",
           "summary_measures", "text", "text_source", "topic_words"]


def _column(frame: pd.DataFrame, key: str, column: str) -> dict[str, str]:
    """``{key: column}`` for the rows where ``column`` is filled."""
    rows = frame[frame[column].notna()]
    return dict(zip(rows[key].astype(str), rows[column].astype(str), strict=True))


#: The columns of measures.csv that word a measure, one per use.
WORD_USES = ("heading", "sentence", "patient", "patient_other", "patient_who", "axis", "short")


def measure_words(evidence: Evidence, use: str = "sentence") -> dict[str, str]:
    """Each measure's words for one use (a column of measures.csv): ``heading`` (table rows, legends),
    ``sentence`` (after a number), ``patient`` (after "... of people"; a median's with ``{months}``),
    ``patient_other`` (what the others did), ``patient_who`` (who a patient number is about, when not
    everyone given the choice), ``axis`` (charts; the heading where empty) or ``short`` (beside a bar).
    Measures without words for that use are left out."""
    if use not in WORD_USES:
        raise ParameterError(f"use={use!r} is not a column of measures.csv; expected one of "
                             f"{', '.join(WORD_USES)}")
    words = _column(evidence.measures, "measure", use)
    if use == "axis":
        return {**measure_words(evidence, "heading"), **words}
    return words


def measure_kinds(evidence: Evidence) -> dict[str, str]:
    """Measure -> kind: ``response``, ``survival``, ``median`` or ``harm``."""
    return _column(evidence.measures, "measure", "kind")


def measure_order(evidence: Evidence) -> list[str]:
    """The measures that have a display order, in that order (lists of benefits, summary tables)."""
    ordered = evidence.measures[evidence.measures["display_order"].notna()]
    return ordered.sort_values("display_order", kind="mergesort")["measure"].astype(str).tolist()


def lead_measures(evidence: Evidence) -> list[str]:
    """The measures a class's lead number is chosen from, in order (measures.csv ``lead_order``)."""
    ordered = evidence.measures[evidence.measures["lead_order"].notna()]
    return ordered.sort_values("lead_order", kind="mergesort")["measure"].astype(str).tolist()


def outlook_measures(evidence: Evidence) -> list[str]:
    """The measures that say the outlook after the therapy failed, in order (measures.csv
    ``outlook_order``); the first leads."""
    ordered = evidence.measures[evidence.measures["outlook_order"].notna()]
    return ordered.sort_values("outlook_order", kind="mergesort")["measure"].astype(str).tolist()


def aid_measures(evidence: Evidence) -> list[str]:
    """The measures the patient pages show in a choice's column, in order (measures.csv ``aid_order``):
    its benefits (kinds response and survival) all in this order, its side effects (kind harm) most
    serious first."""
    ordered = evidence.measures[evidence.measures["aid_order"].notna()]
    return ordered.sort_values("aid_order", kind="mergesort")["measure"].astype(str).tolist()


def overview_measures(evidence: Evidence) -> dict[str, list[str]]:
    """Column of the clinician overview (``response``, ``survival``, ``harms``) -> its measures in display
    order (measures.csv ``overview``); a column without measures maps to an empty list."""
    shown = _column(evidence.measures, "measure", "overview")
    return {column: _in_order(evidence, [m for m, c in shown.items() if c == column])
            for column in ("response", "survival", "harms")}


def response_measure(evidence: Evidence) -> str:
    """The measure whose studies are counted as the response studies (``lead_order`` 1)."""
    leads = lead_measures(evidence)
    if not leads:
        raise ParameterError("measures.csv has no measure with lead_order 1; give the main response "
                             "measure lead_order 1")
    return leads[0]


def summary_measures(evidence: Evidence) -> dict[str, str]:
    """The rows of a summary-of-findings table, in order: measure -> its heading."""
    headings = measure_words(evidence, "heading")
    flagged = set(_flagged(evidence.measures, "measure", "in_summary"))
    return {m: headings[m] for m in measure_order(evidence) if m in flagged}


def stratum_words(evidence: Evidence, use: str = "words") -> dict[str, str]:
    """Stratum of directness -> who its numbers come from, in the topic's words (strata.csv): ``words``,
    or ``patient`` for patient pages (the words where a stratum has no patient words)."""
    if use not in ("words", "patient"):
        raise ParameterError(f"use={use!r} is not a column of strata.csv; expected words or patient")
    words = _column(evidence.strata, "stratum", "words")
    return {**words, **_column(evidence.strata, "stratum", "patient")} if use == "patient" else words


def status_words(evidence: Evidence) -> dict[str, str]:
    """Class status -> its words in a sentence (class_statuses.csv)."""
    return _column(evidence.class_statuses, "status", "words")


def status_labels(evidence: Evidence) -> dict[str, str]:
    """Class status -> its label in a table cell or on a slide (class_statuses.csv)."""
    return _column(evidence.class_statuses, "status", "label")


def _flagged(frame: pd.DataFrame, key: str, flag: str) -> tuple[str, ...]:
    return tuple(frame.loc[frame[flag].fillna(False).astype(bool), key].astype(str))


def approved_diseases(evidence: Evidence) -> tuple[str, ...]:
    """Diseases whose approvals make a class ``approved`` for the topic (diseases.csv)."""
    return _flagged(evidence.diseases, "disease", "approved_for_topic")


def leading_diseases(evidence: Evidence) -> tuple[str, ...]:
    """The topic's own disease(s): quoted first when a class has results in several (diseases.csv)."""
    return _flagged(evidence.diseases, "disease", "leads")


def standard_kinds(evidence: Evidence) -> tuple[str, ...]:
    """Class kinds that are care, not licensed products: standard without any approval (class_kinds.csv)."""
    kinds = evidence.class_kinds
    return tuple(kinds.loc[kinds["without_approval"] == "standard", "kind"].astype(str))


class Featured(NamedTuple):
    """A class a report features: its id, the measure quoted, the words naming it and a note (or "")."""

    class_id: str
    measure: str
    words: str
    note: str


def featured(evidence: Evidence, feature: str) -> list[Featured]:
    """The classes featured in ``feature`` (featured_classes.csv), in their display order."""
    rows = evidence.featured_classes
    rows = rows[rows["feature"] == feature].sort_values("display_order", kind="mergesort")
    return [Featured(str(r["class_id"]), str(r["measure"]), str(r["words"]),
                     "" if pd.isna(r.get("note")) else str(r["note"])) for r in rows.to_dict("records")]


def text(evidence: Evidence, text_id: str, default: str = "") -> str:
    """The topic text ``text_id`` (texts.csv), or ``default`` when the topic has none."""
    return _column(evidence.texts, "text_id", "text").get(text_id, default)


def text_source(evidence: Evidence, text_id: str) -> str:
    """The source_id of the topic text ``text_id``, or ``""``."""
    return _column(evidence.texts, "text_id", "source_id").get(text_id, "")


def abbreviations(evidence: Evidence) -> dict[str, tuple[str, str]]:
    """Abbreviation -> (expansion, plain-language explanation), from abbreviations.csv."""
    rows = evidence.abbreviations
    return {str(a): (str(e), str(x)) for a, e, x in
            zip(rows["abbreviation"], rows["expansion"], rows["explanation"], strict=True)}


def _gaps(evidence: Evidence, kind: str, column: str = "reason") -> dict[str, str]:
    """``{scope_id: text}`` of the known_gaps.csv rows of one kind that name a class or agent and have a
    ``column`` (``reason`` or ``reader_note``)."""
    gaps = evidence.known_gaps
    gaps = gaps[(gaps["kind"] == kind) & gaps["scope_id"].notna() & gaps[column].notna()]
    return dict(zip(gaps["scope_id"].astype(str), gaps[column].astype(str), strict=True))


def gap_reasons(evidence: Evidence, kind: str) -> dict[str, str]:
    """``{scope_id: reason}`` of the known gaps of one kind (``no_direct_figure``, ``no_harm_figure`` ...)
    that name a class or agent: the curators' reason, for analysts (the evidence audit); readers are told
    :func:`gap_notes` instead."""
    return _gaps(evidence, kind)


def gap_notes(evidence: Evidence, kind: str) -> dict[str, str]:
    """``{scope_id: reader_note}`` of the known gaps of one kind: what readers are told about the gap.

    Parameters
    ----------
    evidence : Evidence
        The loaded evidence (not changed).
    kind : str
        One of :data:`~lymphoma_evidence.vocabulary.READER_GAP_KINDS` (``no_direct_figure``,
        ``no_harm_figure``); validation makes sure every gap of these kinds has its note.

    Returns
    -------
    dict[str, str]
        The plain note of each listed gap (never the curators' ``reason``, which names copies and
        addresses for analysts); a gap without a note is left out.
    """
    check_choice("kind", kind, READER_GAP_KINDS, "Only these kinds of gap are shown to readers.")
    return _gaps(evidence, kind, "reader_note")


def _in_order(evidence: Evidence, measures: list[str]) -> list[str]:
    """``measures`` in display order (those without one last, in file order)."""
    order = measure_order(evidence)
    return sorted(measures, key=lambda m: order.index(m) if m in order else len(order))


def _figure_measures(evidence: Evidence) -> dict[str, tuple[str, ...]]:
    shown = _column(evidence.measures, "measure", "figure")
    return {figure: tuple(_in_order(evidence, [m for m, f in shown.items() if f == figure]))
            for figure in dict.fromkeys(shown.values())}


def response_measures(evidence: Evidence) -> list[str]:
    """The response measures (measures.csv kind ``response``): the endpoints of results.csv, in display
    order (as the validator lists them)."""
    return response_codes(evidence.measures)


def default_endpoint(evidence: Evidence) -> str:
    """The endpoint a report leads with when it names none: the first response measure in display order
    (measures.csv kind ``response``, lowest ``display_order``).

    Raises
    ------
    ParameterError
        When measures.csv has no measure of kind response.
    """
    responses = response_measures(evidence)
    if not responses:
        raise ParameterError("measures.csv has no measure of kind response; add the results.csv endpoints "
                             "there (kind response) before asking for an endpoint")
    return responses[0]


def check_endpoint(evidence: Evidence, endpoint: str | None = None) -> str:
    """``endpoint`` when it is a response measure of measures.csv, :func:`default_endpoint` when it is None
    or empty.

    Raises
    ------
    ParameterError
        For any other value; the message names the value given and the response measures with their
        headings, e.g. ``endpoint='PFS' is not allowed; expected one of: 'ORR', 'CR'. ...``.
    """
    if endpoint is None or endpoint == "":
        return default_endpoint(evidence)
    responses = response_measures(evidence)
    headings = measure_words(evidence, "heading")
    named = ", ".join(f"{m} {headings[m][:1].lower() + headings[m][1:]}" for m in responses if m in headings)
    check_choice("endpoint", endpoint, responses,
                 f"The response measures of measures.csv: {named}." if named else "")
    return endpoint


def poor_choice_limits(evidence: Evidence) -> dict[str, float]:
    """Measure -> the proportion (0-1) below which an option's number after the therapy failed marks it as
    possibly a poor choice even when it fits (measures.csv ``poor_choice_below``, a percent), in display
    order; empty when the topic makes no such choice."""
    limits = evidence.measures[evidence.measures["poor_choice_below"].notna()]
    below = dict(zip(limits["measure"].astype(str), limits["poor_choice_below"].astype(float) / 100,
                     strict=True))
    return {m: below[m] for m in _in_order(evidence, list(below))}


def topic_words(evidence: Evidence) -> TopicWords:
    """The topic's words and choices a figure set or deck draws with (:class:`~.frames.TopicWords`)."""
    rows = evidence.featured_classes.sort_values(["feature", "display_order"], kind="mergesort")
    featured: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in rows.to_dict("records"):
        note = r.get("note")
        featured.setdefault(str(r["feature"]), []).append(
            (str(r["class_id"]), str(r["measure"]), str(r["words"]), "" if pd.isna(note) else str(note)))
    return TopicWords(
        headings=measure_words(evidence, "heading"), sentences=measure_words(evidence, "sentence"),
        shorts=measure_words(evidence, "short"), lead_measures=tuple(lead_measures(evidence)),
        outlook_measures=tuple(outlook_measures(evidence)), responses=tuple(response_measures(evidence)),
        figure_measures=_figure_measures(evidence), status_labels=status_labels(evidence),
        featured={k: tuple(v) for k, v in featured.items()},
        texts=_column(evidence.texts, "text_id", "text"),
        sources=_column(evidence.texts, "text_id", "source_id"))
