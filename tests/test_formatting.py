"""Numbers and dates as readers see them: one formatter for percents and ranges, one build-date rule."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.formatting import (
    approximately,
    build_date,
    build_stamp,
    count_of,
    day_in_words,
    in_ten,
    natural_frequency,
    percent,
    percent_range,
    sentence_start,
)


@pytest.mark.parametrize(("value", "text"), [(0.523, "52%"), (1.0, "100%"), (0.0, "0%"),
                                             (math.nan, "n/a"), (None, "n/a")])
def test_percent_formats_proportions(value, text):
    assert percent(value) == text


def test_percent_range_joins_with_en_dash_and_collapses_equal_ends():
    assert percent_range(0.52, 0.634) == "52–63%"
    assert percent_range(0.35, 0.3502) == "35%"
    assert percent_range(math.nan, 0.5) == "n/a"


def test_percent_with_decimals_and_trimmed_zeros():
    assert percent(0.5412, 1) == "54.1%"
    assert percent(0.54, 1) == "54.0%"
    assert percent(0.54, 1, trim=True) == "54%"
    assert percent(0.5412, 1, trim=True) == "54.1%"


def test_percent_range_with_decimals_and_as_an_interval():
    assert percent_range(0.5, 0.605, 1, trim=True) == "50–60.5%"
    assert percent_range(0.52, 0.5204, collapse=False) == "52–52%"


@pytest.mark.parametrize(("rate", "words"), [(0.63, "about 6 in 10 people"),
                                             (0.04, "fewer than 1 in 10 people"),
                                             (0.97, "more than 9 in 10 people")])
def test_in_ten_gives_a_natural_frequency(rate, words):
    assert in_ten(rate) == words


def test_build_date_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_date() == date(2023, 11, 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ParameterError, match="SOURCE_DATE_EPOCH='yesterday'"):
        build_date()


def test_build_stamp_uses_the_same_rule_and_prints_minutes(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_stamp() == "2023-11-14 22:13 UTC"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_stamp(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02 03:04 UTC"


@pytest.mark.parametrize("value", ["yesterday", "17e8", "-5", "1.5"])
def test_a_malformed_source_date_epoch_is_one_clear_error_for_every_output(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    for rule in (build_date, build_stamp):
        with pytest.raises(ParameterError, match=r"is not a whole number of seconds since 1970-01-01"):
            rule()


@pytest.mark.parametrize("value", ["2026-11-26", "2026-11-26T14:03:11Z", "2026-11-26 14:03 UTC",
                                   date(2026, 11, 26), datetime(2026, 11, 26, 23, 59),
                                   pd.Timestamp("2026-11-26")])
def test_every_form_of_a_day_reads_the_same_in_words(value) -> None:
    assert day_in_words(value) == "26 November 2026"


@pytest.mark.parametrize("value", [None, "", "not a date", pd.NaT, float("nan")])
def test_missing_or_unreadable_days_are_empty(value) -> None:
    assert day_in_words(value) == ""


def test_single_digit_days_have_no_leading_zero() -> None:
    assert day_in_words("2025-01-07") == "7 January 2025"


# ---- natural frequencies (issue 15)

@pytest.mark.parametrize(("rate", "expected"), [
    (0.483, "about 5 in 10"), (0.15, "about 2 in 10"), (0.61, "about 6 in 10"), (0.0, "none of 10"),
    (0.03, "fewer than 1 in 10"), (0.97, "more than 9 in 10"), (1.0, "10 in 10"),
])
def test_natural_frequency_in_ten(rate, expected):
    assert natural_frequency(rate) == expected


def test_counts_of_a_total_say_none_in_words():
    assert count_of(0, 2) == "none of the 2" and count_of(3, 5) == "3 of 5"
    assert sentence_start(count_of(0, 2)) == "None of the 2" and sentence_start("") == ""


def test_natural_frequency_other_denominators():
    assert natural_frequency(0.061, 100) == "about 6 in 100"
    assert natural_frequency(0.004, 100) == "fewer than 1 in 100"


@pytest.mark.parametrize("bad", [48.3, -0.1, float("nan"), None])
def test_natural_frequency_rejects_what_is_not_a_proportion(bad):
    with pytest.raises(ValueError, match="not a proportion"):
        natural_frequency(bad)


def test_natural_frequency_rejects_a_denominator_below_two():
    with pytest.raises(ValueError, match="denominator"):
        natural_frequency(0.5, 1)


def test_percent_and_range_issue15():
    assert percent(0.523) == "52%" and percent(None) == "n/a"
    assert percent_range(0.52, 0.634) == "52–63%" and percent_range(0.5, 0.501) == "50%"


def test_approximately_marks_approximate_numbers_once():
    assert approximately("48%", True) == "~48%" and approximately("48%", False) == "48%"
    assert approximately("~48%", True) == "~48%"
