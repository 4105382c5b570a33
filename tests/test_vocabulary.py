"""The fixed words are defined once and check input with one message (the endpoints are the topic's:
tests/data/test_topic_tables.py)."""

from __future__ import annotations

import pytest

from lymphoma_evidence.errors import ParameterError, Problem, ProblemCode
from lymphoma_evidence.vocabulary import (
    AUDIENCES,
    STATUS_NAMES,
    STATUS_ORDER,
    check_audience,
)


def test_every_status_has_its_words() -> None:
    assert set(STATUS_NAMES) == set(STATUS_ORDER)


def test_the_tuples_hold_plain_strings_that_equal_the_enum_members() -> None:
    assert all(type(e) is str for e in (*AUDIENCES, *STATUS_ORDER))


def test_checks_return_good_values_and_name_given_and_expected_values() -> None:
    assert check_audience("patient") == "patient"
    with pytest.raises(ParameterError, match=r"^audience='press' is not allowed; expected one of: 'clin"):
        check_audience("press")


def test_a_problem_code_outside_the_catalogue_is_a_programming_error() -> None:
    assert Problem("results.csv", 2, "n", "bad", "type-error").code == ProblemCode.TYPE_ERROR
    with pytest.raises(ValueError, match="not-a-code"):
        Problem("results.csv", 2, "n", "bad", "not-a-code")
