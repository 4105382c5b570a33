"""Spreadsheet round trip: export the evidence to one .xlsx workbook, import an edited workbook back.

Cells are typed from the schema (:mod:`.xlsxcells`): integers, numbers, booleans and dates as such,
enumerated fields with a drop-down, every sheet with an autofilter and a frozen header. A typed value equal
to the CSV's comes back in the CSV's spelling (``48.30`` stays ``48.30``). Text that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as a string
with the quote-prefix style, so no spreadsheet evaluates it. On import, a cell is read as the value it
stands for whatever program saved it: ``=TRUE()``/``=FALSE()`` (how LibreOffice saves booleans) as the
boolean, a number stored as text as that text, a date serial in a date field as the date; any other
formula is refused. Import validates the whole workbook as
evidence before replacing any CSV, and keeps the original bytes of every row that did not change.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..data.schema import Package, Table, load_package
from ..errors import EvidenceError, Problem, UsageError
from ..fileio import write_with
from ..paths import SCHEMA_FILE, evidence_dir
from .textio import TextTable, read_table, render_table, replace_files, split_records
from .xlsxcells import (
    LISTS_SHEET,
    TEXT_FORMAT,
    add_validations,
    cell_value,
    keep_spelling,
    typed_value,
    write_cell,
)

FIELDS_SHEET = "Fields"
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class ImportResult:
    """What an import did: files rewritten, and workbook sheets that were not evidence (ignored)."""

    changed_files: tuple[str, ...]
    ignored_sheets: tuple[str, ...]


def _folder(evidence_path: Path | str | None) -> Path:
    return Path(evidence_path) if evidence_path is not None else evidence_dir()


def _write_sheet(ws, columns: list[str], rows: list[tuple[str, ...]], table: Table | None = None) -> None:
    """Header in bold, frozen, with an autofilter; cells typed by ``table``'s fields (text without one)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = {f.name: f for f in table.fields} if table is not None else {}
    widths = [len(c) for c in columns]
    for j, name in enumerate(columns, start=1):
        write_cell(ws, 1, j, name, TEXT_FORMAT).font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            field = fields.get(columns[j - 1])
            typed, number_format = typed_value(field, value) if field else (value or None, TEXT_FORMAT)
            write_cell(ws, i, j, typed, number_format)
            widths[j - 1] = max(widths[j - 1], len(value))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, MAX_COLUMN_WIDTH)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{max(len(rows) + 1, 2)}"


def _fields_rows(package: Package) -> list[tuple[str, ...]]:
    return [(table.name, f.name, f.type, "yes" if f.required else "", f.description,
             "; ".join(f.enum or []))
            for table in package.tables for f in table.fields]


def default_workbook_name(evidence_path: Path | str | None = None) -> str:
    """``evidence-<version>.xlsx``, the version from ``datapackage.json``."""
    return f"evidence-{load_package(_folder(evidence_path)).version or 'unversioned'}.xlsx"


def export_workbook(out: Path | str, evidence_path: Path | str | None = None) -> Path:
    """Write the evidence as an .xlsx workbook: one sheet per table, and a "Fields" sheet.

    Sheets are named after the tables of ``datapackage.json`` (``results``, ``therapy_classes``, ...;
    a table added to the schema gets its sheet), header row frozen, with an autofilter; values are typed
    cells by their field's type, enumerated fields have drop-downs, bounded numbers range checks (a
    hidden "Lists" sheet holds the allowed values). The evidence need not validate: a value that does
    not parse as its type stays text. "Fields" lists each column's type, whether it is required, its
    description and allowed values.

    Returns
    -------
    Path
        The workbook written.
    """
    from openpyxl import Workbook

    folder = _folder(evidence_path)
    package = load_package(folder)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in package.tables:
        text = read_table(folder / table.path)
        columns = list(text.columns) if text and text.columns else table.columns
        rows = [tuple(row) for row in text.rows] if text else []
        _write_sheet(workbook.create_sheet(table.name), columns, rows, table)
    fields = workbook.create_sheet(FIELDS_SHEET)
    _write_sheet(fields, ["table", "field", "type", "required", "description", "allowed values"],
                 _fields_rows(package))
    add_validations(workbook, package)
    workbook.properties.title = f"{package.title} {package.version}".strip()
    out = Path(out)
    write_with(out, workbook.save)
    return out


