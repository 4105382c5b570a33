"""Dates as people read them: ``26 November 2026``, never ``2026-11-26T14:03:11Z``."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd


def day_in_words(value: date | datetime | str | pd.Timestamp | None) -> str:
    """A day written out, e.g. ``26 November 2026``; ``""`` for a missing or unreadable value.

    Accepts a date, a datetime or Timestamp (the time is dropped), or ISO text (``2026-11-26``,
    ``2026-11-26T14:03:11Z``, ``2026-11-26 14:03 UTC``).
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        text = value.strip().removesuffix(" UTC")
        try:
            value = pd.Timestamp(text)
        except ValueError:
            return ""
        if pd.isna(value):
            return ""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"
