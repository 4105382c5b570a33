"""Number formatting shared by every output: percents, percent ranges and natural frequencies.

Foundation layer: no imports from the rest of the package. Proportions (0-1) come in; words and percent
signs go out. One definition each, so a figure, a slide and a report print the same number the same way.
"""

from __future__ import annotations

import math

__all__ = ["percent", "percent_range", "natural_frequency", "approximately"]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(proportion: float | None, digits: int = 0) -> str:
    """A proportion (0-1) as a percent, e.g. ``0.523 -> "52%"``; a missing value gives ``"n/a"``.

    Examples
    --------
    >>> percent(0.523), percent(0.0615, 1), percent(float("nan"))
    ('52%', '6.2%', 'n/a')
    """
    if _missing(proportion):
        return "n/a"
    return f"{100 * float(proportion):.{digits}f}%"


def percent_range(low: float | None, high: float | None) -> str:
    """Two proportions (0-1) as a percent range, e.g. ``"52–63%"``; equal ends give ``"52%"``.

    Examples
    --------
    >>> percent_range(0.52, 0.634), percent_range(0.5, 0.501)
    ('52–63%', '50%')
    """
    lo, hi = percent(low), percent(high)
    if "n/a" in (lo, hi):
        return "n/a"
    return lo if lo == hi else f"{lo[:-1]}–{hi}"


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
        ``"about N in D"``; edge cases keep the words honest: exactly 0 gives ``"0 in D"``, a rate that
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
        return f"0 in {denominator}"
    if rate == 1:
        return f"{denominator} in {denominator}"
    if count == 0:
        return f"fewer than 1 in {denominator}"
    if count == denominator:
        return f"more than {denominator - 1} in {denominator}"
    return f"about {count} in {denominator}"


def approximately(text: str, approximate: bool) -> str:
    """Prefix ``text`` with ``"~"`` when the number behind it is approximate (a count derived from a
    rounded percentage), e.g. ``approximately("48%", True) -> "~48%"``."""
    return f"~{text}" if approximate and not text.startswith(("~", "about")) else text
