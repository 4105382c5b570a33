"""Tests for lymphoma_evidence.formatting: percents and natural frequencies."""

from __future__ import annotations

import pytest

from lymphoma_evidence.formatting import approximately, natural_frequency, percent, percent_range


@pytest.mark.parametrize(("rate", "expected"), [
    (0.483, "about 5 in 10"), (0.15, "about 2 in 10"), (0.61, "about 6 in 10"), (0.0, "0 in 10"),
    (0.03, "fewer than 1 in 10"), (0.97, "more than 9 in 10"), (1.0, "10 in 10"),
])
def test_natural_frequency_in_ten(rate, expected):
    assert natural_frequency(rate) == expected


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


def test_percent_and_range():
    assert percent(0.523) == "52%" and percent(None) == "n/a"
    assert percent_range(0.52, 0.634) == "52–63%" and percent_range(0.5, 0.501) == "50%"


def test_approximately_marks_approximate_numbers_once():
    assert approximately("48%", True) == "~48%" and approximately("48%", False) == "48%"
    assert approximately("~48%", True) == "~48%"
