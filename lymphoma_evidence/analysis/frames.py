"""The columns of every table the analysis returns, defined once as pandera ``DataFrameModel``\\ s.

``response_table`` returns a :class:`ResponseTable`, ``class_summary`` a :class:`ClassSummary`,
``check_reported_ranges`` a :class:`RangeCheck` and ``eligible_options`` an :class:`EligibleOptions`:
the analysis builds its frames in the models' column order, the figures check their input against them,
and the tests validate real outputs with ``Model.validate(frame)``. Rates and bounds are proportions 0-1.

pandera is imported on first use of this module, which the analysis functions do lazily, so
``import lymphoma_evidence.analysis.summaries`` stays light for the CLI.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pandera.pandas as pa
from pandera.typing import Series

from ..errors import ParameterError
from ..vocabulary import ENDPOINTS, STATUS_ORDER

if TYPE_CHECKING:
    import pandas as pd

#: The verdicts of a stated-range check, in the order the rules apply.
VERDICTS = ("unsupported", "wider", "narrower", "consistent")


class ResponseTable(pa.DataFrameModel):
    """One row per response result (:func:`~lymphoma_evidence.analysis.summaries.response_table`)."""

    result_id: Series[str] = pa.Field(unique=True)
    class_id: Series[str]
    class_name: Series[str]
    agent_id: Series[str] = pa.Field(nullable=True)
    agent_name: Series[str] = pa.Field(nullable=True)
    regimen: Series[str]
    trial: Series[str]
    population: Series[str]
    disease: Series[str] = pa.Field(nullable=True)
    post_car_t: Series[pa.BOOL] = pa.Field(nullable=True)
    endpoint: Series[str] = pa.Field(isin=ENDPOINTS)
    analysis_set: Series[str]
    n: Series[pa.Int64] = pa.Field(ge=1)
    responders: Series[pa.Int64] = pa.Field(ge=0)
    rate: Series[float] = pa.Field(ge=0, le=1)
    ci_low: Series[float] = pa.Field(ge=0, le=1)
    ci_high: Series[float] = pa.Field(ge=0, le=1)
    source_id: Series[str]
    source_label: Series[str]
    #: the count was derived from a rounded percentage that more than one whole number fits
    approximate: Series[bool]

    class Config:
        coerce = False


class ClassSummary(pa.DataFrameModel):
    """One row per therapy class, endpoint, disease and analysis set
    (:func:`~lymphoma_evidence.analysis.summaries.class_summary`); ``disease`` comes last."""

    class_id: Series[str]
    class_name: Series[str]
    endpoint: Series[str] = pa.Field(isin=ENDPOINTS)
    analysis_set: Series[str]
    n_studies: Series[int] = pa.Field(ge=1)
    total_patients: Series[int] = pa.Field(ge=1)
    rate_min: Series[float] = pa.Field(ge=0, le=1)
    rate_max: Series[float] = pa.Field(ge=0, le=1)
    pooled_rate: Series[float] = pa.Field(ge=0, le=1)
    pooled_ci_low: Series[float] = pa.Field(ge=0, le=1)
    pooled_ci_high: Series[float] = pa.Field(ge=0, le=1)
    pi_low: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    pi_high: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    i_squared: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    tau_squared: Series[float] = pa.Field(ge=0, nullable=True)
    single_study: Series[bool]
    result_ids: Series[str]
    disease: Series[str] = pa.Field(nullable=True)


class RangeCheck(pa.DataFrameModel):
    """One row per stated range, checked against the primary results
    (:func:`~lymphoma_evidence.analysis.summaries.check_reported_ranges`)."""

    range_id: Series[str] = pa.Field(unique=True)
    class_id: Series[str]
    endpoint: Series[str] = pa.Field(isin=ENDPOINTS)
    claim_low: Series[float] = pa.Field(ge=0, le=1)
    claim_high: Series[float] = pa.Field(ge=0, le=1)
    primary_low: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    primary_high: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    primary_ci_low: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    primary_ci_high: Series[float] = pa.Field(ge=0, le=1, nullable=True)
    n_studies: Series[int] = pa.Field(ge=0)
    verdict: Series[str] = pa.Field(isin=VERDICTS)
    explanation: Series[str]
    source_id: Series[str]
    result_ids: Series[str]


class EligibleOptions(pa.DataFrameModel):
    """One row per eligibility row, with its status for one patient profile
    (:func:`~lymphoma_evidence.analysis.eligibility.eligible_options`)."""

    scope_id: Series[str]
    scope_type: Series[str] = pa.Field(isin=("agent", "class"))
    name: Series[str]
    class_id: Series[str]
    class_name: Series[str]
    status: Series[str] = pa.Field(isin=STATUS_ORDER)
    reasons: Series[str]
    basis: Series[str]
    source_id: Series[str]


@cache
def columns(model: type[pa.DataFrameModel]) -> list[str]:
    """The column names of ``model``, in order."""
    return list(model.to_schema().columns)


def check_columns(frame: object, model: type[pa.DataFrameModel], name: str, made_by: str) -> pd.DataFrame:
    """A copy of ``frame`` after checking it is a DataFrame with every column of ``model``.

    Parameters
    ----------
    frame : object
        What the caller passed.
    model : DataFrameModel subclass
        The table it should be.
    name : str
        The parameter name, for the message.
    made_by : str
        The function whose output is expected, for the hint.

    Raises
    ------
    ParameterError
        When ``frame`` is not a DataFrame or lacks columns; the message names them.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}. "
                             f"Pass the output of {made_by}.")
    missing = [c for c in columns(model) if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks column(s) {', '.join(missing)}; expected the columns of "
                             f"{model.__name__}. Pass the output of {made_by}.")
    return frame.copy()
