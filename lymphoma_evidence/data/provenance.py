"""Where figures come from: primary sources, identifiers, and the "identifier to complete" flag.

Results and harms cite a primary source (trial publication, conference abstract or label) that has a PMID
or DOI (a label: its url). Where no identifier could be seen, the source may carry
``identifier_status = identifier_to_complete``: its citation then gives journal, year, volume and first
page, its ``url`` the address where the text was seen, and the audit lists it until an analyst completes it.
Approvals cite a label or an agency page; a press article is accepted but the audit lists it.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import Problem
from .schema import Package

PRIMARY_SOURCE_TYPES = ("trial_publication", "conference_abstract", "label")
APPROVAL_SOURCE_TYPES = ("label", "agency_page", "article")
TO_COMPLETE = "identifier_to_complete"
#: "2024;8(20):5371" or "2023;108(11):2972" or "2024;8:e62": year;volume(issue):first page.
VOLUME_AND_PAGE = re.compile(r"\b(19|20)\d{2}\s*;\s*\d+\s*(\([^)]*\))?\s*:\s*[eE]?\d+")
#: Tables whose figures must be traceable to a source with an identifier.
FIGURE_TABLES = (("results", "result_id"), ("harms", "harm_id"))

Frames = dict[str, pd.DataFrame]
Lines = dict[str, list[int]]


def _problem(
    package: Package, table: str, lines: Lines, index: int, column: str, message: str, code: str
) -> Problem:
    return Problem(package.table(table).path, lines[table][index], column, message, code)


def _a(kind: str) -> str:
    """``a trial_publication``, ``an article``."""
    return f"{'an' if str(kind)[:1] in 'aeiou' else 'a'} {kind}"


def _source_column(frames: Frames, column: str) -> pd.Series:
    sources = frames["sources"].set_index("source_id")[column]
    return sources[~sources.index.duplicated()]


def has_identifier(sources: pd.DataFrame) -> pd.Series:
    """True where a source can be traced: a PMID or DOI, or a label, agency page or registry record url."""
    by_url = sources["source_type"].isin(["label", "agency_page", "registry_record"]) & sources["url"].notna()
    return (sources["pmid"].notna() | sources["doi"].notna() | by_url).fillna(False).astype(bool)


def _primary_sources(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    kinds = _source_column(frames, "source_type")
    problems = []
    for table, _ in FIGURE_TABLES:
        frame = frames[table]
        kind = frame["source_id"].map(kinds)
        bad = kind.notna() & ~kind.isin(PRIMARY_SOURCE_TYPES)
        problems += [
            _problem(
                package,
                table,
                lines,
                i,
                "source_id",
                f"{frame['source_id'][i]!r} is {_a(kind[i])}; {table} must cite a primary source "
                f"({', '.join(PRIMARY_SOURCE_TYPES)})",
                "secondary-source",
            )
            for i in frame.index[bad.fillna(False)]
        ]
    return problems


def _traceable_sources(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    sources = frames["sources"]
    cited = set()
    for table, _ in FIGURE_TABLES:
        cited |= set(frames[table]["source_id"].dropna())
    flagged = (sources["identifier_status"] == TO_COMPLETE).fillna(False)
    untraceable = ~has_identifier(sources) & ~flagged & sources["source_id"].isin(cited).fillna(False)
    return [
        _problem(
            package,
            "sources",
            lines,
            i,
            "pmid",
            f"{sources['source_id'][i]!r} is cited by results or harms but has neither a PMID nor a DOI "
            "(a label needs its url); add one so every figure can be traced, or, when none can be seen, "
            "set identifier_status to identifier_to_complete with the full citation (volume and first "
            "page) and the url where the text was seen",
            "untraceable-source",
        )
        for i in sources.index[untraceable]
    ]


def _identifier_status(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    sources = frames["sources"]
    flagged = (sources["identifier_status"] == TO_COMPLETE).fillna(False)
    problems = []
    for i in sources.index[flagged]:
        sid = sources["source_id"][i]
        if pd.notna(sources["pmid"][i]) or pd.notna(sources["doi"][i]):
            problems.append(
                _problem(
                    package,
                    "sources",
                    lines,
                    i,
                    "identifier_status",
                    f"{sid!r} has a PMID or DOI, so its identifier is not missing; set "
                    "identifier_status to complete (or leave it empty)",
                    "identifier-status",
                )
            )
        if pd.isna(sources["url"][i]):
            problems.append(
                _problem(
                    package,
                    "sources",
                    lines,
                    i,
                    "url",
                    f"{sid!r} is flagged identifier_to_complete and needs the url of the "
                    "page where its text was seen",
                    "identifier-status",
                )
            )
        if not VOLUME_AND_PAGE.search(str(sources["citation"][i])):
            problems.append(
                _problem(
                    package,
                    "sources",
                    lines,
                    i,
                    "citation",
                    f"{sid!r} is flagged identifier_to_complete, so its citation must give "
                    "year, volume and first page (e.g. 'Blood Adv. 2024;8(20):5371'); add "
                    "them or leave the source out",
                    "identifier-status",
                )
            )
    return problems


def _approval_sources(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    kinds = frames["approvals"]["source_id"].map(_source_column(frames, "source_type"))
    bad = kinds.notna() & ~kinds.isin(APPROVAL_SOURCE_TYPES)
    approvals = frames["approvals"]
    return [
        _problem(
            package,
            "approvals",
            lines,
            i,
            "source_id",
            f"{approvals['source_id'][i]!r} is {_a(kinds[i])}; an approval cites the label or the "
            "agency page (source_type label or agency_page; an article only where neither was seen)",
            "approval-source",
        )
        for i in approvals.index[bad.fillna(False)]
    ]


def provenance_problems(package: Package, frames: Frames, lines: Lines) -> list[Problem]:
    """Every problem with the sources that results, harms and approvals cite."""
    problems: list[Problem] = []
    for check in (_primary_sources, _traceable_sources, _identifier_status, _approval_sources):
        problems += check(package, frames, lines)
    return problems
