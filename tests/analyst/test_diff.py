"""Evidence diff: rows matched by primary key, field-level changes, range effects, the changelog rule,
folders and git revisions (read with git, never checked out), and the three output formats."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, copy_evidence, digest, find_line, read_rows, set_cell, write_rows

from lymphoma_evidence.analyst.changelog import names, previous_version, released_versions
from lymphoma_evidence.analyst.diff import class_ranges, diff_against_previous_release, diff_evidence
from lymphoma_evidence.analyst.diffreport import format_range, render_json, render_markdown, render_text
from lymphoma_evidence.analyst.textio import parse_table
from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import ParameterError

MINIMAL = FIXTURES / "evidence_min"


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return copy_evidence(MINIMAL, tmp_path / "old")


@pytest.fixture
def new(tmp_path: Path, old: Path) -> Path:
    target = tmp_path / "new"
    shutil.copytree(old, target)
    return target


def _remove_row(folder: Path, file: str, line: int) -> list[str]:
    rows = read_rows(folder / file)
    removed = rows.pop(line - 1)
    write_rows(folder / file, rows)
    return removed


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def test_identical_folders_have_no_changes(old: Path, new: Path) -> None:
    diff = diff_evidence(old, new, old)
    assert diff.is_empty and not diff.ranges and not diff.notes
    assert "No changes." in render_text(diff)


def test_a_changed_cell_is_reported_with_its_before_and_after_text(old: Path, new: Path) -> None:
    line = find_line(new, "agents.csv", agent_id="epcoritamab")
    before = read_rows(new / "agents.csv")[line - 1][read_rows(new / "agents.csv")[0].index("target")]
    set_cell(new, "agents.csv", line, "target", "CD20 x CD3 (changed)")
    agents = next(t for t in diff_evidence(old, new, old).tables if t.table == "agents")
    assert [c.key for c in agents.changed] == ["epcoritamab"]
    change = agents.changed[0].fields
    assert [(f.column, f.before, f.after) for f in change] == [("target", before, "CD20 x CD3 (changed)")]


def test_rows_are_matched_by_primary_key_not_position(old: Path, new: Path) -> None:
    rows = read_rows(new / "results.csv")
    write_rows(new / "results.csv", [rows[0], *reversed(rows[1:])])
    assert diff_evidence(old, new, old).is_empty


def test_added_and_removed_rows_are_listed_by_key(old: Path, new: Path) -> None:
    rows = read_rows(new / "sources.csv")
    extra = list(rows[-1])
    extra[0] = "added2026_example"
    write_rows(new / "sources.csv", [*rows, extra])
    removed = _remove_row(new, "discussion_questions.csv", 2)
    diff = diff_evidence(old, new, old)
    tables = {t.table: t for t in diff.tables}
    assert [t_row["source_id"] for t_row in tables["sources"].added] == ["added2026_example"]
    assert [r["question_id"] for r in tables["discussion_questions"].removed] == [removed[0]]


def test_class_ranges_use_responders_over_n_of_whole_populations() -> None:
    results = parse_table(
        "result_id,agent_id,subgroup_of,endpoint,n,responders\n"
        "a,drug_a,,ORR,100,52\n"
        "b,drug_b,,ORR,50,30\n"
        "c,drug_b,b_cohort,ORR,10,10\n"      # a subgroup: not a whole population
        "d,drug_a,,CR,40,\n")               # no count: left out
    agents = parse_table("agent_id,class_id\ndrug_a,class_x\ndrug_b,class_x\n")
    assert class_ranges(results, agents) == {("class_x", "ORR"): (0.52, 0.6)}


def test_range_effect_is_reported_per_class(old: Path, new: Path) -> None:
    line = find_line(new, "results.csv", result_id="epcoritamab_epcore_nhl1_2y_orr")
    rows = read_rows(new / "results.csv")
    n = int(rows[line - 1][rows[0].index("n")])
    responders = int(rows[line - 1][rows[0].index("responders")])
    set_cell(new, "results.csv", line, "responders", str(responders + 1))
    set_cell(new, "results.csv", line, "reported_percent", f"{100 * (responders + 1) / n:.1f}")
    diff = diff_evidence(old, new, old)
    assert not diff.notes  # both sides valid: the ranges are the reports' ranges
    endpoint = "ORR (Prior CAR-T not reported)"  # EPCORE NHL-1's stratum: its ranges are not mixed
    assert {r.endpoint for r in diff.ranges} == {endpoint}
    change = next(r for r in diff.ranges if (r.class_id, r.endpoint) == ("bispecific_antibodies", endpoint))
    assert change.before[1] == pytest.approx(responders / n)
    assert change.after[1] == pytest.approx((responders + 1) / n)
    assert f"{endpoint} range {format_range(change.before)} -> {format_range(change.after)}" \
        in render_text(diff)


def test_format_range_shows_whole_percents() -> None:
    assert format_range((0.52, 0.634)) == "52–63%"
    assert format_range((0.5, 0.5)) == "50%"
    assert format_range(None) == "none"


def test_an_invalid_side_is_still_compared_and_the_output_says_so(old: Path, new: Path) -> None:
    line = find_line(new, "results.csv", result_id="zuma1_5y_orr")
    set_cell(new, "results.csv", line, "phase", "7")
    diff = diff_evidence(old, new, old)
    assert any("does not validate" in note for note in diff.notes)
    results = next(t for t in diff.tables if t.table == "results")
    assert [(c.key, c.fields[0].after) for c in results.changed] == [("zuma1_5y_orr", "7")]
    assert "note:" in render_text(diff)


def test_removed_result_not_named_in_the_changelog_fails_the_cli(old: Path, new: Path) -> None:
    line = find_line(new, "results.csv", result_id="zuma1_5y_cr")
    _remove_row(new, "results.csv", line)
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--evidence", str(old)])
    assert result.exit_code == 1
    assert "zuma1_5y_cr" in result.output and "CHANGELOG.md" in result.output


def test_removed_result_named_in_the_changelog_passes(old: Path, new: Path) -> None:
    _remove_row(new, "results.csv", find_line(new, "results.csv", result_id="zuma1_5y_cr"))
    (new / "CHANGELOG.md").write_text("## 0.2.0\n\nRemoved zuma1_5y_cr: superseded.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--evidence", str(old)])
    assert result.exit_code == 0, result.output
    assert diff_evidence(old, new, old).removed_result_ids == ["zuma1_5y_cr"]


def test_changelog_must_name_the_whole_id() -> None:
    assert names("Removed zuma1_5y_cr (superseded).", "zuma1_5y_cr")
    assert not names("Removed zuma1_5y_cr_v2.", "zuma1_5y_cr")
    assert not names("Removed xzuma1_5y_cr.", "zuma1_5y_cr")


def test_released_versions_and_the_previous_release() -> None:
    text = "# Changelog\n\n## 0.2.0 - 2027-01-01\n\ntext\n\n## [0.1.0] - 2026-11-26\n"
    assert released_versions(text) == ["0.2.0", "0.1.0"]
    assert previous_version(text, "0.2.0") == "0.1.0"
    assert previous_version(text, "0.3.0") == "0.2.0"   # unreleased work: the newest release
    assert previous_version(text, "0.1.0") is None


def test_markdown_and_json_outputs(old: Path, new: Path) -> None:
    line = find_line(new, "agents.csv", agent_id="epcoritamab")
    set_cell(new, "agents.csv", line, "target", "a | b")
    _remove_row(new, "results.csv", find_line(new, "results.csv", result_id="zuma1_5y_cr"))
    diff = diff_evidence(old, new, old)
    markdown = render_markdown(diff)
    assert "| row | field | before | after |" in markdown and "a \\| b" in markdown
    assert "\n\n\n" not in markdown, "one blank line between Markdown blocks, never two"
    assert "**Error:**" in markdown
    data = json.loads(render_json(diff))
    assert data["removed_result_ids"] == ["zuma1_5y_cr"]
    agents = next(t for t in data["tables"] if t["table"] == "agents")
    assert agents["changed"][0]["fields"][0]["after"] == "a | b"


def test_a_side_that_is_neither_folder_nor_revision_is_a_parameter_error(old: Path) -> None:
    with pytest.raises(ParameterError, match="neither an evidence folder nor a revision"):
        diff_evidence(old, "no-such-revision", old)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose evidence/ has two commits: HEAD~1 and HEAD (one source's label changed)."""
    root = tmp_path / "repo"
    copy_evidence(MINIMAL, root / "evidence")
    _git(tmp_path, "init", "-q", str(root))
    _git(root, "add", "evidence")
    _git(root, "commit", "-q", "-m", "first")
    set_cell(root / "evidence", "sources.csv", 2, "label", "Changed label")
    _git(root, "commit", "-q", "-am", "second")
    return root


