"""The columns of every table the analysis returns, defined once, and their pandera ``DataFrameModel``\\ s.

``response_table`` returns a :data:`ResponseTable`, ``class_summary`` a :data:`ClassSummary`,
``check_reported_ranges`` a :data:`RangeCheck`, ``eligible_options`` an :data:`EligibleOptions`,
``relapse_timing_table`` a :data:`RelapseTimingTable` and ``comparison_table`` a :data:`ComparisonTable`.
Each table is declared once below (:data:`TABLES`: column order, dtype, nullability, checks). The analysis
builds its frames in that order and the figures check their input with :func:`check_columns`, both without
importing pandera; ``frames.ResponseTable`` and the other names are real pandera ``DataFrameModel``
classes made from the same declaration on first use, which tests validate real outputs against
(``ResponseTable.validate(frame)``). Rates and bounds are proportions 0-1.

:class:`AnalysisTables` bundles the tables the figure set and the deck draw (made once by
:func:`lymphoma_evidence.analysis.tables.analysis_tables`) and :func:`lead_number` picks the row of the
headline numbers a sentence quotes: ``figures`` imports nothing else from the analysis, so this module
imports no other analysis module.

pandera is imported only when a model is used, not by the analysis functions: report kernels do not pay
for it (about 0.3 s of CPU each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..vocabulary import STATUS_ORDER

#: The strata of directness, in the order outputs show them (direct evidence first): the values of every
#: ``stratum`` column. Defined here, with the table contracts drawing modules may import;
#: :mod:`lymphoma_evidence.analysis.strata` re-exports it.
STRATA = ("post_car_t", "partly", "car_t_naive", "unknown")

#: The verdicts of a stated-range check, in the order the rules apply.
VERDICTS = ("unsupported", "wider", "shifted", "narrower", "consistent")
_RATE = {"ge": 0, "le": 1}


@dataclass(frozen=True)
class Column:
    """One column of an analysis table: name, dtype, whether it may be empty, pandera checks."""

    name: str
    dtype: Any = str
    nullable: bool = False
    checks: dict[str, Any] = field(default_factory=dict)


def _rate(name: str, nullable: bool = False) -> Column:
    return Column(name, float, nullable, _RATE)


#: Table name -> (what it is, its columns in order).
TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "ResponseTable": ("One row per response result (response_table).", (
        Column("result_id", checks={"unique": True}), Column("class_id"), Column("class_name"),
        Column("agent_id", nullable=True), Column("agent_name", nullable=True), Column("regimen"),
        Column("trial"), Column("population"), Column("disease", nullable=True),
        Column("post_car_t", pd.BooleanDtype, nullable=True),
        Column("endpoint"),  # a response measure of measures.csv (checked when the evidence is validated)
        Column("analysis_set"), Column("n", pd.Int64Dtype, checks={"ge": 1}),
        Column("responders", pd.Int64Dtype, checks={"ge": 0}), _rate("rate"), _rate("ci_low"),
        _rate("ci_high"), Column("source_id"), Column("source_label"),
        # true when the count is `rounded` (several whole numbers fit the printed percentage)
        Column("approximate", bool),
    )),
    "ClassSummary": ("One row per therapy class, stratum of directness, endpoint and disease "
                     "(class_summary); disease comes last.", (
        Column("class_id"), Column("class_name"), Column("stratum", checks={"isin": STRATA}),
        Column("endpoint"),
        Column("analysis_set"), Column("n_studies", int, checks={"ge": 1}),
        Column("total_patients", int, checks={"ge": 1}), _rate("rate_min"), _rate("rate_max"),
        _rate("pooled_rate"), _rate("pooled_ci_low"), _rate("pooled_ci_high"), _rate("pi_low", True),
        _rate("pi_high", True), _rate("i_squared", True), Column("tau_squared", float, True, {"ge": 0}),
        Column("single_study", bool), Column("result_ids"), Column("disease", nullable=True),
    )),
    "RangeCheck": ("One row per stated range, checked against the primary results "
                   "(check_reported_ranges).", (
        Column("range_id", checks={"unique": True}), Column("class_id"),
        Column("endpoint"), _rate("claim_low"), _rate("claim_high"),
        _rate("primary_low", True), _rate("primary_high", True), _rate("primary_ci_low", True),
        _rate("primary_ci_high", True), Column("n_studies", int, checks={"ge": 0}),
        Column("verdict", checks={"isin": VERDICTS}), Column("explanation"), Column("source_id"),
        Column("result_ids"),
    )),
    "EligibleOptions": ("One row per eligibility row with its status for one patient profile "
                        "(eligible_options).", (
        Column("scope_id"), Column("scope_type", checks={"isin": ("agent", "class")}), Column("name"),
        Column("class_id"), Column("class_name"), Column("status", checks={"isin": STATUS_ORDER}),
        Column("reasons"), Column("basis"), Column("source_id"),
    )),
    "RelapseTimingTable": ("One row per published outcome of people whose lymphoma came back within, or "
                           "after, a stated time from CAR-T (relapse_timing_table); value is months for "
                           "medians, a proportion 0-1 for rates; a median not reached has no value and "
                           "not_reached true.", (
        Column("outcome_id", checks={"unique": True}), Column("class_id", nullable=True),
        Column("class_name", nullable=True), Column("measure"), Column("timepoint_months", float, True),
        Column("time_to_relapse"), Column("value", float, True, {"ge": 0}),
        Column("unit", checks={"isin": ("months", "proportion")}), Column("n", pd.Int64Dtype, True),
        Column("population"), Column("source_id"), Column("source_label"), Column("not_reached", bool),
    )),
    "ComparisonTable": ("One row per published comparative estimate (comparison_table): a hazard ratio of "
                        "one group against another, with its interval, the caveat words a reader is told "
                        "and who was compared.", (
        Column("comparison_id", checks={"unique": True}), Column("class_id"), Column("class_name"),
        Column("stratum", checks={"isin": STRATA}), Column("group"), Column("comparator"),
        Column("measure"), Column("heading"), Column("value", float, checks={"gt": 0}),
        Column("ci_low", float, True, {"gt": 0}), Column("ci_high", float, True, {"gt": 0}),
        Column("adjusted", bool), Column("randomised", bool), Column("caveat"),
        Column("n_group", pd.Int64Dtype, True), Column("n_comparator", pd.Int64Dtype, True),
        Column("population"), Column("source_id"), Column("source_label"),
    )),
}


def _table_name(table: str | type) -> str:
    name = table if isinstance(table, str) else table.__name__
    if name not in TABLES:
        raise ParameterError(f"unknown analysis table {name!r}; expected one of: {', '.join(TABLES)}.")
    return name


def columns(table: str | type) -> list[str]:
    """The column names of an analysis table (its name or its model), in order."""
    return [c.name for c in TABLES[_table_name(table)][1]]


def check_columns(frame: object, table: str | type, name: str, made_by: str) -> pd.DataFrame:
    """A copy of ``frame`` after checking it is a DataFrame with every column of ``table``.

    Parameters
    ----------
    frame : object
        What the caller passed.
    table : str or DataFrameModel class
        The analysis table it should be, e.g. ``"ResponseTable"``.
    name : str
        The parameter name, for the message.
    made_by : str
        The function whose output is expected, for the hint.

    Raises
    ------
    ParameterError
        When ``frame`` is not a DataFrame or lacks columns; the message names them.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}. "
                             f"Pass the output of {made_by}.")
    missing = [c for c in columns(table) if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks column(s) {', '.join(missing)}; expected the columns of "
                             f"{_table_name(table)}. Pass the output of {made_by}.")
    return frame.copy()


