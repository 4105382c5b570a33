"""The fixed words are defined once, agree with the evidence schema, and check input with one message."""

from __future__ import annotations

import json

import pytest
from helpers import EVIDENCE

from lymphoma_evidence.errors import ParameterError, Problem, ProblemCode
from lymphoma_evidence.vocabulary import (
    AUDIENCES,
    ENDPOINTS,
    STATUS_NAMES,
    STATUS_ORDER,
    Endpoint,
    check_audience,
    check_endpoint,
)


def _schema_enum(table: str, field: str) -> list[str]:
    package = json.loads((EVIDENCE / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == table)
    spec = next(f for f in resource["schema"]["fields"] if f["name"] == field)
    return spec["constraints"]["enum"]


def test_endpoints_are_the_ones_the_schema_allows() -> None:
    assert list(ENDPOINTS) == _schema_enum("results", "endpoint")


def test_every_endpoint_and_status_has_its_words() -> None:
    assert set(STATUS_NAMES) == set(STATUS_ORDER)


def test_the_tuples_hold_plain_strings_that_equal_the_enum_members() -> None:
    assert all(type(e) is str for e in (*ENDPOINTS, *AUDIENCES, *STATUS_ORDER))
    assert Endpoint.ORR == "ORR" and f"{Endpoint.CR}" == "CR"


def test_checks_return_good_values_and_name_given_and_expected_values() -> None:
    assert check_endpoint("CR") == "CR"
    assert check_audience("patient") == "patient"
    expected = r"^endpoint='PFS' is not allowed; expected one of: 'ORR', 'CR'\."
    with pytest.raises(ParameterError, match=expected):
        check_endpoint("PFS")
    with pytest.raises(ParameterError, match=r"^audience='press' is not allowed; expected one of: 'clin"):
        check_audience("press")


def test_a_problem_code_outside_the_catalogue_is_a_programming_error() -> None:
    assert Problem("results.csv", 2, "n", "bad", "type-error").code == ProblemCode.TYPE_ERROR
    with pytest.raises(ValueError, match="not-a-code"):
        Problem("results.csv", 2, "n", "bad", "not-a-code")
