"""Audit sections: validation result, coverage counts, claim checks, findings, changes."""

from __future__ import annotations

from datetime import date

from helpers import EVIDENCE

from lymphoma_evidence import check_reported_ranges, load_evidence
from lymphoma_evidence.reports import evidence_audit as section
from lymphoma_evidence.reports.context import ReportContext


def test_coverage_counts_results_per_class() -> None:
    evidence = load_evidence(EVIDENCE)
    table = section.coverage_table(ReportContext(evidence))
    assert table["orr_results"].sum() == (evidence.results["endpoint"] == "ORR").sum()
    assert table["cr_results"].sum() == (evidence.results["endpoint"] == "CR").sum()
    assert table["stated_ranges"].sum() == len(evidence.reported_ranges)


def test_claim_checks_show_every_verdict() -> None:
    evidence = load_evidence(EVIDENCE)
    html = section.claim_checks(ReportContext(evidence))
    for row in check_reported_ranges(evidence).itertuples():
        assert row.range_id in html and row.verdict in html


def test_validation_reports_a_valid_folder_with_its_hash() -> None:
    evidence = load_evidence(EVIDENCE)
    assert f"content hash {evidence.content_hash[:12]}" in section.validation(ReportContext(evidence))


def test_findings_use_the_given_audit_day() -> None:
    html = section.findings(ReportContext(load_evidence(EVIDENCE)), 12, date(2030, 1, 1))
    assert "on 2030-01-01" in html and "Sources not checked for more than 12 months" in html
