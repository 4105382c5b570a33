"""Dates in words for people: no ISO timestamps in what readers see."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from lymphoma_evidence.dates import day_in_words


@pytest.mark.parametrize("value", ["2026-11-26", "2026-11-26T14:03:11Z", "2026-11-26 14:03 UTC",
                                   date(2026, 11, 26), datetime(2026, 11, 26, 23, 59),
                                   pd.Timestamp("2026-11-26")])
def test_every_form_of_a_day_reads_the_same(value) -> None:
    assert day_in_words(value) == "26 November 2026"


@pytest.mark.parametrize("value", [None, "", "not a date", pd.NaT])
def test_missing_or_unreadable_days_are_empty(value) -> None:
    assert day_in_words(value) == ""


def test_single_digit_days_have_no_leading_zero() -> None:
    assert day_in_words("2025-01-07") == "7 January 2025"
