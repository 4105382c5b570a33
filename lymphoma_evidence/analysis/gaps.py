"""The gaps the curators listed: options without a direct post-CAR-T figure, and why.

They are written down once, in the "Known gaps" tables of ``evidence/README.md`` (the coverage test keeps
them true). A report that has nothing direct to show for an option says whether that is a listed gap and
gives the curators' reason, instead of printing an empty table.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..data.evidence import Evidence

__all__ = ["DIRECT_GAPS_HEADING", "readme_table", "direct_gaps"]

DIRECT_GAPS_HEADING = "Options without a direct post-CAR-T figure"


def readme_table(readme: Path, heading: str) -> dict[str, list[str]]:
    """Rows of the Markdown table under ``### heading`` in ``readme``: the first column's id (written as
    code, e.g. `` `cd22_car_t` ``) -> the other cells. Empty when the file or the heading is missing."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return {}
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S)
    if not match:
        return {}
    rows = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = re.fullmatch(r"`([a-z0-9_]+)`", cells[0]) if line.startswith("|") else None
        if key:
            rows[key.group(1)] = cells[1:]
    return rows


def direct_gaps(evidence: Evidence) -> dict[str, str]:
    """``{class_id: reason}`` for the options the curators list as having no direct post-CAR-T figure
    (empty when the evidence was not loaded from a folder with a README)."""
    if evidence.path is None:
        return {}
    table = readme_table(Path(evidence.path) / "README.md", DIRECT_GAPS_HEADING)
    return {class_id: cells[-1] for class_id, cells in table.items() if cells}