@cache
def model(table: str) -> Any:
    """The pandera ``DataFrameModel`` of an analysis table, made from its declaration in :data:`TABLES`."""
    import pandera.pandas as pa
    from pandera.typing import Series

    series: Any = Series  # subscripted with runtime dtypes below
    doc, cols = TABLES[_table_name(table)]
    namespace: dict[str, Any] = {
        "__doc__": doc, "__module__": __name__,
        "__annotations__": {c.name: series[c.dtype] for c in cols},
        **{c.name: pa.Field(nullable=c.nullable, **c.checks) for c in cols},
    }
    return type(table, (pa.DataFrameModel,), namespace)


def __getattr__(name: str) -> Any:
    """``frames.ResponseTable`` and the other models, made on first use (pandera is imported then)."""
    if name in TABLES:
        return model(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The class id of the headline numbers about every option together (outcomes.csv scope ``any``).
ANY_CLASS = "any"


def lead_number(numbers: pd.DataFrame, class_id: str, measure: str,
                strata: tuple[str, ...] = STRATA) -> pd.Series | None:
    """The row of the headline numbers a sentence about ``class_id`` and ``measure`` quotes: the first
    stratum of ``strata`` (direct post-CAR-T evidence first) that has one, or None.

    Examples
    --------
    >>> lead_number(headline_numbers(ev), class_id, "os_rate_12m")   # doctest: +SKIP
    """
    for stratum in strata:
        hit = numbers[(numbers["class_id"] == class_id) & (numbers["stratum"] == stratum)
                      & (numbers["measure"] == measure)]
        if len(hit):
            return hit.iloc[0]
    return None


@dataclass(frozen=True)
class TopicWords:
    """The topic's words and choices a figure set or deck needs, read from the evidence package's topic
    tables (:func:`lymphoma_evidence.analysis.topic.topic_words`), so drawing code names no topic id.

    Attributes
    ----------
    headings, sentences, shorts : dict
        Measure -> its ``heading``, ``sentence`` and ``short`` words (measures.csv).
    lead_measures, outlook_measures : tuple of str
        The measures a class's lead number and the outlook are chosen from, in order.
    responses : tuple of str
        The response measures (results.csv endpoints), in display order.
    figure_measures : dict
        Figure (``outcomes``, ``harms``) -> the measures it shows, in display order.
    status_labels : dict
        Class status -> its label in a table cell (class_statuses.csv).
    featured : dict
        Feature -> its classes, in order, as ``(class_id, measure, words, note)`` (featured_classes.csv).
    texts : dict
        Text id -> text (texts.csv); ``sources`` text id -> its source_id where it has one.
    """

    headings: dict[str, str]
    sentences: dict[str, str]
    shorts: dict[str, str]
    lead_measures: tuple[str, ...]
    outlook_measures: tuple[str, ...]
    responses: tuple[str, ...]
    figure_measures: dict[str, tuple[str, ...]]
    status_labels: dict[str, str]
    featured: dict[str, tuple[tuple[str, str, str, str], ...]]
    texts: dict[str, str]
    sources: dict[str, str]

    @property
    def response_measure(self) -> str:
        """The measure whose studies count as the response studies (the first lead measure)."""
        return self.lead_measures[0] if self.lead_measures else ""


@dataclass(frozen=True)
class AnalysisTables:
    """The analysis tables the figure set and the teaching deck draw, computed once per build.

    Made by :func:`lymphoma_evidence.analysis.tables.analysis_tables`; the assembly modules of
    :mod:`lymphoma_evidence.figures` take it instead of the evidence and call no analysis themselves.
    Rates are proportions 0-1.

    Attributes
    ----------
    version, content_hash : str
        The evidence version and content hash (printed on the figures' index and the title slide).
    classes, agents, sources, trials : pandas.DataFrame
        The evidence tables of the same names (``therapy_classes.csv`` as ``classes``); ``sources`` with
        each citation as readers see it, without curators' notes.
    studies : pandas.DataFrame
        One row per trial population and response endpoint, with its directness stratum
        (``response_studies``).
    pooled : pandas.DataFrame
        ``studies`` pooled per class, stratum and endpoint (``pool_within_strata``).
    numbers : pandas.DataFrame
        The headline numbers every sentence quotes (``headline_numbers``).
    status : pandas.DataFrame
        Each class's regulatory status derived from the approvals (``class_status``).
    words : TopicWords
        The topic's words and choices (measure words, status labels, featured classes, texts).
    options : pandas.DataFrame or None
        The options for :attr:`profile` as classes (``class_options``); None without a profile or
        eligibility rows.
    profile : object
        The patient profile of the worked case (a ``PatientProfile``), or None.
    example_profile : bool
        Whether :attr:`profile` is the illustrative example patient.
    range_checks, range_trials : pandas.DataFrame or None
        Stated ranges checked against the trials (``check_reported_ranges``) and the trials behind each
        (``ranges_trials``); None when not asked for, empty when the evidence states no range.
    questions : pandas.DataFrame or None
        The discussion questions (``discussion_questions.csv``), for the deck's case.
    trials_offered : pandas.DataFrame or None
        The registered trials a report may offer (``trials_to_ask_about``: recruiting, with a recent
        registry record).
    """

    version: str
    content_hash: str
    classes: pd.DataFrame
    agents: pd.DataFrame
    sources: pd.DataFrame
    trials: pd.DataFrame
    studies: pd.DataFrame
    pooled: pd.DataFrame
    numbers: pd.DataFrame
    status: pd.DataFrame
    words: TopicWords
    options: pd.DataFrame | None = None
    profile: Any = None
    example_profile: bool = False
    range_checks: pd.DataFrame | None = None
    range_trials: pd.DataFrame | None = None
    questions: pd.DataFrame | None = None
    trials_offered: pd.DataFrame | None = None
