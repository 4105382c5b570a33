"""Turning text cells into typed columns, with a precise problem for every cell that will not convert.

Types follow the Table Schema: integer -> ``Int64``, number -> ``float64``, boolean -> ``boolean``,
date -> ``datetime64[ns]``, anything else -> pandas ``string``. Empty cells are missing values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem
from .schema import Field

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EMPTY_FRAME_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "date": "datetime64[ns]"}


def dtype_for(field: Field) -> str:
    """The pandas dtype a field's column has once loaded."""
    return EMPTY_FRAME_DTYPES.get(field.type, "string")


def _number_hint(value: str) -> str:
    if re.fullmatch(r"[+-]?\d+,\d+", value):
        return f"; use a point as the decimal separator: {value.replace(',', '.')}"
    if value.endswith("%"):
        return "; write the number without the percent sign"
    return ""


def _bad_cells(text: pd.Series, ok: pd.Series) -> pd.Series:
    return text[text.notna() & ~ok.fillna(False).astype(bool)]


def coerce_column(
    text: pd.Series, field: Field, file: str, lines: list[int]
) -> tuple[pd.Series, list[Problem]]:
    """Convert one text column (``<NA>`` for empty cells) to its schema type.

    Returns the typed column (cells that do not convert become missing) and a problem per such cell.
    """
    kind = field.type
    if kind == "integer":
        ok = text.str.fullmatch(_INTEGER)
        bad = _bad_cells(text, ok)
        typed = pd.to_numeric(text.where(ok.fillna(False).astype(bool)), errors="coerce").astype("Int64")
        expected = "a whole number"
    elif kind == "number":
        ok = text.str.fullmatch(_NUMBER)
        bad = _bad_cells(text, ok)
        typed = pd.to_numeric(text.where(ok.fillna(False).astype(bool)), errors="coerce").astype("float64")
        expected = "a number"
    elif kind == "boolean":
        lowered = text.str.lower()
        ok = lowered.isin(["true", "false"])
        bad = _bad_cells(text, ok)
        typed = lowered.map({"true": True, "false": False}).astype("boolean")
        expected = "true or false"
    elif kind == "date":
        shaped = text.str.fullmatch(_DATE).fillna(False).astype(bool)
        typed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
        ok = typed.notna()
        bad = _bad_cells(text, ok)
        expected = "a real calendar date written YYYY-MM-DD"
    else:
        return text.astype("string"), []
    problems = [
        Problem(file, lines[int(i)], field.name,
                f"{value!r} is not {expected}{_number_hint(value) if kind == 'number' else ''}",
                "type-error")
        for i, value in bad.items()
    ]
    return typed, problems


def text_frame(rows: list[list[str]], columns: list[str]) -> pd.DataFrame:
    """A frame of strings from raw rows, with empty cells as missing values."""
    frame = pd.DataFrame(np.array(rows, dtype=object).reshape(len(rows), len(columns)), columns=columns)
    return frame.replace("", pd.NA).astype("string")
