"""Every registered trial comes from a cited registry record, and its status date is the one printed there.

A trial row's ``status`` and ``status_date`` are only as good as the registry record they were read from. The
record is a ``registry_record`` row of ``sources.csv`` with the trial's NCT id, and its citation states the
record's date as the copy printed it ("Last Updated 2026-01-07", "Last Update Posted May 26, 2022", "Last
Update Jul 24 2023", or a month only, "Updated June 2026", read as the first of that month). A trial whose
date is not one of the dates its records print was typed, not read.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

#: A date as registry copies print it, with the strptime formats that read it.
DATE_FORMATS = (
    (r"\d{4}-\d{2}-\d{2}", ("%Y-%m-%d",)),
    (r"[A-Z][a-z]+ \d{1,2},? \d{4}", ("%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%b %d %Y")),
    (r"[A-Z][a-z]+ \d{4}", ("%B %Y", "%b %Y")),
)
#: The words that introduce a record's date in a citation.
DATE_LABEL = r"(?:Last Updated?(?: Posted)?|Updated)"


def _parsed(text: str, formats: tuple[str, ...]) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def printed_dates(citation: str) -> set[date]:
    """The record dates a citation prints after "Last Updated", "Last Update Posted", "Updated" ...

    >>> sorted(printed_dates('copy at x; "Updated June 2026"; Last Update Posted May 26, 2022'))
    [datetime.date(2022, 5, 26), datetime.date(2026, 6, 1)]
    """
    found: set[date] = set()
    for pattern, formats in DATE_FORMATS:
        for match in re.finditer(rf"{DATE_LABEL}:? ({pattern})", citation):
            day = _parsed(match.group(1), formats)
            if day is not None:
                found.add(day)
    return found


def registry_dates(evidence) -> dict[str, set[date]]:
    """``{nct_id: dates printed by its registry_record sources}``."""
    sources = evidence.sources
    records = sources[(sources["source_type"] == "registry_record") & sources["nct_id"].notna()]
    dates: dict[str, set[date]] = {}
    for row in records.itertuples():
        dates.setdefault(row.nct_id, set()).update(printed_dates(str(row.citation)))
    return dates


def test_printed_dates_reads_every_form_the_copies_use() -> None:
    assert printed_dates("(copy at meddatax.com; Last Updated 2025-12-24)") == {date(2025, 12, 24)}
    assert printed_dates("(classic ct2 page; Last Update Posted January 16, 2018)") == {date(2018, 1, 16)}
    assert printed_dates("(copy at CDEK; Last Update Jul 24 2023)") == {date(2023, 7, 24)}
    assert printed_dates('(copy at trialfinderdata.org, "Updated June 2026"; ...)') == {date(2026, 6, 1)}
    assert printed_dates("Undated page.") == set()


@pytest.fixture(scope="module")
def dates(evidence) -> dict[str, set[date]]:
    return registry_dates(evidence)


def test_every_trial_has_a_registry_record(evidence, dates) -> None:
    uncited = sorted(set(evidence.trials["nct_id"]) - set(dates))
    assert not uncited, f"trials.csv rows without a registry_record row in sources.csv: {uncited}"


def test_every_status_date_is_printed_by_the_trials_registry_record(evidence, dates) -> None:
    wrong = {}
    for row in evidence.trials.itertuples():
        status_date = row.status_date.date() if hasattr(row.status_date, "date") else date.fromisoformat(
            str(row.status_date))
        if status_date not in dates.get(row.nct_id, set()):
            wrong[row.nct_id] = (str(status_date), sorted(str(d) for d in dates.get(row.nct_id, set())))
    assert not wrong, f"status_date not printed by the trial's registry record (date, dates printed): {wrong}"
