"""Audit sections: validation result, coverage counts, claim checks, findings, changes."""

from __future__ import annotations

from datetime import date

from helpers import real_evidence

from lymphoma_evidence import check_reported_ranges
from lymphoma_evidence.reports import evidence_audit as section
from lymphoma_evidence.reports.context import ReportContext


def test_coverage_counts_results_per_class() -> None:
    evidence = real_evidence()
    table = section.coverage_table(ReportContext(evidence))
    for endpoint in evidence.results["endpoint"].unique():
        assert table[f"{endpoint} results"].sum() == (evidence.results["endpoint"] == endpoint).sum()
    assert table["stated_ranges"].sum() == len(evidence.reported_ranges)


def test_claim_checks_show_every_verdict() -> None:
    evidence = real_evidence()
    html = section.claim_checks(ReportContext(evidence))
    assert "_<wbr>" in html, "long ids may wrap after their underscores"
    shown = str(html).replace("<wbr>", "")
    for row in check_reported_ranges(evidence).itertuples():
        assert row.range_id in shown and row.verdict in shown


def test_validation_reports_a_valid_folder_with_its_hash() -> None:
    evidence = real_evidence()
    assert f"content hash {evidence.content_hash[:12]}" in section.validation(ReportContext(evidence))


def test_findings_use_the_given_audit_day() -> None:
    html = section.findings(ReportContext(real_evidence()), 12, date(2030, 1, 1))
    assert "on 2030-01-01" in html and "Sources not checked for more than 12 months" in html


def test_changes_compare_with_the_latest_release_only_when_asked(monkeypatch) -> None:
    from lymphoma_evidence.analyst import audit

    asked: list[object] = []
    monkeypatch.setattr(audit, "compare_with_latest_release", lambda ev: asked.append(ev) or (None, None))
    context = ReportContext(real_evidence())
    assert "Not compared here" in section.changes(context, since_release=False)
    assert asked == [], "the notebook's default reads no git tags, so its stored outputs stay stable"
    assert "No earlier release to compare with" in section.changes(context)
    assert len(asked) == 1


def test_a_finding_kind_with_no_finding_says_nothing_was_found_not_none() -> None:
    from bs4 import BeautifulSoup

    html = str(section.findings(ReportContext(real_evidence()), 1200, date(2026, 12, 7)))
    soup = BeautifulSoup(html, "html.parser")
    empty = [h3 for h3 in soup.find_all("h3") if h3.get_text().endswith(": 0")]
    assert empty, "with a 100-year limit no source is stale"
    for heading in empty:
        assert heading.find_next_sibling().get_text() == "Nothing found.", heading.get_text()
    assert "None." not in soup.get_text(" ")
