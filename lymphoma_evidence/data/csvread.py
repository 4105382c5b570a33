"""Reading one evidence CSV into strings, with the line number of every row.

This layer knows nothing of types: it catches what stops a file from being read as a table at all
(missing, empty, not UTF-8, wrong delimiter, broken header, ragged rows) and reports it precisely.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from .schema import Table

#: Longest text accepted in one cell; evidence fields are short text.
MAX_FIELD_CHARS = 10_000

HINT_UTF8 = "save it as UTF-8 (in a spreadsheet program: 'CSV UTF-8')"


@dataclass(frozen=True)
class RawTable:
    """A table read as text: column names, rows of strings, and each row's first line in the file."""

    columns: list[str]
    rows: list[list[str]]
    lines: list[int]


def _decode(file: str, data: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        prefix = data[line_start:err.start].decode("latin-1")
        header = data.split(b"\n", 1)[0].decode("latin-1").strip("\r").split(",")
        index = prefix.count(",")
        column = header[index] if line > 1 and index < len(header) else ""
        byte = data[err.start : err.start + 1].hex()
        message = f"the file is not UTF-8 (byte 0x{byte} cannot be decoded); {HINT_UTF8}"
        return None, [Problem(file, line, column, message, "encoding-error")]


def _header_problems(file: str, header: list[str], table: Table) -> list[Problem]:
    expected = table.columns
    if len(header) == 1 and ";" in header[0]:
        return [Problem(file, 1, "", "the header is separated by ';', expected ',': save the file "
                        "as comma-separated CSV", "delimiter-error")]
    problems = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, 1, name, f"column '{name}' appears more than once in the "
                                    "header; remove the duplicate", "duplicate-header"))
        seen.add(name)
    for name in header:
        if name not in expected:
            problems.append(Problem(
                file, 1, name,
                f"column '{name}' is not described in datapackage.json; add it to the "
                f"'{table.name}' schema or remove it", "extra-column"))
    for name in expected:
        if name not in seen:
            problems.append(Problem(file, 1, name, f"required column '{name}' is missing; expected "
                                    f"columns: {','.join(expected)}", "missing-column"))
    return problems


def _rows(file: str, text: str, width: int) -> tuple[list[list[str]], list[int], list[Problem]]:
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)  # the header, already checked
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(_csv_error(file, start, err))
            break
        if row and any(cell != "" for cell in row):
            if len(row) != width:
                problems.append(Problem(
                    file, start, "",
                    f"row has {len(row)} fields, the header has {width}; quote any field that "
                    "contains a comma", "row-width"))
            else:
                rows.append(row)
                lines.append(start)
        start = reader.line_num + 1
    return rows, lines, problems


def _csv_error(file: str, line: int, err: csv.Error) -> Problem:
    text = str(err)
    if "field larger than field limit" in text:
        message = (f"a field is longer than {MAX_FIELD_CHARS:,} characters; evidence fields are "
                   "short text: shorten it or check for an unclosed quote")
    else:
        message = f"the row cannot be parsed as CSV ({text}); check the quotes on this line"
    return Problem(file, line, "", message, "parse-error")


def read_raw_table(folder: Path, table: Table) -> tuple[RawTable | None, list[Problem]]:
    """Read ``table``'s CSV in ``folder`` as strings, or say precisely why it cannot be read.

    Returns the table (``None`` when the file cannot be used at all) and the problems found.
    The file is only read, never modified.
    """
    file = table.path
    path = Path(folder) / file
    if not path.is_file():
        return None, [Problem(file, 0, "", f"the file is missing; expected {path} with columns "
                              f"{','.join(table.columns)}", "missing-file")]
    text, problems = _decode(file, path.read_bytes())
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(file, 1, "", "the file is empty; expected a header row: "
                              f"{','.join(table.columns)}", "empty-file")]
    old_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        header_reader = csv.reader(io.StringIO(text, newline=""))
        header = next(header_reader)
        problems = _header_problems(file, header, table)
        if problems:
            return None, problems
        rows, lines, problems = _rows(file, text, len(header))
    except csv.Error as err:
        return None, [_csv_error(file, 1, err)]
    finally:
        csv.field_size_limit(old_limit)
    if not rows and not problems and not table.may_be_empty:
        problems.append(Problem(file, 1, "", "the file has a header but no rows; add at least one row",
                                "no-rows"))
    order = [header.index(c) for c in table.columns]
    rows = [[row[i] for i in order] for row in rows]
    return RawTable(columns=table.columns, rows=rows, lines=lines), problems
