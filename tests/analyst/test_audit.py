"""Audit: stale sources, agents without post-CAR-T data, classes without a reported range, results
without a data cut-off, investigational entries with old sources; the report and the CLI exit codes."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import FIXTURES, real_evidence

from lymphoma_evidence.analysis.approvals import class_status
from lymphoma_evidence.analyst.audit import (
    agents_without_post_car_t,
    audit_evidence,
    classes_without_reported_range,
    old_investigational_sources,
    press_only_approvals,
    results_without_data_cutoff,
    shares_not_reported,
    sources_to_complete,
    stale_sources,
    stale_trial_statuses,
)
from lymphoma_evidence.analyst.auditreport import render_json, render_markdown, render_text
from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.evidence import Evidence
from lymphoma_evidence.errors import ParameterError

TODAY = date(2026, 11, 26)


def _evidence() -> Evidence:
    sources = pd.DataFrame({
        "source_id": pd.array(["fresh2025_a", "old2020_b", "undated_web"], dtype="string"),
        "label": pd.array(["Fresh 2025", "Old 2020", "Web page"], dtype="string"),
        "year": pd.array([2025, 2020, None], dtype="Int64"),
        "accessed": pd.to_datetime(["2026-11-01", "2025-11-26", "2025-11-25"]),
        "source_type": pd.array(["trial_publication", "conference_abstract", "article"], dtype="string"),
        "citation": pd.array(["Fresh A. Blood. 2025;1:1.", "Old B. Blood. 2020;2(3):45.", "Web page"],
                             dtype="string"),
        "url": pd.array(["https://a.example", "https://b.example", "https://web.example"], dtype="string"),
        "identifier_status": pd.array([None, "identifier_to_complete", None], dtype="string"),
        "pmid": pd.array(["12345678", None, None], dtype="string"),
        "doi": pd.array([None, None, None], dtype="string"),
    })
    classes = pd.DataFrame({
        "class_id": pd.array(["bispecific_antibodies", "allogeneic_car_t"], dtype="string"),
        "name": pd.array(["Bispecific antibodies", "Allogeneic CAR T"], dtype="string"),
        "role": pd.array(["option", "option"], dtype="string"),
        "kind": pd.array(["medicine", "cell_therapy"], dtype="string"),
    })
    agents = pd.DataFrame({
        "agent_id": pd.array(["glofitamab", "epcoritamab", "allo_x"], dtype="string"),
        "name": pd.array(["Glofitamab", "Epcoritamab", "ALLO-X"], dtype="string"),
        "class_id": pd.array(["bispecific_antibodies", "bispecific_antibodies", "allogeneic_car_t"],
                             dtype="string"),
    })
    results = pd.DataFrame({
        "result_id": pd.array(["glofit_post_cart_orr", "epcor_orr", "allo_x_orr"], dtype="string"),
        "scope_id": pd.array(["glofitamab", "epcoritamab", "allo_x"], dtype="string"),
        "trial": pd.array(["NP30179", "EPCORE NHL-1", "ALLO-X-1"], dtype="string"),
        "post_car_t": pd.array([True, False, False], dtype="boolean"),
        "data_cutoff": pd.to_datetime(["2022-03-14", None, "2019-01-01"]),
        "source_id": pd.array(["fresh2025_a", "fresh2025_a", "old2020_b"], dtype="string"),
    })
    ranges = pd.DataFrame({
        "range_id": pd.array(["bsab_orr"], dtype="string"),
        "class_id": pd.array(["bispecific_antibodies"], dtype="string"),
        "source_id": pd.array(["undated_web"], dtype="string"),
    })
    approvals = pd.DataFrame({
        "approval_id": pd.array(["glofit_fda", "glofit_news"], dtype="string"),
        "agent_id": pd.array(["glofitamab", "glofitamab"], dtype="string"),
        "regulator": pd.array(["FDA", "EMA"], dtype="string"),
        "date": pd.to_datetime(["2023-06-15", "2023-07-07"]),
        "disease": pd.array(["DLBCL", "DLBCL"], dtype="string"),
        "line_of_therapy": pd.array(["after two or more lines", "after two or more lines"], dtype="string"),
        "kind": pd.array(["accelerated", "conditional"], dtype="string"),
        "source_id": pd.array(["fresh2025_a", "undated_web"], dtype="string"),
    })
    trials = pd.DataFrame({
        "nct_id": pd.array(["NCT00000001", "NCT00000002", "NCT00000003"], dtype="string"),
        "class_id": pd.array(["allogeneic_car_t"] * 3, dtype="string"),
        "status": pd.array(["RECRUITING", "RECRUITING", "SUSPENDED"], dtype="string"),
        "status_verified": pd.to_datetime(["2026-06-01", "2018-01-16", "2026-10-01"]),
    })
    return Evidence.from_frames(sources=sources, classes=classes, agents=agents, results=results,
                                reported_ranges=ranges, trials=trials, approvals=approvals)


def test_stale_sources_are_those_accessed_more_than_n_months_before_today() -> None:
    stale = stale_sources(_evidence(), months=12, today=TODAY)
    # accessed exactly 12 months ago is not stale; one day more is
    assert stale["source_id"].tolist() == ["undated_web"]
    assert stale["months_since"].tolist() == [12]
    assert stale_sources(_evidence(), months=0, today=TODAY)["source_id"].tolist() == [
        "undated_web", "old2020_b", "fresh2025_a"]


def test_stale_sources_rejects_a_negative_age() -> None:
    with pytest.raises(ParameterError, match="months must be a whole number >= 0, got -1"):
        stale_sources(_evidence(), months=-1, today=TODAY)


def test_agents_without_post_car_t_results() -> None:
    assert agents_without_post_car_t(_evidence())["agent_id"].tolist() == ["epcoritamab", "allo_x"]


def test_classes_without_reported_range() -> None:
    assert classes_without_reported_range(_evidence())["class_id"].tolist() == ["allogeneic_car_t"]


def test_results_without_data_cutoff() -> None:
    assert results_without_data_cutoff(_evidence())["result_id"].tolist() == ["epcor_orr"]


def test_sources_whose_identifier_is_to_complete_are_listed() -> None:
    assert sources_to_complete(_evidence())["source_id"].tolist() == ["old2020_b"]


def test_approvals_cited_from_a_press_article_are_listed() -> None:
    assert press_only_approvals(_evidence())["approval_id"].tolist() == ["glofit_news"]


def test_class_status_comes_from_approvals_so_a_class_without_lbcl_approval_is_investigational() -> None:
    evidence = _evidence()
    assert class_status(evidence)["status"].tolist() == ["approved", "investigational"]
    fl_only = evidence.approvals.assign(disease="FL")
    status = class_status(Evidence.from_frames(**{**_tables(evidence), "approvals": fl_only}))
    assert status["status"].tolist() == ["investigational", "investigational"]


def _tables(evidence: Evidence) -> dict[str, pd.DataFrame]:
    return {name: getattr(evidence, name) for name in ("sources", "classes", "agents", "results",
                                                        "reported_ranges", "approvals")}


def test_investigational_entries_with_sources_older_than_two_years() -> None:
    old = old_investigational_sources(_evidence(), today=TODAY)
    assert old[["table", "entry_id", "source_id"]].values.tolist() == [
        ["results", "allo_x_orr", "old2020_b"]]
    assert old["age_years"].tolist() == [6]
    assert old_investigational_sources(_evidence(), years=6, today=TODAY).empty


def test_audit_collects_every_kind_and_does_not_change_the_evidence() -> None:
    evidence = _evidence()
    copies = {name: getattr(evidence, name).copy() for name in ("sources", "agents", "results")}
    report = audit_evidence(evidence, stale_after_months=12, today=TODAY)
    assert {kind: len(frame) for kind, frame in report.findings.items()} == {
        "stale_sources": 1, "stale_trial_statuses": 2, "agents_without_post_car_t": 2,
        "options_without_side_effects": 2,
        "classes_without_reported_range": 1, "results_without_data_cutoff": 1,
        "old_investigational_sources": 1, "sources_to_complete": 1, "outcome_sources_without_identifier": 0,
        "press_only_approvals": 1, "shares_not_reported": len(shares_not_reported(evidence)),
        "citations_to_complete": 0, "certainty_rationale_mismatches": 0}
    total = 12 + len(shares_not_reported(evidence))
    assert report.total == total
    text = render_text(report)
    assert text.startswith(f"Evidence audit (2026-11-26): {total} finding(s)")
    assert "Sources not checked for more than 12 months: 1" in text
    for name, frame in copies.items():
        pd.testing.assert_frame_equal(getattr(evidence, name), frame)


def test_cli_audit_exits_1_only_with_strict(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence_min", folder)
    args = ["audit", "--evidence", str(folder), "--today", "2030-01-01"]
    relaxed = CliRunner().invoke(cli, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "Sources not checked for more than 12 months" in relaxed.output
    assert CliRunner().invoke(cli, [*args, "--strict"]).exit_code == 1


def test_the_real_audit_lists_the_flagged_sources_and_the_press_only_approvals(evidence) -> None:
    report = audit_evidence(evidence, today=TODAY)
    flagged = set(report.findings["sources_to_complete"]["source_id"])
    sources = evidence.sources
    assert flagged == set(sources.loc[sources["identifier_status"] == "identifier_to_complete", "source_id"])
    assert "tafalen_descar_t_2024" in flagged
    press = report.findings["press_only_approvals"]
    kinds = evidence.sources.set_index("source_id")["source_type"]
    assert set(press["source_id"].map(kinds)) == {"article"}
    assert "fda2024_epcoritamab_fl" not in set(press["source_id"])  # an agency page is not press
    unflagged = report.findings["outcome_sources_without_identifier"]
    assert unflagged["source_id"].tolist() == ["abramson2024_transcend_ash"]  # an ASH abstract, no PMID seen


def test_trials_not_recruiting_or_with_an_old_status_are_findings() -> None:
    stale = stale_trial_statuses(_evidence(), months=12, today=TODAY)
    assert stale[["nct_id", "months_old", "reason"]].values.tolist() == [
        ["NCT00000002", 106, "record of 2018-01-16 is older than 12 months (before 2025-11-26)"],
        ["NCT00000003", 1, "not recruiting"]]
    assert stale_trial_statuses(_evidence(), months=200, today=TODAY)["nct_id"].tolist() == ["NCT00000003"]


def test_text_report_puts_every_value_under_a_column_header() -> None:
    text = render_text(audit_evidence(_evidence(), today=TODAY))
    lines = text.splitlines()
    start = lines.index("Investigational entries with sources more than 2 years old: 1")
    header, rule, row = lines[start + 1:start + 4]
    assert header.split() == ["table", "row", "id", "class", "id", "source", "id", "published", "age",
                              "(years)"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.split() == ["results", "allo_x_orr", "allogeneic_car_t", "old2020_b", "2020", "6"]
    # each value starts in its header's column
    assert header.index("age (years)") + len("age (years)") == row.index(" 6") + 2


def test_an_empty_finding_kind_says_nothing_was_found_in_text_and_markdown() -> None:
    report = audit_evidence(_evidence(), stale_after_months=1200, today=TODAY)
    assert "Sources not checked for more than 1200 months: 0\n  Nothing found.\n" in render_text(report)
    markdown = render_markdown(report)
    assert "### Sources not checked for more than 1200 months: 0\n\nNothing found.\n" in markdown
    assert "None." not in render_text(report) + markdown


def test_markdown_and_json_reports_carry_headers_and_full_rows() -> None:
    report = audit_evidence(_evidence(), today=TODAY)
    markdown = render_markdown(report)
    assert "| nct id | class id | status | status date | months old | reason |" in markdown
    assert "|---|---|---|---|---:|---|" in markdown
    assert "\n\n\n" not in markdown
    data = json.loads(render_json(report))
    assert data["total"] == 12 + len(shares_not_reported(_evidence()))
    trials = data["findings"]["stale_trial_statuses"]
    assert trials["columns"][:3] == ["nct_id", "class_id", "status"]
    assert trials["rows"][0]["nct_id"] == "NCT00000002" and trials["rows"][0]["months_old"] == 106


def test_cli_audit_formats(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence_min", folder)
    base = ["audit", "--evidence", str(folder), "--today", "2030-01-01"]
    data = json.loads(CliRunner().invoke(cli, [*base, "--format", "json"]).output)
    assert data["date"] == "2030-01-01" and data["release"] is None
    assert CliRunner().invoke(cli, [*base, "--format", "md"]).output.startswith("## Evidence audit")
    assert CliRunner().invoke(cli, [*base, "--format", "xml"]).exit_code == 2


def test_rows_without_a_prior_car_t_share_are_listed_for_analysts() -> None:

    listed = shares_not_reported(real_evidence())
    assert set(listed["table"]) <= {"results", "outcomes", "harms"}
    assert {"odronextamab_elm2_orr", "lonca_lotis2_label_serious_ar"} <= set(listed["row_id"])
    assert not {"zuma1_5y_orr", "juliet_longterm_cr", "glofitamab_np30179_crs_any",
                "odronextamab_elm1_post_cart_orr", "epcoritamab_epcore_nhl1_2y_orr"} & set(listed["row_id"])
