"""``reports/index.html``: every defined report with its audience, parameters, status and build time.

All text is escaped: titles, parameters and error messages are data, not markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..vocabulary import DISCLAIMER
from .definitions import ReportSpec
from .export import Provenance, stylesheet
from .manifest import ReportRecord


@dataclass(frozen=True)
class ReportStatus:
    """A report's outcome in this build.

    Attributes
    ----------
    spec : ReportSpec
        The report.
    status : str
        ``built``, ``skipped`` (inputs unchanged), ``failed``, or ``not built`` (not selected and never
        built in this folder).
    record : ReportRecord or None
        The manifest record describing the last attempt (time, error), when there is one.
    has_html : bool
        Whether ``NAME.html`` exists (a failed report may still have its previous good version).
    selected : bool
        Whether this build was asked for the report (``--only`` and ``--shard`` leave others out).
    """

    spec: ReportSpec
    status: str
    record: ReportRecord | None
    has_html: bool
    selected: bool = True


def _parameters(spec: ReportSpec) -> str:
    if not spec.parameters:
        return "<span class=\"le-muted\">defaults</span>"
    items = "".join(f"<li><code>{escape(key)}</code> = <code>{escape(json.dumps(value))}</code></li>"
                    for key, value in spec.parameters.items())
    return f"<ul class=\"le-params\">{items}</ul>"


def _row(item: ReportStatus) -> str:
    spec, record = item.spec, item.record
    name = escape(spec.title)
    link = f"<a href=\"{escape(spec.name)}.html\">{name}</a>" if item.has_html else name
    when = f"{escape(record.built_at)} ({record.seconds:.1f} s)" if record else ""
    status = f"<span class=\"le-status-{escape(item.status.replace(' ', '-'))}\">{escape(item.status)}</span>"
    if item.status == "failed" and record is not None:
        kept = " Previous version kept." if item.has_html else ""
        status += f"<div class=\"le-error\">{escape(record.error)}{kept}</div>"
    return (f"<tr><td>{link}<br><small><code>{escape(spec.name)}.html</code></small></td>"
            f"<td>{escape(spec.audience)}</td><td>{_parameters(spec)}</td><td>{status}</td>"
            f"<td>{when}</td></tr>")


def render_index(statuses: Sequence[ReportStatus], provenance: Provenance) -> str:
    """The index page as a complete, self-contained HTML document."""
    rows = "\n".join(_row(item) for item in statuses)
    failed = sum(item.status == "failed" for item in statuses)
    summary = f"{len(statuses)} report(s), {failed} failed" if failed else f"{len(statuses)} report(s)"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Evidence briefings: index</title>
<style type="text/css">
{stylesheet()}
</style>
</head>
<body class="le-index">
<main>
<header class="le-report-header">
  <p class="le-kicker">Evidence briefings</p>
  <h1 class="le-title">Reports</h1>
  <dl class="le-provenance">
    <dt>Built</dt><dd class="le-build-date">{escape(provenance.build_date)}</dd>
    <dt>Evidence</dt><dd class="le-evidence">version {escape(provenance.evidence_version)}, content hash
      <code title="{escape(provenance.evidence_hash)}">{escape(provenance.evidence_hash[:12])}</code></dd>
    <dt>Toolkit</dt><dd class="le-project-version">lymphoma-evidence {escape(provenance.project_version)}</dd>
  </dl>
  <p class="le-disclaimer" role="note">{escape(DISCLAIMER)}</p>
</header>
<p>{summary}.</p>
<table class="le-index-table">
<thead><tr><th>Report</th><th>Audience</th><th>Parameters</th><th>Status</th><th>Last built</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main>
</body>
</html>
"""
