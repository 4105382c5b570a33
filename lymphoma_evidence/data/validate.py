"""Validation of the evidence: schema (pandera, from the Table Schema), then cross-table and domain checks.

Every problem is collected; nothing stops at the first. Each problem names the file, the line (header = 1),
the column, what is wrong and how to fix it. Validation only reads files.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import Problem
from ..paths import evidence_dir
from . import checks
from .coerce import coerce_column, dtype_for, text_frame
from .csvread import RawTable, read_raw_table
from .schema import Field, Package, Table, load_package

PATTERN_HINTS = {
    "pmid": "digits only, e.g. 36548927",
    "doi": "a DOI such as 10.1200/JCO.22.01725, without https://doi.org/",
    "nct_id": "NCT followed by 8 digits, e.g. NCT03625037",
    "url": "a web address starting with https:// or http://",
}
ID_HINT = "lowercase letters, digits and underscores, e.g. epcore_nhl1_orr"
#: Tables already typed and checked against their schema in this process, by schema and content, so that
#: validating the same table again (``diff`` of two revisions, an edited workbook beside the evidence, many
#: copies that differ in one file) does not type it again: that is two thirds of a validation.
_CHECKED: OrderedDict[tuple, tuple[pd.DataFrame, tuple[Problem, ...]]] = OrderedDict()
_CHECKED_MAX = 64


def empty_frame(table: Table) -> pd.DataFrame:
    """A frame with no rows and the table's columns and dtypes (a copy: the caller may change it)."""
    return _empty_frame(tuple((f.name, dtype_for(f)) for f in table.fields)).copy()


