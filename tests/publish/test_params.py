"""Report parameters checked against the notebook's parameters cell (papermill inspection)."""

from __future__ import annotations

import pytest
from helpers import FIXTURES

from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.publish.definitions import ReportSpec
from lymphoma_evidence.publish.params import check_parameters, notebook_parameters, parameter_problems

NOTEBOOKS = FIXTURES / "notebooks"


def spec(notebook: str, **parameters: object) -> ReportSpec:
    return ReportSpec("r", NOTEBOOKS / notebook, parameters)


def test_expected_types_come_from_annotations_or_defaults():
    declared = notebook_parameters(NOTEBOOKS / "typed_params.ipynb")
    assert {name: p.expected for name, p in declared.items()} == {
        "title": "str", "count": "int", "ratio": "float", "flag": "bool", "names": "list", "anything": ""}
    assert notebook_parameters(NOTEBOOKS / "ok_params.ipynb")["show_figure"].expected == "bool"


def test_matching_values_pass_and_ints_are_accepted_as_floats():
    assert parameter_problems(spec("typed_params.ipynb", title="x", count=2, ratio=1, flag=True,
                                   names=["a"], anything={"k": [1]})) == []


@pytest.mark.parametrize(("name", "value", "message"), [
    ("count", "3", "parameter 'count' is str '3', but the notebook expects int"),
    ("count", True, "parameter 'count' is bool True, but the notebook expects int"),
    ("ratio", "0.5", "parameter 'ratio' is str '0.5', but the notebook expects float"),
    ("flag", 1, "parameter 'flag' is int 1, but the notebook expects bool"),
    ("names", "a", "parameter 'names' is str 'a', but the notebook expects list"),
    ("colour", "red", "unknown parameter 'colour' \\(given 'red'\\); the notebook's parameters cell "
                      "declares: title, count, ratio, flag, names, anything"),
])
def test_wrong_types_and_unknown_names_are_reported(name, value, message):
    with pytest.raises(ParameterError, match=f"report 'r' \\(typed_params.ipynb\\): {message}"):
        check_parameters([spec("typed_params.ipynb", **{name: value})])


def test_notebook_without_parameters_cell_cannot_take_parameters():
    assert parameter_problems(spec("no_parameters.ipynb")) == []
    with pytest.raises(ParameterError, match="has no cell tagged 'parameters', so it cannot take x"):
        check_parameters([spec("no_parameters.ipynb", x=1)])


def test_all_problems_are_collected_in_one_error():
    with pytest.raises(ParameterError, match=r"2 invalid report parameter\(s\); nothing was run"):
        check_parameters([spec("typed_params.ipynb", count="1"), spec("ok_params.ipynb", nope=1)])
