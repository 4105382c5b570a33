"""Evidence releases: version bump, CHANGELOG entry, git tag; diff and audit compare with the latest tag."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, copy_evidence, digest, set_cell

from lymphoma_evidence.analyst.release import (
    ReleaseError,
    next_version,
    release_evidence,
    release_record,
    with_version,
)
from lymphoma_evidence.analyst.revisions import latest_release
from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import UsageError

MINIMAL = ROOT / "tests" / "fixtures" / "evidence_min"
TODAY = date(2026, 11, 30)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the minimal evidence committed and a CHANGELOG listing 0.1.0 only."""
    for key, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@example.org"),
                       ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@example.org")):
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    evidence = copy_evidence(MINIMAL, root / "evidence")
    (evidence / "CHANGELOG.md").write_text("# Changelog\n\n## 0.1.0 - 2026-11-26\n\nFirst.\n",
                                           encoding="utf-8")
    _git(tmp_path, "init", "-q", str(root))
    _git(root, "add", "evidence")
    _git(root, "commit", "-q", "-m", "first")
    return root


def _version(folder: Path) -> str:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["version"]


def _add_entry(folder: Path, heading: str) -> None:
    path = folder / "CHANGELOG.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## 0.1.0", f"{heading}\n\nMore.\n\n## 0.1.0"),
                    encoding="utf-8")


@pytest.mark.parametrize(("bump", "expected"), [("major", "1.0.0"), ("minor", "0.3.0"), ("patch", "0.2.8")])
def test_next_version_bumps_one_part_and_resets_the_later_ones(bump: str, expected: str) -> None:
    assert next_version("0.2.7", bump) == expected


def test_a_version_that_is_not_semantic_or_a_bad_bump_is_refused() -> None:
    with pytest.raises(ReleaseError, match="version '1.0' is not MAJOR.MINOR.PATCH"):
        next_version("1.0", "patch")
    with pytest.raises(UsageError, match="Invalid bump 'huge'"):
        next_version("1.0.0", "huge")


def test_with_version_changes_only_the_top_level_version() -> None:
    text = '{\n  "name": "x",\n  "version": "0.1.0",\n  "resources": [{"version": "9"}]\n}\n'
    assert with_version(text, "0.2.0") == text.replace('"0.1.0"', '"0.2.0"')


def test_release_bumps_dates_commits_and_tags(repo: Path) -> None:
    evidence = repo / "evidence"
    _add_entry(evidence, "## 0.2.0")
    done = release_evidence(evidence, "minor", today=TODAY)
    assert (done.previous, done.version, done.released, done.tag) == ("0.1.0", "0.2.0", "2026-11-30",
                                                                       "evidence-v0.2.0")
    assert _version(evidence) == "0.2.0"
    assert "## 0.2.0 - 2026-11-30\n" in (evidence / "CHANGELOG.md").read_text(encoding="utf-8")
    assert _git(repo, "tag", "--list").split() == ["evidence-v0.2.0"]
    assert _git(repo, "status", "--porcelain") == ""  # the release commit holds both files
    tagged = json.loads(_git(repo, "show", "evidence-v0.2.0:evidence/datapackage.json"))
    assert tagged["version"] == "0.2.0"
    assert latest_release(evidence) == ("0.2.0", "evidence-v0.2.0")


def test_release_without_a_changelog_entry_changes_nothing(repo: Path) -> None:
    evidence = repo / "evidence"
    before = digest(evidence)
    result = CliRunner().invoke(cli, ["release", "patch", "--evidence", str(evidence)])
    assert result.exit_code == 1
    assert "has no section for 0.1.1; add a heading '## 0.1.1'" in result.output
    assert digest(evidence) == before and _git(repo, "tag", "--list") == ""


def test_release_refuses_uncommitted_tables(repo: Path) -> None:
    evidence = repo / "evidence"
    _add_entry(evidence, "## 0.1.1 - 2026-12-01")
    set_cell(evidence, "sources.csv", 2, "label", "Edited, not committed")
    with pytest.raises(ReleaseError, match=r"uncommitted evidence changes \(evidence/sources.csv\)"):
        release_evidence(evidence, "patch")
    assert _version(evidence) == "0.1.0"


