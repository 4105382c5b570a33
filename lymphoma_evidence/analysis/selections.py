"""Which response rows a chart shows: the studies behind a summary, the trials behind each stated range.

Evidence in, :class:`~.frames.ResponseTable` rows out; the figures draw what these return.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError
from .frames import columns
from .summaries import class_summary, response_table


def forest_rows_for(evidence: Evidence, summary: pd.DataFrame, post_car_t: bool | None = None,
                    ) -> pd.DataFrame:
    """The ``response_table`` rows a forest plot shows: the studies behind ``summary``, plus the
    post-CAR-T results (subgroups included) when ``post_car_t`` is None; one data cut per cohort.
    """
    endpoint = str(summary["endpoint"].iloc[0]) if len(summary) else None  # None: the topic's default
    ids = result_ids(summary)
    if post_car_t is None:
        ids |= result_ids(class_summary(evidence, endpoint=endpoint, post_car_t=True))
    table = response_table(evidence, endpoint=endpoint, post_car_t=post_car_t)
    return table[table["result_id"].isin(ids)].reset_index(drop=True)


def ranges_trials(evidence: Evidence, checks: pd.DataFrame) -> pd.DataFrame:
    """The response-table rows each stated range was checked against (``checks.result_ids``),
    with a ``range_id`` column naming the range.
    """
    parts = []
    for endpoint, group in checks.groupby("endpoint", sort=False):
        table = response_table(evidence, endpoint=str(endpoint))
        parts += [table[table["result_id"].isin(split_ids(check.result_ids))]
                  .assign(range_id=check.range_id) for check in group.itertuples(index=False)]
    if not parts:
        return pd.DataFrame(columns=[*columns("ResponseTable"), "range_id"])
    return pd.concat(parts, ignore_index=True)


def result_ids(frame: pd.DataFrame) -> set[str]:
    """The result ids listed ("; "-joined) in a summary's or check's ``result_ids`` column."""
    if "result_ids" not in frame.columns:
        raise ParameterError("expected a result_ids column (class_summary / check_reported_ranges "
                             f"output); got columns {', '.join(map(str, frame.columns))}.")
    return set().union(*map(split_ids, frame["result_ids"]))


def split_ids(value: Any) -> set[str]:
    """``"a; b"`` -> ``{"a", "b"}``; missing -> empty set."""
    return set() if pd.isna(value) else {i.strip() for i in str(value).split(";") if i.strip()}
