"""The columns of every table the analysis returns, defined once, and their pandera ``DataFrameModel``\\ s.

``response_table`` returns a :data:`ResponseTable`, ``class_summary`` a :data:`ClassSummary`,
``check_reported_ranges`` a :data:`RangeCheck` and ``eligible_options`` an :data:`EligibleOptions`.
Each table is declared once below (:data:`TABLES`: column order, dtype, nullability, checks). The analysis
builds its frames in that order and the figures check their input with :func:`check_columns`, both without
importing pandera; ``frames.ResponseTable`` and the other names are real pandera ``DataFrameModel``
classes made from the same declaration on first use, which tests validate real outputs against
(``ResponseTable.validate(frame)``). Rates and bounds are proportions 0-1.

pandera is imported only when a model is used, not by the analysis functions: report kernels do not pay
for it (about 0.3 s of CPU each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..vocabulary import ENDPOINTS, STATUS_ORDER

#: The strata of directness, as :data:`lymphoma_evidence.analysis.strata.STRATA` (repeated because drawing
#: modules import this module, and must not import the analysis; a test keeps the two equal).
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
        Column("post_car_t", pd.BooleanDtype, nullable=True), Column("endpoint", checks={"isin": ENDPOINTS}),
        Column("analysis_set"), Column("n", pd.Int64Dtype, checks={"ge": 1}),
        Column("responders", pd.Int64Dtype, checks={"ge": 0}), _rate("rate"), _rate("ci_low"),
        _rate("ci_high"), Column("source_id"), Column("source_label"),
        # true when the count is `rounded` (several whole numbers fit the printed percentage)
        Column("approximate", bool),
    )),
    "ClassSummary": ("One row per therapy class, stratum of directness, endpoint and disease "
                     "(class_summary); disease comes last.", (
        Column("class_id"), Column("class_name"), Column("stratum", checks={"isin": STRATA}),
        Column("endpoint", checks={"isin": ENDPOINTS}),
        Column("analysis_set"), Column("n_studies", int, checks={"ge": 1}),
        Column("total_patients", int, checks={"ge": 1}), _rate("rate_min"), _rate("rate_max"),
        _rate("pooled_rate"), _rate("pooled_ci_low"), _rate("pooled_ci_high"), _rate("pi_low", True),
        _rate("pi_high", True), _rate("i_squared", True), Column("tau_squared", float, True, {"ge": 0}),
        Column("single_study", bool), Column("result_ids"), Column("disease", nullable=True),
    )),
    "RangeCheck": ("One row per stated range, checked against the primary results "
                   "(check_reported_ranges).", (
        Column("range_id", checks={"unique": True}), Column("class_id"),
        Column("endpoint", checks={"isin": ENDPOINTS}), _rate("claim_low"), _rate("claim_high"),
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
