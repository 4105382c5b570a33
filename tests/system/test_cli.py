"""The command line: exit codes, help, version, and clean one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from helpers import EVIDENCE, ROOT, set_cell

from lymphoma_evidence import __version__
from lymphoma_evidence.cli import cli


def test_validate_passes_on_the_real_evidence() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EVIDENCE)])
    assert result.exit_code == 0, result.output
    assert "evidence is valid" in result.output


def test_validate_exits_1_and_locates_each_problem(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 3, "n", "many")
    result = CliRunner().invoke(cli, ["validate", "--evidence", str(evidence_copy)])
    assert result.exit_code == 1
    assert "results.csv:3:n: 'many' is not a whole number" in result.output


def test_usage_errors_exit_2() -> None:
    result = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "validate", "/no/such/folder"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "evidence folder /no/such/folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_help() -> None:
    runner = CliRunner()
    assert __version__ in runner.invoke(cli, ["--version"]).output
    assert "validate" in runner.invoke(cli, ["--help"]).output


def test_commands_find_the_project_from_a_subfolder() -> None:
    result = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "validate"],
                            capture_output=True, text=True, cwd=ROOT / "tests")
    assert result.returncode == 0, result.stderr


def test_outside_a_project_the_error_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "validate"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "No project found" in result.stderr and "Traceback" not in result.stderr


def test_validate_json_gives_one_object_per_problem(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "n", "many")
    set_cell(evidence_copy, "results.csv", 3, "endpoint", "PFS")
    result = CliRunner().invoke(cli, ["validate", str(evidence_copy), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["file"], p["line"], p["column"], p["code"]) for p in problems] == [
        ("results.csv", 2, "n", "type-error"), ("results.csv", 3, "endpoint", "schema")]
    assert all(set(p) == {"file", "line", "column", "code", "message"} for p in problems)
    assert "'many' is not" in problems[0]["message"]


def test_validate_json_on_valid_evidence_is_an_empty_list() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EVIDENCE), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