def test_release_of_invalid_evidence_exits_1_and_lists_the_problems(repo: Path) -> None:
    evidence = repo / "evidence"
    _add_entry(evidence, "## 0.1.1")
    set_cell(evidence, "results.csv", 2, "n", "many")
    result = CliRunner().invoke(cli, ["release", "patch", "--evidence", str(evidence)])
    assert result.exit_code == 1
    assert f"{evidence}/results.csv:2:n: 'many' is not a whole number" in result.output
    assert _version(evidence) == "0.1.0"


def test_release_outside_a_repository_writes_the_files_without_a_tag(tmp_path: Path) -> None:
    evidence = copy_evidence(MINIMAL, tmp_path / "evidence")
    (evidence / "CHANGELOG.md").write_text("## 1.0.0 - 2027-01-02\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["release", "major", "--evidence", str(evidence)])
    assert result.exit_code == 0, result.output
    assert "released evidence 1.0.0 (was 0.1.0) on 2027-01-02 (not tagged" in result.output
    assert "run 'make notebooks' and commit them" in result.output   # the version is part of the evidence
    assert _version(evidence) == "1.0.0"


def test_diff_and_audit_compare_with_the_latest_release_tag(repo: Path) -> None:
    evidence = repo / "evidence"
    runner = CliRunner()
    no_release = runner.invoke(cli, ["diff", "--evidence", str(evidence)])
    assert no_release.exit_code == 2 and "no evidence-vX.Y.Z tag" in no_release.output
    _add_entry(evidence, "## 0.2.0")
    release_evidence(evidence, "minor", today=TODAY)
    set_cell(evidence, "sources.csv", 2, "label", "Edited after the release")
    diff = runner.invoke(cli, ["diff", "--evidence", str(evidence)])
    assert diff.exit_code == 0, diff.output
    assert diff.output.startswith("Evidence diff: evidence-v0.2.0 (version 0.2.0) -> ")
    assert "label: " in diff.output and "-> Edited after the release" in diff.output
    audit = runner.invoke(cli, ["audit", "--evidence", str(evidence), "--today", "2026-12-01"])
    assert "Changes since release 0.2.0 (evidence-v0.2.0):" in audit.output
    assert "sources.csv: 0 added, 0 removed, 1 changed" in audit.output


# ---------------------------------------------------------------- the release date pages show, and 0.2.0

def test_the_release_date_is_read_from_the_tag_else_from_the_changelog(repo: Path, monkeypatch) -> None:
    from lymphoma_evidence.publish.export import release_date

    folder = repo / "evidence"
    version = _version(folder)
    (folder / "CHANGELOG.md").write_text(f"# Changelog\n\n## {version} - 2026-11-26\n\nFirst.\n",
                                         encoding="utf-8")
    assert release_record(folder, version).released == "2026-11-26"   # no tag: the CHANGELOG's date
    assert release_record(folder, version).revision == ""
    assert release_record(folder, "9.9.9").released == ""

    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-02T23:30:00-05:00")   # 2026-12-03 in UTC
    _git(repo, "commit", "-q", "--allow-empty", "-m", "release")
    _git(repo, "tag", "-a", f"evidence-v{version}", "-m", "release")
    assert release_record(folder, version).released == "2026-12-03"
    assert release_record(folder, version).revision == f"evidence-v{version}"
    assert release_date(folder, version) == "2026-12-03"


def test_a_clone_without_tags_finds_the_release_by_its_commit_trailer(repo: Path, tmp_path: Path) -> None:
    folder = repo / "evidence"
    _add_entry(folder, "## 0.2.0")
    release_evidence(folder, "minor", today=TODAY)
    released = _git(repo, "rev-parse", "--short", "HEAD").strip()
    set_cell(folder, "sources.csv", 2, "label", "Edited after the release")
    changelog = folder / "CHANGELOG.md"   # the next release's section, being written: not a release yet
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## 0.2.0", "## 0.3.0\n\nNext.\n\n## 0.2.0"), encoding="utf-8")
    _git(repo, "commit", "-qam", "an edit after the release")
    clone = tmp_path / "no-tags"
    _git(tmp_path, "clone", "-q", "--no-tags", f"file://{repo}", str(clone))
    evidence = clone / "evidence"
    assert _git(clone, "tag", "--list") == ""
    assert latest_release(evidence) == ("0.2.0", released)
    assert release_record(evidence, "0.2.0").released == _git(
        repo, "log", "-1", "--format=%cs", "evidence-v0.2.0").strip()
    result = CliRunner().invoke(cli, ["diff", "--format", "json", "--evidence", str(evidence)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["old"] == released
    assert "Edited after the release" in result.output


def test_a_clone_without_tags_or_release_commit_says_so_in_diff_and_audit(repo: Path, tmp_path: Path) -> None:
    folder = repo / "evidence"
    _git(repo, "tag", "-a", "evidence-v0.1.0", "-m", "release")
    assert CliRunner().invoke(cli, ["diff", "--evidence", str(folder)]).exit_code == 0
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", f"file://{repo}", str(clone))
    result = CliRunner().invoke(cli, ["diff", "--evidence", str(clone / "evidence")])
    assert result.exit_code == 2
    assert ("CHANGELOG.md lists release 0.1.0 but this clone has neither its tag evidence-v0.1.0 nor its "
            "release commit") in result.output
    assert "git fetch --tags --unshallow" in result.output
    audit = CliRunner().invoke(cli, ["audit", "--evidence", str(clone / "evidence")])
    assert "No release to compare with: CHANGELOG.md lists release 0.1.0" in audit.output


def _release_section(text: str, version: str) -> str:
    return text.split(f"## {version}", 1)[1].split("\n## ", 1)[0]


def test_the_latest_release_is_found_in_this_clone_and_its_changelog_counts_the_rows_it_holds() -> None:
    """The project's own latest release: found by its tag or, in a clone without tags, by its release
    commit; it holds that version, and every "table A -> B" count of its CHANGELOG section is the number
    of rows of that table at the release."""
    import re

    from lymphoma_evidence.analyst.changelog import released_versions

    changelog = (ROOT / "evidence" / "CHANGELOG.md").read_text(encoding="utf-8")
    version = released_versions(changelog)[0]
    found = latest_release(ROOT / "evidence")
    assert found is not None and found[0] == version, \
        f"release {version} is in CHANGELOG.md but neither its tag nor its release commit is in this clone"
    revision = found[1]

    def at_release(name: str) -> str:
        done = subprocess.run(["git", "show", f"{revision}:evidence/{name}"], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        return done.stdout

    assert json.loads(at_release("datapackage.json"))["version"] == version
    section = " ".join(_release_section(changelog, version).split())
    rows_line = re.search(r"Rows \(before -> after\): (.*?)[.;]", section)
    assert rows_line, f"the CHANGELOG section of {version} has no 'Rows (before -> after): ...' summary"
    counts = re.findall(r"([a-z][a-z_ ]*?) (\d+) -> (\d+)", rows_line.group(1))
    assert counts, rows_line.group(0)
    files = {"classes": "therapy_classes"}
    for table, _, after in counts:
        name = files.get(table.strip(), table.strip().replace(" ", "_"))
        rows = [line for line in at_release(f"{name}.csv").splitlines()[1:] if line.strip()]
        assert len(rows) == int(after), f"{name}: CHANGELOG says {after} rows, the release has {len(rows)}"


def test_release_with_no_git_in_a_repository_says_why_it_did_not_tag(repo: Path) -> None:
    folder = repo / "evidence"
    _add_entry(folder, "## 0.1.1")
    _git(repo, "commit", "-qam", "changelog")
    result = CliRunner().invoke(cli, ["release", "patch", "--no-git", "--evidence", str(folder)])
    assert result.exit_code == 0, result.output
    assert "(not tagged: --no-git)" in result.output
