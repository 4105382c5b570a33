"""Exit codes as the README's table promises them: every usage error of every command exits 2.

The commands run through ``main()``, the console script's entry point (click's test runner sets exit codes
its own way, so a test with it alone once hid usage errors that exited 1)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EVIDENCE, ROOT

from lymphoma_evidence import cli as cli_module
from lymphoma_evidence.cli import EXIT_CODES

NO_SUCH = "/no/such/path"


def run_main(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    """Run the console script's ``main()`` on ``args``; its exit code and what it wrote on stderr."""
    monkeypatch.setattr(sys, "argv", ["lymphoma-evidence", *args])
    monkeypatch.setattr(cli_module.atexit, "register", lambda *_: None)   # no gc.freeze in the tests
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    return int(exited.value.code or 0), capsys.readouterr().err


@pytest.fixture(scope="module")
def not_a_workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("files") / "edited.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    return path


USAGE_ERRORS = {
    "(no command): unknown option": (["--bogus"], "No such option"),
    "(no command): unknown command": (["bogus"], "No such command"),
    "validate: missing folder": (["validate", NO_SUCH], "does not exist"),
    "validate: unknown format": (["validate", "--format", "xml"], "'xml' is not one of"),
    "diff: unknown revision": (["diff", "no-such-revision"], "neither an evidence folder nor a revision"),
    "diff: unknown new revision": (["diff", "HEAD", "no-such-revision"], "neither an evidence folder"),
    "diff: missing evidence": (["diff", "HEAD", "--evidence", NO_SUCH], "does not exist"),
    "release: unknown bump": (["release", "bogus"], "is not one of 'major', 'minor', 'patch'"),
    "release: missing evidence": (["release", "patch", "--evidence", NO_SUCH], "does not exist"),
    "audit: missing evidence": (["audit", "--evidence", NO_SUCH], "does not exist"),
    "audit: unknown option value": (["audit", "--today", "yesterday"], "'yesterday' does not match"),
    "export: unknown format": (["export", "--format", "ods"], "'ods' is not"),
    "export: missing output folder": (["export", "--out", f"{NO_SUCH}/e.xlsx"], "does not exist"),
    # /proc takes no new files, even from root: the workbook cannot be written
    "export: unwritable output": (["export", "--out", "/proc/e.xlsx"],
                                  "cannot write /proc/e.xlsx: No such file or directory (errno 2); give "
                                  "another --out"),
    "import-xlsx: missing file": (["import-xlsx", f"{NO_SUCH}.xlsx"], "does not exist"),
    "import-xlsx: unreadable file": (["import-xlsx", "{not_a_workbook}"], "cannot read"),
    "import-trial: missing file": (["import-trial", f"{NO_SUCH}.json"], "does not exist"),
    "figures: unknown figure name": (["figures", "--only", "nosuch"], "unknown figure name(s) nosuch"),
    "figures: unknown profile": (["figures", "--profile", "nosuch"], "unknown profile 'nosuch'"),
    "figures: unknown format": (["figures", "--format", "gif"], "format gif is not supported"),
    "slides: unknown profile": (["slides", "--profile", "nosuch"], "unknown profile 'nosuch'"),
    "slides: missing output folder": (["slides", "--out", f"{NO_SUCH}/deck.pptx"], "does not exist"),
    "build: unknown report name": (["build", "--only", "nosuch", "--out", "{tmp}"], "unknown report(s)"),
    "build: missing definitions": (["build", "--reports", f"{NO_SUCH}.toml"], "does not exist"),
    "build: bad shard": (["build", "--shard", "3/2"], "invalid shard"),
    "build: unwritable output": (["build", "--out", "/proc/reports"],
                                 "cannot write /proc/reports: No such file or directory (errno 2)"),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS), ids=list(USAGE_ERRORS))
def test_every_usage_error_of_every_command_exits_2(case: str, not_a_workbook: Path, tmp_path: Path,
                                                    monkeypatch, capsys) -> None:
    args, message = USAGE_ERRORS[case]
    args = [a.format(not_a_workbook=not_a_workbook, tmp=tmp_path / "reports") for a in args]
    code, stderr = run_main(args, monkeypatch, capsys)
    assert code == 2, stderr
    assert message in stderr
    assert "Traceback" not in stderr


def test_every_command_has_a_usage_error_test() -> None:
    commands = set(cli_module.cli.commands)
    tested = {case.split(":")[0] for case in USAGE_ERRORS}
    assert commands <= tested, f"commands without a usage-error case: {sorted(commands - tested)}"


def test_diff_without_a_release_to_compare_with_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    shutil.copytree(EVIDENCE, tmp_path / "evidence")
    for command in (["init", "-q"], ["add", "."],
                    ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "evidence"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, capture_output=True)
    code, stderr = run_main(["diff", "--evidence", str(tmp_path / "evidence")], monkeypatch, capsys)
    assert code == 2
    assert "no evidence release to compare with" in stderr


def test_the_console_script_exits_2_on_a_usage_error_of_the_toolkit() -> None:
    done = subprocess.run([sys.executable, "-m", "lymphoma_evidence", "figures", "--only", "nosuch"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: unknown figure name(s) nosuch")


def test_the_readme_table_says_what_the_command_line_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([0-2]) \| (.+?) \|$", readme, flags=re.MULTILINE))
    assert sorted(rows) == ["0", "1", "2"]
    for code, meaning in EXIT_CODES.items():
        assert rows[str(code)].split(":")[0] == meaning.split(":")[0]
    assert "figure" in rows["2"] and "report name" in rows["2"] and "no release" in rows["2"]
    assert "cannot be read" in rows["2"] and "cannot be written" in rows["2"]
