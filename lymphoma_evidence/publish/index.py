"""``reports/index.html``: the reports for people, grouped by audience, rendered from a Jinja template.

The page shares its header (evidence version and release date, build date, disclaimer) with every report
through ``templates/lymphoma_report/header.html.j2``. All text is escaped by the template: titles,
parameters and error messages are data, not markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..formatting import day_in_words
from .definitions import ReportSpec
from .export import TEMPLATE_NAME, TEMPLATES, Provenance, stylesheet
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


#: Audience -> (heading, order) in the index; others follow under their own name.
AUDIENCES = {
    "patient": ("For patients and families", 0),
    "clinician": ("For clinicians", 1),
    "educator": ("For educators", 2),
    "analyst": ("For analysts", 3),
}
INDEX_TEMPLATE = "site_index.html.j2"


def _status_words(item: ReportStatus) -> str:
    """The status and its date in words, e.g. ``Up to date: built 30 November 2026.``"""
    record = item.record
    day = day_in_words(record.built_at) if record is not None else ""
    if record is None:
        return "Not built yet."
    if item.status == "failed" or record.status == "failed":
        kept = "the previous version is kept." if item.has_html else "there is no earlier version."
        return f"Failed on {day}; {kept}"
    if item.status == "not built":
        return f"Built {day} (not part of this build)."
    return f"Up to date: built {day}."


def _item(item: ReportStatus) -> dict:
    spec, record = item.spec, item.record
    failed = item.status == "failed" or (record is not None and record.status == "failed")
    return {
        "name": spec.name,
        "title": spec.title,
        "href": f"{spec.name}.html" if item.has_html else "",
        "description": spec.description,
        "status_class": "failed" if failed else ("built" if item.has_html else "not-built"),
        "status_words": _status_words(item),
        "error": record.error if record is not None and failed else "",
        "parameters": [(key, json.dumps(value, ensure_ascii=False))
                       for key, value in spec.parameters.items()],
    }


def _groups(statuses: Sequence[ReportStatus]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for item in statuses:
        groups.setdefault(item.spec.audience, []).append(_item(item))
    order = sorted(groups, key=lambda a: (AUDIENCES.get(a, ("", len(AUDIENCES)))[1], a))
    return [{"key": re.sub(r"[^a-z0-9-]", "-", audience.lower()),
             "heading": AUDIENCES.get(audience, (f"For {audience}" if audience != "any" else "Other reports",
                                                 0))[0],
             "items": groups[audience]} for audience in order]


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES / TEMPLATE_NAME),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render_index(statuses: Sequence[ReportStatus], provenance: Provenance) -> str:
    """The index page as a complete, self-contained HTML document (template ``site_index.html.j2``).

    Reports are grouped by audience (patients, clinicians, educators, analysts, then any other), each
    with its one-line description and its status and date in words; parameters are folded away in a
    ``<details>`` element. Every value is escaped by the template.
    """
    failed = sum(item.status == "failed" for item in statuses)
    summary = f"{len(statuses)} reports" + (f", {failed} failed in this build." if failed else ".")
    return _environment().get_template(INDEX_TEMPLATE).render(
        page=provenance.page(), css=stylesheet(), summary=summary, groups=_groups(statuses))
