"""Which registered trials a report may offer as trials to ask about: recruiting, with a recent record.

A trial's registry status is only as good as the record it was copied from. A status that is not
recruiting, or whose record date (``status_date``; ``status_verified`` before the schema renamed it) is
older than a limit, is not offered to readers; the analyst's audit lists it instead.

The one rule, used by every report and by the tests that count trials: a record is recent when it is dated
on or after :func:`record_cutoff`, the same calendar day ``months`` months before the reference date (the
last day of that month when it is shorter). It is exact by date: with 12 months on 7 December 2026, a
record of 7 December 2025 is recent and one of 6 December 2025 is not, although both are "12 months old"
in whole months.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..errors import ParameterError
from ..formatting import build_date

#: Registry statuses under which a person can still join a trial.
RECRUITING_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
#: Default age limit of a trial's registry record, in calendar months (see :func:`record_cutoff`).
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


def _check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ParameterError(f"months must be a whole number >= 0, got {months!r}; e.g. 12")
    return months


def record_cutoff(months: int = STATUS_MAX_AGE_MONTHS, today: date | None = None) -> date:
    """The oldest record date that is still recent: the same calendar day ``months`` months before the
    reference date, or the last day of that month when it is shorter (31 March minus 1 month is 28 or 29
    February).

    Parameters
    ----------
    months : int
        Age limit in calendar months (``>= 0``; 0 keeps only records of the reference day or later).
    today : datetime.date, optional
        Reference date (default: :func:`reference_date`, the build day).
    """
    now = pd.Timestamp(reference_date(today))
    return (now - pd.DateOffset(months=_check_months(months))).date()


def recent_records(dates: pd.Series, months: int = STATUS_MAX_AGE_MONTHS,
                   today: date | None = None) -> pd.Series:
    """Whether each record date is recent: on or after :func:`record_cutoff` (exact by date).

    Parameters
    ----------
    dates : pandas.Series
        Record dates (dates, timestamps or ``YYYY-MM-DD`` strings; missing allowed; not changed).
    months, today
        As for :func:`record_cutoff`.

    Returns
    -------
    pandas.Series
        Booleans with the index of ``dates``; a missing date is not recent.
    """
    cutoff = pd.Timestamp(record_cutoff(months, today))
    return (pd.to_datetime(dates) >= cutoff).astype(bool)  # NaT compares False


def _whole_months(earlier: pd.Series, now: pd.Timestamp) -> pd.Series:
    return ((now.year - earlier.dt.year) * 12 + (now.month - earlier.dt.month)
            - (now.day < earlier.dt.day).astype(int)).astype("Int64")


def trial_status_check(trials: pd.DataFrame, months: int = STATUS_MAX_AGE_MONTHS,
                       today: date | None = None) -> pd.DataFrame:
    """Each trial with its record's age and whether a report may offer it as a trial to ask about.

    Parameters
    ----------
    trials : pandas.DataFrame
        The evidence's trials table (not changed).
    months : int
        Age limit of the record in calendar months (``>= 0``): a record dated on or after
        :func:`record_cutoff` is recent, so one of the same day ``months`` months ago still is.
    today : datetime.date, optional
        Reference date (default: :func:`reference_date`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`, in the order of ``trials``: ``status_date`` as ``YYYY-MM-DD``,
        ``months_old`` in whole months, rounded down (missing when the date is; shown to analysts, never
        used to decide), ``offered`` True only for a recruiting status with a recent record
        (:func:`recent_records`), ``reason`` in words when not offered.
    """
    cutoff = record_cutoff(months, today)
    seen = pd.to_datetime(trials[status_date_column(trials)])
    age = _whole_months(seen, pd.Timestamp(reference_date(today)))
    status = trials["status"].astype("string")
    recruiting = status.isin(RECRUITING_STATUSES).fillna(False).astype(bool)
    current = recent_records(seen, months, today)
    reasons = []
    for is_recruiting, is_current, when in zip(recruiting, current, seen, strict=True):
        parts = []
        if not is_recruiting:
            parts.append("not recruiting")
        if not is_current:
            parts.append("no status date" if pd.isna(when) else f"record of {when:%Y-%m-%d} is older than "
                         f"{months} months (before {cutoff:%Y-%m-%d})")
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
    """The rows of ``trials`` a report may offer: recruiting, with a recent record (:func:`recent_records`:
    dated on or after :func:`record_cutoff`)."""
    offered = trial_status_check(trials, months, today)["offered"].to_numpy(dtype=bool)
    return trials[offered].copy()
