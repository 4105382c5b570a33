"""Rendering an :class:`~.diff.EvidenceDiff` as text, Markdown (for a pull request comment) or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from ..formatting import percent_range
from .diff import EvidenceDiff, RangeChange, TableDiff

#: Longest cell text shown in text and Markdown output; JSON always has the full text.
SHOWN_CHARS = 80


def _show(value: str) -> str:
    if value == "":
        return "(empty)"
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 3] + "..."


def format_range(bounds: tuple[float, float] | None) -> str:
    """A range of proportions as whole percents, e.g. ``52–63%``; ``none`` when there is no study."""
    return "none" if bounds is None else percent_range(*bounds)


def describe_range(change: RangeChange) -> str:
    """One line, e.g. ``Bispecific antibodies ORR range 52–63% -> 52–68%``."""
    before, after = format_range(change.before), format_range(change.after)
    if before == after and change.before and change.after:  # differs only below a whole percent
        before, after = percent_range(*change.before, 1), percent_range(*change.after, 1)
    return f"{change.class_name} {change.endpoint} range {before} -> {after}"


def _counts(table: TableDiff) -> str:
    parts = [f"{len(table.added)} added", f"{len(table.removed)} removed", f"{len(table.changed)} changed"]
    if table.columns_added:
        parts.append(f"column(s) added: {', '.join(table.columns_added)}")
    if table.columns_removed:
        parts.append(f"column(s) removed: {', '.join(table.columns_removed)}")
    return ", ".join(parts)


def _title(diff: EvidenceDiff) -> str:
    old = f"{diff.old} (version {diff.old_version})" if diff.old_version else diff.old
    new = f"{diff.new} (version {diff.new_version})" if diff.new_version else diff.new
    return f"Evidence diff: {old} -> {new}"


def _removal_message(diff: EvidenceDiff) -> str:
    return (f"removed result(s) not named in {diff.new}'s CHANGELOG.md: "
            f"{', '.join(diff.unexplained_removals)}; say in evidence/CHANGELOG.md why each was removed")


def render_text(diff: EvidenceDiff) -> str:
    """Plain text: per changed table the added (+), removed (-) and changed (~) rows, then the ranges."""
    lines = [_title(diff)]
    lines += [f"note: {note}" for note in diff.notes]
    if diff.is_empty:
        lines.append("No changes.")
    for table in (t for t in diff.tables if not t.is_empty):
        lines.append(f"{table.file}: {_counts(table)}")
        lines += [f"  + {table.key(row)}" for row in table.added]
        lines += [f"  - {table.key(row)}" for row in table.removed]
        for row in table.changed:
            lines.append(f"  ~ {row.key}")
            lines += [f"      {f.column}: {_show(f.before)} -> {_show(f.after)}" for f in row.fields]
    if diff.ranges:
        lines.append("Effect on the class ranges (lowest-highest study rate, whole populations):")
        lines += [f"  {describe_range(change)}" for change in diff.ranges]
    if diff.unexplained_removals:
        lines.append(f"error: {_removal_message(diff)}")
    return "\n".join(lines) + "\n"


def _md_cell(value: str) -> str:
    return _show(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: EvidenceDiff) -> str:
    """Markdown for a pull request comment: a section per changed table, changed cells as a table."""
    lines = [f"## {_title(diff)}"]
    if diff.notes:
        lines += ["", *(f"> {note}" for note in diff.notes)]
    if diff.unexplained_removals:
        lines += ["", f"**Error:** {_removal_message(diff)}"]
    if diff.is_empty:
        lines += ["", "No changes."]
    for table in (t for t in diff.tables if not t.is_empty):
        lines += ["", f"### `{table.file}`: {_counts(table)}", ""]
        lines += [f"- added `{table.key(row)}`" for row in table.added]
        lines += [f"- removed `{table.key(row)}`" for row in table.removed]
        if table.changed:
            lines += ["", "| row | field | before | after |", "|---|---|---|---|"]
            lines += [f"| `{row.key}` | {f.column} | {_md_cell(f.before)} | {_md_cell(f.after)} |"
                      for row in table.changed for f in row.fields]
    if diff.ranges:
        lines += ["", "### Effect on the class ranges", ""]
        lines += [f"- {describe_range(change)}" for change in diff.ranges]
    return "\n".join(lines) + "\n"


def diff_to_dict(diff: EvidenceDiff) -> dict:
    """The whole diff as plain data (rows in full; ranges as proportions 0-1)."""
    data = asdict(diff)
    data["removed_result_ids"] = diff.removed_result_ids
    for table, raw in zip(diff.tables, data["tables"], strict=True):
        raw["key_columns"] = list(table.key_columns)
    return data


def render_json(diff: EvidenceDiff) -> str:
    """JSON text of :func:`diff_to_dict`."""
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
