"""Check report parameters against a notebook's ``parameters`` cell, before anything runs.

The expected names come from papermill's inspection of the cell tagged ``parameters``; the expected type
is the annotation (``n: int = 3``) when there is one, otherwise the type of the default value. A default of
``None`` accepts anything. Parameter values are data: they are compared, never evaluated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .definitions import ReportSpec

ACCEPTS: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
    "list": (list,), "tuple": (list,), "dict": (dict,),
}


@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell: its expected type (``""`` = any) and default."""

    name: str
    expected: str
    default: str


@lru_cache(maxsize=64)
def _inspect(notebook: Path, mtime_ns: int) -> tuple[bool, tuple[NotebookParameter, ...]]:
    import papermill
    from papermill.iorw import load_notebook_node
    from papermill.utils import find_first_tagged_cell_index

    has_cell = find_first_tagged_cell_index(load_notebook_node(str(notebook)), "parameters") >= 0
    found = papermill.inspect_notebook(str(notebook))
    return has_cell, tuple(
        NotebookParameter(name, _expected_type(item["inferred_type_name"], item["default"]),
                          item["default"])
        for name, item in found.items())


def notebook_parameters(notebook: Path) -> dict[str, NotebookParameter] | None:
    """The parameters a notebook declares, or ``None`` when it has no cell tagged ``parameters``."""
    notebook = Path(notebook)
    has_cell, found = _inspect(notebook, notebook.stat().st_mtime_ns)
    return {p.name: p for p in found} if has_cell else None


def _expected_type(annotation: str, default: str) -> str:
    if annotation and annotation != "None":
        parts = [p.strip() for p in re.split(r"[|\[\],]", annotation.replace("typing.", ""))]
        names = [p for p in parts if p and p not in {"None", "Optional"}]
        head = names[0].lower() if names else ""
        return head if head in ACCEPTS else ""
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return ""
    kind = type(value).__name__
    return kind if kind in ACCEPTS else ""


def _matches(value: Any, expected: str) -> bool:
    if not expected:
        return True
    if isinstance(value, bool) and expected != "bool":
        return False
    return isinstance(value, ACCEPTS[expected])


def parameter_problems(spec: ReportSpec) -> list[str]:
    """Every problem with ``spec``'s parameters, as messages naming the report and the parameter."""
    declared = notebook_parameters(spec.notebook)
    where = f"report {spec.name!r} ({spec.notebook.name})"
    if declared is None:
        if not spec.parameters:
            return []
        return [f"{where}: the notebook has no cell tagged 'parameters', so it cannot take "
                f"{', '.join(spec.parameters)}; tag its parameters cell or remove the parameters."]
    problems = []
    for key, value in spec.parameters.items():
        if key not in declared:
            problems.append(f"{where}: unknown parameter {key!r} (given {value!r}); the notebook's "
                            f"parameters cell declares: {', '.join(declared) or 'nothing'}. "
                            "Check the spelling in reports.toml.")
        elif not _matches(value, declared[key].expected):
            param = declared[key]
            problems.append(f"{where}: parameter {key!r} is {type(value).__name__} {value!r}, but the "
                            f"notebook expects {param.expected} (default {param.default}); "
                            f"give a {param.expected} value in reports.toml.")
    return problems


def check_parameters(specs: Iterable[ReportSpec]) -> None:
    """Check every report's parameters; raise one error listing all problems.

    Raises
    ------
    ParameterError
        When any report names a parameter its notebook does not declare, or gives a value of the
        wrong type.
    """
    problems = [problem for spec in specs for problem in parameter_problems(spec)]
    if problems:
        raise ParameterError(f"{len(problems)} invalid report parameter(s); nothing was run:\n  "
                             + "\n  ".join(problems))