def cell_text(value: object) -> str:
    """A workbook cell's value as evidence text (``None`` -> ``""``, dates ISO, ``True`` -> ``true``).

    Cells this module wrote are text already; the other cases cover cells a person typed in a
    spreadsheet that stored them as numbers, dates or booleans.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(ws, table: Table) -> tuple[list[tuple[str, ...]], list[int], list[Problem]]:
    """The sheet's rows in schema column order, each one's sheet row number, and the problems."""
    grid = list(ws.iter_rows())
    header = [cell_text(c.value) for c in grid[0]] if grid else []
    while header and header[-1] == "":
        header.pop()
    problems = [Problem(table.path, 1, name, f"sheet '{table.name}' lacks column '{name}'; "
                        "restore it (columns are listed on the Fields sheet)", "missing-column")
                for name in table.columns if name not in header]
    problems += [Problem(table.path, 1, name, f"sheet '{table.name}' has column '{name}', which the "
                         "schema does not describe; remove it", "extra-column")
                 for name in header if name and name not in table.columns]
    if problems:
        return [], [], problems
    position = {name: header.index(name) for name in table.columns}
    fields = [table.field(name) if name in table.columns else None for name in header]
    fields += [None] * max(0, ws.max_column - len(fields))
    rows, numbers = [], []
    for cells in grid[1:]:
        values = [cell_value(c, fields[c.column - 1], ws.parent.epoch) for c in cells]
        texts = [cell_text(value) for value, _ in values]
        if not any(texts):
            continue
        row_number = cells[0].row
        problems += [Problem(table.path, row_number, header[c.column - 1] if c.column <= len(header)
                             else "", f"cell {c.coordinate} of sheet '{table.name}' holds a formula "
                             f"({c.value}); type the value itself (only =TRUE() and =FALSE() are read, "
                             "as their values)", "formula")
                     for c, (_, readable) in zip(cells, values, strict=True) if not readable]
        problems += [Problem(table.path, row_number, "", f"cell {c.coordinate} of sheet "
                             f"'{table.name}' is outside the table's columns; move or delete it",
                             "extra-cell")
                     for c in cells[len(header):] if cell_text(c.value)]
        texts += [""] * (len(header) - len(texts))
        rows.append(tuple(texts[position[name]] for name in table.columns))
        numbers.append(row_number)
    return rows, numbers, problems


def read_workbook(path: Path | str, package: Package) -> tuple[
        dict[str, list[tuple[str, ...]]], dict[str, list[int]], list[str], list[Problem]]:
    """Read every table sheet of a workbook as text.

    Returns rows per table name (cells in schema column order), the sheet row number of each row,
    the names of sheets that are not tables (ignored), and the problems found (missing sheets or
    columns, formulas, cells outside the table). Problem lines are sheet rows.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        workbook = load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as err:
        raise UsageError(f"cannot read {path} as an .xlsx workbook ({err}); save it from "
                                    "the spreadsheet as 'Excel Workbook (.xlsx)'") from err
    rows: dict[str, list[tuple[str, ...]]] = {}
    numbers: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for table in package.tables:
        if table.name not in workbook.sheetnames:
            problems.append(Problem(str(path), 0, "", f"the workbook has no sheet '{table.name}'; "
                                    "every table needs its sheet (export a fresh workbook to see "
                                    "the layout)", "missing-sheet"))
            continue
        rows[table.name], numbers[table.name], found = _sheet_rows(workbook[table.name], table)
        problems += found
    known = {t.name for t in package.tables} | {FIELDS_SHEET, LISTS_SHEET}
    ignored = [name for name in workbook.sheetnames if name not in known]
    return rows, numbers, ignored, problems


def _csv_texts(folder: Path, package: Package, rows: dict[str, list[tuple[str, ...]]]) -> dict[str, str]:
    texts = {}
    for table in package.tables:
        original: TextTable | None = read_table(folder / table.path)
        texts[table.path] = render_table(table.columns, keep_spelling(table, rows[table.name], original),
                                         original)
    return texts


def _located(problem: Problem, sheet: str, text: str, sheet_rows: list[int]) -> Problem:
    """Add the sheet row to a problem located by CSV line in ``text`` (the CSV written for the sheet)."""
    starts = [line for raw, line in split_records(text) if raw.strip("\r\n")][1:]
    if problem.line in starts:
        row = sheet_rows[starts.index(problem.line)]
        where = f" (sheet '{sheet}', row {row})"
    elif problem.line == 1:
        where = f" (sheet '{sheet}', row 1)"
    else:
        where = ""
    return Problem(problem.file, problem.line, problem.column, problem.message + where, problem.code)


def workbook_csvs(path: Path | str, evidence_path: Path | str | None = None) -> dict[str, str]:
    """The CSV text that importing the workbook would write, per file name (without validating it).

    Raises
    ------
    EvidenceError
        When the workbook lacks a table sheet or column, or holds formulas or stray cells.
    """
    folder = _folder(evidence_path)
    package = load_package(folder)
    rows, _, _, problems = read_workbook(path, package)
    if problems:
        raise EvidenceError(problems, Path(path))
    return _csv_texts(folder, package, rows)


def import_workbook(path: Path | str, evidence_path: Path | str | None = None) -> ImportResult:
    """Validate an edited workbook as evidence and, only if it is valid, replace the evidence CSVs.

    The workbook's tables are written as CSVs (contract format; untouched rows keep their bytes) into a
    temporary folder with the schema and validated in full there. Only then are the evidence CSVs
    replaced, all or none (:func:`.textio.replace_files`).

    Raises
    ------
    EvidenceError
        When the workbook is not valid evidence; ``err.problems`` are located by CSV file, line and
        column, with the sheet row in the message. The evidence folder is left untouched.
    """
    from ..data.validate import validate_evidence

    folder = _folder(evidence_path)
    package = load_package(folder)
    rows, sheet_rows, ignored, problems = read_workbook(path, package)
    if problems:
        raise EvidenceError(problems, Path(path))
    texts = _csv_texts(folder, package, rows)
    with tempfile.TemporaryDirectory(prefix="lymphoma-evidence-import-") as temp:
        shutil.copyfile(folder / SCHEMA_FILE, Path(temp) / SCHEMA_FILE)
        for name, text in texts.items():
            (Path(temp) / name).write_text(text, encoding="utf-8", newline="")
        problems = validate_evidence(temp)
    if problems:
        sheet_of = {t.path: t.name for t in package.tables}
        located = [_located(p, sheet_of[p.file], texts[p.file], sheet_rows[sheet_of[p.file]])
                   if p.file in sheet_of else p for p in problems]
        raise EvidenceError(located, Path(path))
    return ImportResult(tuple(replace_files(folder, texts)), tuple(ignored))
