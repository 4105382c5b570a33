"""Workbook cells driven by the schema: typed values, drop-downs and ranges, and the CSV spelling kept.

Export writes each value as the type its field has in ``datapackage.json`` (integer and number cells,
booleans, dates), so that a spreadsheet sorts and sums them; text that does not parse as its type stays
text, to be fixed by the analyst. Enumerated fields get a drop-down list, bounded numbers a range check.
On import, a typed cell whose value equals the CSV's value keeps the CSV's spelling (``48.30`` stays
``48.30``, not ``48.3``), so untouched rows come back byte for byte.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..data.schema import Field, Package, Table
from .textio import TextTable

LISTS_SHEET = "Lists"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
#: Rows below the header that drop-downs and range checks cover (room for new rows).
VALIDATED_ROWS = 5000
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Formulas that are constants, as LibreOffice writes every boolean cell (``=TRUE()``): their value.
CONSTANT_FORMULAS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}


def typed_value(field: Field, text: str) -> tuple[object, str]:
    """The cell value and number format for ``text`` in a column of ``field``'s type.

    Returns ``(text, "@")`` when the field is text or ``text`` does not parse as its type (a cell the
    analyst has to fix stays visible as typed). Numbers keep their decimals in the number format
    (``48.30`` -> ``48.3`` shown as ``0.00``). ``(None, "@")`` for an empty cell.
    """
    if text == "":
        return None, TEXT_FORMAT
    kind = field.type
    if kind == "integer" and _INTEGER.match(text) and len(text.lstrip("+-")) <= 15:
        return int(text), "0"
    if kind == "number" and _NUMBER.match(text) and len(text.replace(".", "").lstrip("+-")) <= 15:
        decimals = len(text.split(".", 1)[1]) if "." in text else 0
        return float(text), "0." + "0" * decimals if decimals else "0"
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true", "General"
    if kind == "date" and _DATE.match(text):
        try:
            return date.fromisoformat(text), DATE_FORMAT
        except ValueError:
            pass
    return text, TEXT_FORMAT


def write_cell(ws, row: int, column: int, value: object, number_format: str):
    """Write one cell; text is always a string cell (never a formula), quote-prefixed when formula-like."""
    cell = ws.cell(row=row, column=column)
    cell.number_format = number_format
    if value is None:
        return cell
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never "f": a text starting with "=" stays text
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # re-editing it in a spreadsheet keeps it text
    return cell


def cell_value(cell, field: Field | None, epoch: datetime) -> tuple[object, bool]:
    """The value ``cell`` stands for and whether it can be read: ``(value, True)``, or ``(formula, False)``.

    A constant formula (:data:`CONSTANT_FORMULAS`, how LibreOffice saves booleans) is its value. A number
    in a ``date`` field is a date serial (a date whose cell lost its date format; ``epoch`` is the
    workbook's, 1899-12-30 or 1904-01-01) and is read as that date. Any other formula cannot be read.
    """
    value = cell.value
    if cell.data_type == "f":
        text = str(value).replace(" ", "").upper()
        return (CONSTANT_FORMULAS[text], True) if text in CONSTANT_FORMULAS else (value, False)
    if (field is not None and field.type == "date" and isinstance(value, int | float)
            and not isinstance(value, bool)):
        from openpyxl.utils.datetime import from_excel

        return from_excel(value, epoch), True
    return value, True


def _same_value(field: Field, before: str, after: str) -> bool:
    if before == after:
        return True
    if field.type in ("integer", "number"):
        try:
            return Decimal(before) == Decimal(after)
        except InvalidOperation:
            return False
    if field.type == "boolean":
        return before.lower() == after.lower() and before.lower() in ("true", "false")
    return False


def keep_spelling(table: Table, rows: list[tuple[str, ...]],
                  original: TextTable | None) -> list[tuple[str, ...]]:
    """``rows`` (cells in schema column order) with each cell that equals the CSV's value as its type
    written as in the CSV. Rows are matched to the CSV by primary key; new rows are left as they are."""
    if original is None or tuple(original.columns) != tuple(table.columns) or not table.primary_key:
        return rows
    key_at = [table.columns.index(c) for c in table.primary_key]
    before = {tuple(row[i] for i in key_at): row for row in original.rows}
    kept = []
    for row in rows:
        old = before.get(tuple(row[i] for i in key_at))
        if old is None:
            kept.append(row)
            continue
        kept.append(tuple(b if _same_value(f, b, a) else a
                          for f, b, a in zip(table.fields, old, row, strict=True)))
    return kept


def _lists_sheet(workbook, package: Package) -> dict[tuple[str, str], str]:
    """A hidden sheet with one column per enumerated field; returns (table, field) -> its range."""
    from openpyxl.utils import get_column_letter

    ws = workbook.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    column = 0
    for table in package.tables:
        for field in table.fields:
            if not field.enum:
                continue
            column += 1
            letter = get_column_letter(column)
            write_cell(ws, 1, column, f"{table.name}.{field.name}", TEXT_FORMAT)
            for i, value in enumerate(field.enum, start=2):
                write_cell(ws, i, column, str(value), TEXT_FORMAT)
            ranges[(table.name, field.name)] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(field.enum) + 1}"
    return ranges


def _validation(table: Table, field: Field, lists: dict[tuple[str, str], str]):
    from openpyxl.worksheet.datavalidation import DataValidation

    low, high = field.constraints.get("minimum"), field.constraints.get("maximum")
    if field.enum:
        check = DataValidation(type="list", formula1=lists[(table.name, field.name)])
        check.error = f"Choose one of: {', '.join(map(str, field.enum))}"[:255]
    elif field.type == "boolean":
        check = DataValidation(type="list", formula1='"TRUE,FALSE"')
        check.error = "Choose TRUE or FALSE"
    elif field.type in ("integer", "number") and (low is not None or high is not None):
        kind = "whole" if field.type == "integer" else "decimal"
        if low is not None and high is not None:
            check = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high))
            what = "a whole number" if kind == "whole" else "a number"
            check.error = f"Expected {what} from {low} to {high}"
        elif low is not None:
            check = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low))
            check.error = f"Expected at least {low}"
        else:
            check = DataValidation(type=kind, operator="lessThanOrEqual", formula1=str(high))
            check.error = f"Expected at most {high}"
    elif field.type == "date":
        check = DataValidation(type="date", operator="greaterThan", formula1="1")
        check.error = "Expected a date, YYYY-MM-DD"
    else:
        return None
    check.allow_blank = not field.required
    check.showErrorMessage = True
    check.errorTitle = f"{table.name}.{field.name}"
    check.prompt = field.description[:255]
    check.showInputMessage = bool(field.description)
    return check


def add_validations(workbook, package: Package) -> None:
    """Drop-downs (schema enums, booleans) and range checks on every table sheet, below the header."""
    from openpyxl.utils import get_column_letter

    lists = _lists_sheet(workbook, package)
    for table in package.tables:
        ws = workbook[table.name]
        header = [c.value for c in ws[1]]
        for field in table.fields:
            check = _validation(table, field, lists)
            if check is None or field.name not in header:
                continue
            letter = get_column_letter(header.index(field.name) + 1)
            check.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
            ws.add_data_validation(check)
