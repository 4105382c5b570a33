"""Which registered trials a report may offer as trials to ask about: recruiting, with a recent status.

A trial's registry status is only as good as the record it was copied from. A status that is not
recruiting, or whose record date (``status_date``; ``status_verified`` before the schema renamed it) is
older than a threshold, is not offered to readers; the analyst's audit lists it instead.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..errors import ParameterError
from ..formatting import build_date

#: Registry statuses under which a person can still join a trial.
RECRUITING_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
#: Default age limit of a trial's status, in whole months.
STATUS_MAX_AGE_MONTHS = 12
#: The column holding the date of the stored registry record, newest schema name first.
STATUS_DATE_COLUMNS = ("status_date", "status_verified")
#: Columns of :func:`trial_status_check`.
CHECK_COLUMNS = ["nct_id", "class_id", "status", "status_date", "months_old", "offered", "reason"]


def reference_date(today: date | None = None) -> date:
    """``today`` when given, else the build day (``SOURCE_DATE_EPOCH`` when set, for reproducible builds)."""
    return today if today is not None else build_date()


def status_date_column(trials: pd.DataFrame) -> str:
    """The name of the status-date column of ``trials`` (``status_date`` or ``status_verified``)."""
    for name in STATUS_DATE_COLUMNS:
        if name in trials.columns:
            return name
    raise ParameterError(f"trials has none of the columns {', '.join(STATUS_DATE_COLUMNS)}; expected "
                         "the trials table of the evidence")


def _whole_months(earlier: pd.Series, now: pd.Timestamp) -> pd.Series:
    return ((now.year - earlier.dt.year) * 12 + (now.month - earlier.dt.month)
            - (now.day < earlier.dt.day).astype(int)).astype("Int64")


def trial_status_check(trials: pd.DataFrame, months: int = STATUS_MAX_AGE_MONTHS,
                       today: date | None = None) -> pd.DataFrame:
    """Each trial with its status age and whether a report may offer it as a trial to ask about.

    Parameters
    ----------
    trials : pandas.DataFrame
        The evidence's trials table (not changed).
    months : int
        Age limit of the status date in whole months (``>= 0``); a status exactly ``months`` old is
        still current.
    today : datetime.date, optional
        Reference date (default: :func:`reference_date`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`, in the order of ``trials``: ``status_date`` as ``YYYY-MM-DD``,
        ``months_old`` in whole months (missing when the date is), ``offered`` True only for a
        recruiting status no older than ``months``, ``reason`` in words when not offered.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ParameterError(f"months must be a whole number >= 0, got {months!r}; e.g. 12")
    now = pd.Timestamp(reference_date(today))
    seen = pd.to_datetime(trials[status_date_column(trials)])
    age = _whole_months(seen, now)
    status = trials["status"].astype("string")
    recruiting = status.isin(RECRUITING_STATUSES).fillna(False).astype(bool)
    current = (age <= months).fillna(False).astype(bool)
    reasons = []
    for is_recruiting, is_current, old in zip(recruiting, current, age, strict=True):
        parts = []
        if not is_recruiting:
            parts.append("not recruiting")
        if not is_current:
            parts.append("no status date" if pd.isna(old) else f"status {old} months old")
        reasons.append("; ".join(parts))
    return pd.DataFrame({
        "nct_id": trials["nct_id"].astype("string").to_numpy(),
        "class_id": trials["class_id"].astype("string").to_numpy(),
        "status": status.to_numpy(),
        "status_date": seen.dt.strftime("%Y-%m-%d").astype("string").to_numpy(),
        "months_old": pd.array(age, dtype="Int64"),
        "offered": (recruiting & current).to_numpy(),
        "reason": pd.array(reasons, dtype="string"),
    }, columns=CHECK_COLUMNS)


def trials_to_ask_about(trials: pd.DataFrame, months: int = STATUS_MAX_AGE_MONTHS,
                        today: date | None = None) -> pd.DataFrame:
    """The rows of ``trials`` a report may offer: recruiting, status no older than ``months`` months."""
    offered = trial_status_check(trials, months, today)["offered"].to_numpy(dtype=bool)
    return trials[offered].copy()
