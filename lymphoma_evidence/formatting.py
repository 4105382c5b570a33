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
#: Shown for a median the source says was not reached (a finding, not a missing number).
NOT_REACHED = "not reached"
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


def natural_frequency(rate: float, denominator: int = 10) -> str:
    """A proportion (0-1) as a natural frequency: ``0.63 -> "about 6 in 10"``.

    The one function every sentence of the form "about N in 10" goes through, so a page cannot quote one
    number two ways. The count is ``round(rate * denominator)`` (halves round to even, as Python does).

    Parameters
    ----------
    rate : float
        A proportion 0-1 (not a percent).
    denominator : int
        People out of how many: 10 (default), 100, ...

    Returns
    -------
    str
        ``"about N in D"``; edge cases keep the words honest: exactly 0 gives ``"none of D"``, a rate that
        rounds to 0 gives ``"fewer than 1 in D"``, one that rounds to D without being 1 gives
        ``"more than D-1 in D"``, exactly 1 gives ``"D in D"``.

    Raises
    ------
    ValueError
        For a missing rate, a rate outside 0-1 (a percent passed by mistake) or a denominator below 2.

    Examples
    --------
    >>> natural_frequency(0.483), natural_frequency(0.03), natural_frequency(0.97)
    ('about 5 in 10', 'fewer than 1 in 10', 'more than 9 in 10')
    >>> natural_frequency(0.061, 100)
    'about 6 in 100'
    """
    if not isinstance(denominator, int) or denominator < 2:
        raise ValueError(f"denominator={denominator!r} is not usable; expected a whole number of at "
                         "least 2, e.g. 10 or 100")
    if _missing(rate) or not 0 <= float(rate) <= 1:
        raise ValueError(f"rate={rate!r} is not a proportion; expected a number from 0 to 1 "
                         "(divide a percent by 100)")
    rate = float(rate)
    count = round(rate * denominator)
    if rate == 0:
        return f"none of {denominator}"
    if rate == 1:
        return f"{denominator} in {denominator}"
    if count == 0:
        return f"fewer than 1 in {denominator}"
    if count == denominator:
        return f"more than {denominator - 1} in {denominator}"
    return f"about {count} in {denominator}"


def count_of(count: int, total: int) -> str:
    """``count`` of ``total`` things in words: ``count_of(3, 5) -> "3 of 5"``; none is said as a word,
    ``count_of(0, 2) -> "none of the 2"``, never "0 of 2"."""
    return f"none of the {total}" if count == 0 else f"{count} of {total}"


def sentence_start(text: str) -> str:
    """``text`` with its first letter upper-case (the rest untouched): ``"none of 10" -> "None of 10"``."""
    return text[:1].upper() + text[1:]


def approximately(text: str, approximate: bool) -> str:
    """Prefix ``text`` with ``"~"`` when the number behind it is approximate (a count derived from a
    rounded percentage), e.g. ``approximately("48%", True) -> "~48%"``."""
    return f"~{text}" if approximate and not text.startswith(("~", "about")) else text


def in_ten(rate: float) -> str:
    """A proportion (0-1) as a natural frequency of people: ``0.63 -> "about 6 in 10 people"``
    (:func:`natural_frequency` with "people")."""
    return f"{natural_frequency(rate)} people"


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


def month_in_words(day: date) -> str:
    """A month as patients read it, e.g. ``date(2026, 11, 30) -> "November 2026"``."""
    return f"{day:%B %Y}"
