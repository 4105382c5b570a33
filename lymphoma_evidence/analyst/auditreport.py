"""Rendering an :class:`~.audit.AuditReport` as text tables, Markdown or JSON.

Each finding kind becomes a titled table whose header names every column, so that no value stands
alone (``6`` is ``age (years) 6``). Text and Markdown shorten long cells; JSON has every value in full.
"""

from __future__ import annotations

import json

import pandas as pd

from .audit import AuditReport

#: What every format says under a finding kind with no finding (never a bare "None." after its count).
NOTHING_FOUND = "Nothing found."
#: Longest cell shown in text and Markdown tables.
SHOWN_CHARS = 60
#: Column headers where the column name alone would not say what a value is.
HEADERS = {
    "months_since": "months since accessed",
    "months_old": "months old",
    "age_years": "age (years)",
    "year": "published",
    "entry_id": "row id",
    "table": "table",
    "status_date": "status date",
}


def column_header(column: str) -> str:
    """The header shown for a finding column, e.g. ``age (years)`` for ``age_years``."""
    return HEADERS.get(column, column.replace("_", " "))


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    text = frame.astype("string").fillna("")
    return [[_short(str(value)) for value in row] for row in text.itertuples(index=False)]


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 3] + "..."


def text_table(frame: pd.DataFrame, indent: str = "  ") -> list[str]:
    """``frame`` as aligned text lines: a header, a rule, a line per row (numbers right-aligned)."""
    headers = [column_header(c) for c in frame.columns]
    rows = _cells(frame)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return (indent + "  ".join(parts)).rstrip()

    return [line(headers), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _changes_summary(report: AuditReport) -> list[str]:
    if report.release is None or report.changes is None:
        if report.missing_tag:
            return [f"No release to compare with: {report.missing_tag}."]
        return ["No earlier release to compare with (make one with 'lymphoma-evidence release')."]
    diff = report.changes
    changed = [t for t in diff.tables if not t.is_empty]
    if not changed:
        return [f"No changes since release {report.release}."]
    return [f"Changes since release {report.release}:",
            *(f"  {t.file}: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed"
              for t in changed)]


def render_text(report: AuditReport) -> str:
    """Plain text: a title per finding kind with its count, then its table (or :data:`NOTHING_FOUND`)."""
    lines = [f"Evidence audit ({report.today.isoformat()}): {report.total} finding(s)"]
    for kind, frame in report.findings.items():
        lines += ["", f"{report.titles[kind]}: {len(frame)}"]
        lines += text_table(frame) if len(frame) else [f"  {NOTHING_FOUND}"]
    lines += ["", *_changes_summary(report)]
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    return value.replace("|", "\\|")


def render_markdown(report: AuditReport) -> str:
    """Markdown: a heading per finding kind and a pipe table with a header row."""
    lines = [f"## Evidence audit ({report.today.isoformat()}): {report.total} finding(s)"]
    for kind, frame in report.findings.items():
        lines += ["", f"### {report.titles[kind]}: {len(frame)}", ""]
        if not len(frame):
            lines.append(NOTHING_FOUND)
            continue
        lines.append("| " + " | ".join(column_header(c) for c in frame.columns) + " |")
        lines.append("|" + "|".join("---:" if pd.api.types.is_integer_dtype(frame[c]) else "---"
                                    for c in frame.columns) + "|")
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in _cells(frame)]
    lines += ["", *_changes_summary(report)]
    return "\n".join(lines) + "\n"


def report_to_dict(report: AuditReport) -> dict:
    """The audit as plain data: per kind its title, count, columns and rows (values in full)."""
    findings = {}
    for kind, frame in report.findings.items():
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        findings[kind] = {"title": report.titles[kind], "count": len(frame),
                          "columns": list(frame.columns), "rows": rows}
    changes = None
    if report.changes is not None:
        changes = {t.file: {"added": len(t.added), "removed": len(t.removed), "changed": len(t.changed)}
                   for t in report.changes.tables}
    return {"date": report.today.isoformat(), "total": report.total, "findings": findings,
            "release": report.release, "changes_since_release": changes}


def render_json(report: AuditReport) -> str:
    """JSON text of :func:`report_to_dict`."""
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