@lru_cache(maxsize=128)
def _empty_frame(columns: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Made once per set of columns: building the Series costs about 14 ms a table, a copy 0.1 ms."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns})


def _typed_frame(table: Table, rows: list[list[str]], lines: list[int]) -> tuple[pd.DataFrame, list[Problem]]:
    text = text_frame(rows, table.columns)
    problems: list[Problem] = []
    columns = {}
    for field in table.fields:
        columns[field.name], found = coerce_column(text[field.name], field, table.path, lines)
        problems += found
    return pd.DataFrame(columns), problems


def _field_checks(field: Field) -> list:
    """The pandera checks of one field's Table Schema constraints (as pandera's frictionless reader makes)."""
    import pandera.pandas as pa

    rules = field.constraints
    checks = []
    low, high = rules.get("minimum"), rules.get("maximum")
    if low is not None and high is not None:
        checks.append(pa.Check.in_range(low, high))
    elif low is not None:
        checks.append(pa.Check.ge(low))
    elif high is not None:
        checks.append(pa.Check.le(high))
    if "minLength" in rules or "maxLength" in rules:
        checks.append(pa.Check.str_length(rules.get("minLength"), rules.get("maxLength")))
    if "pattern" in rules:
        checks.append(pa.Check.str_matches(rf"^{rules['pattern']}$"))
    if "enum" in rules:
        checks.append(pa.Check.isin(rules["enum"]))
    return checks


def _pandera_schema(table: Table):
    """The table's Table Schema as a pandera schema: constraints, required and unique (types are checked
    when the text is coerced). A sole primary key is required and unique."""
    import pandera.pandas as pa

    sole_key = table.primary_key[0] if len(table.primary_key) == 1 else None
    columns = {
        field.name: pa.Column(dtype=None, checks=_field_checks(field), name=field.name,
                              nullable=not (field.required or field.name in table.primary_key),
                              unique=field.name == sole_key or bool(field.constraints.get("unique")))
        for field in table.fields
    }
    return pa.DataFrameSchema(columns, coerce=False, strict=False)


def _check_message(field: Field, check: str, value: object, duplicates_at: list[int]) -> str:
    if isinstance(value, str):
        shown = repr(value)
    else:
        shown = f"{value:g}" if isinstance(value, float) else f"{value}"
    if check.startswith("not_nullable"):
        return f"a value is required in this column ({field.description.rstrip('.')})"
    if check.startswith("isin"):
        return f"{shown} is not an allowed value; expected one of: {', '.join(field.enum or [])}"
    if check.startswith("str_matches"):
        return f"{shown} is not in the expected form: {PATTERN_HINTS.get(field.name, ID_HINT)}"
    if "unique" in check:
        also = ", ".join(str(n) for n in duplicates_at)
        return f"duplicate value {shown}: it must be unique in this column (also on line {also})"
    low, high = field.constraints.get("minimum"), field.constraints.get("maximum")
    if low is not None and high is not None:
        return f"{shown} is out of range; expected a value from {low} to {high}"
    if low is not None:
        return f"{shown} is out of range; expected at least {low}"
    return f"{shown} is out of range; expected at most {high}"


def _schema_problems(table: Table, frame: pd.DataFrame, lines: list[int]) -> list[Problem]:
    from pandera.errors import SchemaErrors

    try:
        with warnings.catch_warnings():
            # pandera's own pandas calls warn (FutureWarning on concatenating empty frames) when it
            # collects failure cases; the warning is about pandera's code, not the evidence
            warnings.simplefilter("ignore", FutureWarning)
            _pandera_schema(table).validate(frame, lazy=True)
        return []
    except SchemaErrors as err:
        cases = err.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        field = table.field(case.column)
        index = case.index
        if index is None or pd.isna(index):
            continue
        index = int(index)
        dupes: list[int] = []
        if "unique" in str(case.check):
            same = frame.index[frame[case.column] == frame[case.column].iloc[index]]
            dupes = [lines[i] for i in same if i != index]
            if index == min(same):
                continue  # the first occurrence is not the duplicate
        message = _check_message(field, str(case.check), case.failure_case, dupes)
        problems.append(Problem(table.path, lines[index], case.column, message, "schema"))
    return problems


def _checked_table(table: Table, raw: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame of one table read as text, and its problems of type and Table Schema.

    Remembered by the table's schema and its cells and line numbers (the problems name only the file, not
    its folder, so they hold for any folder); the caller gets its own copy of the frame.
    """
    key = (repr(table), tuple(map(tuple, raw.rows)), tuple(raw.lines))
    if key in _CHECKED:
        _CHECKED.move_to_end(key)
    else:
        frame, problems = _typed_frame(table, raw.rows, raw.lines)
        _CHECKED[key] = frame, (*problems, *_schema_problems(table, frame, raw.lines))
        if len(_CHECKED) > _CHECKED_MAX:
            _CHECKED.popitem(last=False)
    frame, found = _CHECKED[key]
    return frame.copy(), list(found)


def read_package_frames(
    folder: Path, package: Package
) -> tuple[dict[str, pd.DataFrame], dict[str, list[int]], list[Problem]]:
    """Read and type every table, and check each against its Table Schema.

    Returns typed frames (an empty frame for a table that could not be read), each table's row line
    numbers, and the problems found.
    """
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for table in package.tables:
        raw, found = read_raw_table(folder, table)
        problems += found
        if raw is None:
            frames[table.name], lines[table.name] = empty_frame(table), []
            continue
        frame, found = _checked_table(table, raw)
        problems += found
        frames[table.name], lines[table.name] = frame, raw.lines
    return frames, lines, problems


def _unique(problems: list[Problem]) -> list[Problem]:
    """Keep the first problem per cell (a bad type also fails the 'required' check), in file order."""
    seen: set[tuple[str, int, str]] = set()
    kept = []
    for p in problems:
        key = (p.file, p.line, p.column)
        if p.line and p.column and key in seen:
            continue
        seen.add(key)
        kept.append(p)
    return sorted(kept, key=lambda p: (p.file, p.line, p.column))


def check_folder(folder: Path) -> tuple[Package, dict[str, pd.DataFrame], list[Problem]]:
    """Read, type and fully check the evidence in ``folder``; returns the package, frames and problems."""
    package = load_package(folder)
    frames, lines, problems = read_package_frames(folder, package)
    problems += checks.cross_table_problems(package, frames, lines)
    return package, frames, _unique(problems)


def validate_evidence(path: Path | str | None = None) -> list[Problem]:
    """Every problem in the evidence at ``path`` (default: the project's ``evidence/``), in file order.

    An empty list means the evidence is valid. The files are only read, never changed.

    Examples
    --------
    >>> problems = validate_evidence()          # doctest: +SKIP
    >>> print("\\n".join(str(p) for p in problems))  # doctest: +SKIP
    results.csv:14:responders: 120 responders exceed n = 110; ...
    """
    folder = Path(path) if path is not None else evidence_dir()
    return check_folder(folder)[2]