def test_git_revisions_are_compared_without_touching_the_work_tree(repo: Path) -> None:
    evidence = repo / "evidence"
    set_cell(evidence, "sources.csv", 3, "label", "Uncommitted edit")
    before_tree, before_status = digest(evidence), _git(repo, "status", "--porcelain")
    diff = diff_evidence("HEAD~1", "HEAD", evidence)
    sources = next(t for t in diff.tables if t.table == "sources")
    assert [(c.key, c.fields[0].after) for c in sources.changed] == [
        (read_rows(evidence / "sources.csv")[1][0], "Changed label")]
    assert digest(evidence) == before_tree and _git(repo, "status", "--porcelain") == before_status
    against_tree = diff_evidence("HEAD", evidence, evidence)
    changed = next(t for t in against_tree.tables if t.table == "sources").changed
    assert [c.fields[0].after for c in changed] == ["Uncommitted edit"]


def test_diff_against_previous_release_uses_the_changelog_and_history(repo: Path) -> None:
    evidence = repo / "evidence"
    assert diff_against_previous_release(evidence) is None  # no changelog: no release yet
    (evidence / "CHANGELOG.md").write_text("## 0.1.0 - 2026-11-26\n\nFirst release.\n", encoding="utf-8")
    package = json.loads((evidence / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == "0.1.0"
    package["version"] = "0.2.0"
    (evidence / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    set_cell(evidence, "sources.csv", 3, "label", "Edited after the release")
    assert diff_against_previous_release(evidence) is None  # 0.1.0 is listed, but no commit marks it
    _git(repo, "tag", "evidence-v0.1.0", "HEAD~1")   # the release was the first commit
    diff = diff_against_previous_release(evidence)
    assert diff is not None and diff.old.startswith("release 0.1.0")
    sources = next(t for t in diff.tables if t.table == "sources")
    # both label edits since the release show
    assert sorted(c.fields[0].after for c in sources.changed) == ["Changed label", "Edited after the release"]


def test_harms_and_approvals_changes_are_listed_by_their_keys(old: Path, new: Path) -> None:
    line = find_line(new, "harms.csv", harm_id="epcoritamab_epcore_nhl1_2y_crs_any")
    set_cell(new, "harms.csv", line, "grading_system", "ASTCT (Lee 2019)")
    _remove_row(new, "approvals.csv", 2)
    tables = {t.table: t for t in diff_evidence(old, new, old).tables}
    assert [c.key for c in tables["harms"].changed] == ["epcoritamab_epcore_nhl1_2y_crs_any"]
    assert [(f.column, f.before, f.after) for f in tables["harms"].changed[0].fields] == [
        ("grading_system", "", "ASTCT (Lee 2019)")]
    assert [r["approval_id"] for r in tables["approvals"].removed] == ["epcoritamab_fda_2023_dlbcl"]


def test_option_details_are_matched_by_their_composite_key(old: Path, new: Path) -> None:
    rows = read_rows(new / "option_details.csv")
    extra = [*rows[1][:2], "A second fact in plain words.", rows[1][3]]
    write_rows(new / "option_details.csv", [*rows, extra])
    tables = {t.table: t for t in diff_evidence(old, new, old).tables}
    assert [r["plain_words"] for r in tables["option_details"].added] == ["A second fact in plain words."]
    assert not tables["option_details"].removed and not tables["option_details"].changed


def test_a_missing_table_is_noted_once_and_a_lost_key_column_is_named(old: Path, new: Path) -> None:
    (old / "trials.csv").unlink()
    rows = read_rows(new / "sources.csv")
    rows[0] = ["id" if c == "source_id" else c for c in rows[0]]
    write_rows(new / "sources.csv", rows)
    notes = diff_evidence(old, new, new).notes
    trials = [n for n in notes if n.startswith("trials.csv")]
    assert trials == [f"trials.csv is missing in {old}; treated as empty"]
    assert "sources.csv (new) lacks key column(s) source_id; its rows cannot be matched" in notes
