"""Numbers and dates as readers see them: percents, ranges, natural frequencies, the build date.

Proportions are 0-1 inside the library; these functions are the edge where they become percent text.
Every output (reports, charts, alt text, slides, claim explanations, evidence diffs) formats through here,
so a range always reads ``52–63%`` (en dash) and the build date always follows one rule.

Part of the foundation layer: imports only :mod:`lymphoma_evidence.errors`.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime

from .errors import ParameterError

#: Shown for a missing number.
MISSING = "n/a"
#: Between the ends of a range.
RANGE_DASH = "\u2013"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value != value


def percent(proportion: float | None, digits: int = 0, *, trim: bool = False) -> str:
    """A proportion (0-1) as percent text.

    Parameters
    ----------
    proportion : float or None
        A proportion 0-1; None or NaN gives ``"n/a"``.
    digits : int
        Decimals shown (``0.523 -> "52%"``, with 1: ``"52.3%"``).
    trim : bool
        Drop trailing zeros, so ``digits=1`` prints ``0.54 -> "54%"`` and ``0.541 -> "54.1%"``.
    """
    if _missing(proportion):
        return MISSING
    value = 100 * float(proportion)  # type: ignore[arg-type]
    if trim:
        return f"{round(value, digits):g}%"
    return f"{value:.{digits}f}%"


def percent_range(low: float | None, high: float | None, digits: int = 0, *, trim: bool = False,
                  collapse: bool = True) -> str:
    """Two proportions (0-1) as a percent range: ``"52–63%"``.

    Parameters
    ----------
    low, high : float or None
        The ends, proportions 0-1; a missing end gives ``"n/a"``.
    digits, trim
        As for :func:`percent`.
    collapse : bool
        When both ends print the same, show one number (``"52%"``); False keeps ``"52–52%"`` (an interval).
    """
    first, last = percent(low, digits, trim=trim), percent(high, digits, trim=trim)
    if MISSING in (first, last):
        return MISSING
    if collapse and first == last:
        return first
    return f"{first[:-1]}{RANGE_DASH}{last}"


def in_ten(rate: float) -> str:
    """A proportion (0-1) as a natural frequency: ``0.63 -> "about 6 in 10 people"``."""
    tenths = round(rate * 10)
    if tenths == 0:
        return "fewer than 1 in 10 people"
    if tenths == 10:
        return "almost everyone"
    return f"about {tenths} in 10 people"


def build_moment(now: datetime | None = None) -> datetime:
    """When outputs say they were built: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when set, else now.

    The one rule for every output (reports, the build index, figures.md, the slide deck).

    Parameters
    ----------
    now : datetime, optional
        The time to use when ``SOURCE_DATE_EPOCH`` is not set (default: the current UTC time).

    Raises
    ------
    ParameterError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return now or datetime.now(UTC)
    if not epoch.isdigit():
        raise ParameterError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since "
                             "1970-01-01; set it like SOURCE_DATE_EPOCH=$(git log -1 --format=%ct).")
    return datetime.fromtimestamp(int(epoch), UTC)


def build_date(now: datetime | None = None) -> date:
    """The build day (UTC) under the rule of :func:`build_moment`."""
    return build_moment(now).date()


def build_stamp(now: datetime | None = None) -> str:
    """The build time as reports print it, ``YYYY-MM-DD HH:MM UTC`` (rule: :func:`build_moment`)."""
    return build_moment(now).strftime("%Y-%m-%d %H:%M UTC")


def day_in_words(value: date | datetime | str | None) -> str:
    """A day written out for people, e.g. ``26 November 2026``; ``""`` for a missing or unreadable value.

    Accepts a date, a datetime or pandas Timestamp (the time is dropped), or ISO text (``2026-11-26``,
    ``2026-11-26T14:03:11Z``, ``2026-11-26 14:03 UTC``). Never an ISO timestamp in what readers see.
    """
    if value is None or value != value:  # None, NaT, NaN
        return ""
    if isinstance(value, str):
        text = value.strip().removesuffix(" UTC").replace("Z", "+00:00")
        try:
            value = datetime.fromisoformat(text) if text else None
        except ValueError:
            return ""
        if value is None:
            return ""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"
