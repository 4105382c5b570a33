"""Display labels and missing-aware cell values shared by the figure modules.

Internal to :mod:`lymphoma_evidence.figures.charts` and its helpers (:mod:`.rows`, :mod:`.alttext`); not
part of the public API.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["short_name", "plain", "num", "as_int"]


def short_name(name: Any) -> str:
    """A display name without its trailing parenthesis: ``"Drugname (drugname-abcd)"`` ->
    ``"Drugname"``."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", str(name)) or str(name)


def plain(value: Any) -> str:
    """``value`` as text with underscores shown as spaces: ``not_eligible`` -> ``not eligible``."""
    return str(value).replace("_", " ")


def num(value: Any) -> float:
    """``value`` as a float; missing values (None, NaN, NA) become NaN."""
    return float("nan") if pd.isna(value) else float(value)


def as_int(value: Any) -> int | None:
    """``value`` as an int; missing values (None, NaN, NA) become None."""
    return None if pd.isna(value) else int(value)
