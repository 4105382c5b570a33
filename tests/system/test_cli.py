"""The command line: exit codes, help, version, and clean one-line errors."""

from __future__ import annotations

import json
import os
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


def test_every_exit_code_is_documented_in_help() -> None:
    from lymphoma_evidence.cli import EXIT_CODES

    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "Exit codes (every command):" in shown
    for code in EXIT_CODES:
        assert f"  {code}  " in shown


def test_an_unknown_revision_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "no-such-revision", str(EVIDENCE), "--evidence", str(EVIDENCE)])
    assert result.exit_code == 2
    assert "'no-such-revision' is neither an evidence folder nor a revision" in result.output


def test_an_unreadable_workbook_is_a_usage_error(tmp_path: Path) -> None:
    fake = tmp_path / "edited.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-xlsx", str(fake), "--evidence", str(EVIDENCE)])
    assert result.exit_code == 2
    assert f"cannot read {fake} as an .xlsx workbook" in result.output
    missing = CliRunner().invoke(cli, ["import-xlsx", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2


def test_problems_name_the_evidence_folder_as_given(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 3, "n", "many")
    relative = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "validate", "--evidence",
                               "evidence"], capture_output=True, text=True, cwd=evidence_copy.parent)
    assert relative.returncode == 1
    assert relative.stdout.splitlines()[0].startswith("evidence/results.csv:3:n: 'many'")
    default = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "validate"], capture_output=True,
                             text=True, cwd=evidence_copy.parent,
                             env={**os.environ, "LYMPHOMA_EVIDENCE_ROOT": str(evidence_copy.parent)})
    assert default.stdout.splitlines()[0].startswith("evidence/results.csv:3:n: 'many'"), default.stdout


def test_library_warnings_do_not_reach_the_output(monkeypatch, capsys) -> None:
    import warnings

    from lymphoma_evidence.cli import main
    from lymphoma_evidence.data import validate

    def noisy(path):
        warnings.warn("The behavior of DataFrame concatenation is deprecated", FutureWarning, stacklevel=1)
        return []

    monkeypatch.setattr(validate, "validate_evidence", noisy)
    monkeypatch.setattr(sys, "argv", ["lymphoma-evidence", "validate", str(EVIDENCE)])
    monkeypatch.setattr(sys, "warnoptions", [])
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")  # as a plain interpreter would show it, once
        main()
    assert "evidence is valid" in capsys.readouterr().out
    assert [str(w.message) for w in shown] == [], "main() must keep library warnings out of the output"
def test_validate_json_gives_one_object_per_problem(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "n", "many")
    set_cell(evidence_copy, "results.csv", 3, "endpoint", "PFS")
    result = CliRunner().invoke(cli, ["validate", str(evidence_copy), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["file"], p["line"], p["column"], p["code"]) for p in problems] == [
        ("results.csv", 2, "n", "type-error"), ("results.csv", 3, "endpoint", "foreign-key")]
    assert all(set(p) == {"file", "line", "column", "code", "message"} for p in problems)
    assert "'many' is not" in problems[0]["message"]


def test_validate_json_on_valid_evidence_is_an_empty_list() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EVIDENCE), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_the_console_script_skips_the_collections_at_shutdown_and_still_flushes_its_output() -> None:
    # Registered before main(), so it runs after main's own exit hook (atexit runs last-in first-out).
    script = ("import atexit, gc, sys\n"
              "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
              "sys.argv = ['lymphoma-evidence', '--version']\n"
              "from lymphoma_evidence.cli import main\n"
              "main()\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    frozen = int(result.stderr.split("frozen ")[1].split()[0])
    assert frozen > 10_000  # every object of the ending process, not a handful
