"""Only `import-xlsx` (and `import-trial --write`) may change evidence/: every other command leaves it
byte for byte as it was, whether it succeeds or fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.build_project import make_project, report
from helpers import digest, set_cell

from lymphoma_evidence.cli import cli
from lymphoma_evidence.publish import engine


@pytest.mark.parametrize("args", [
    ["validate"],
    ["audit", "--stale-after-months", "1"],
    ["diff", "{evidence}", "{evidence}"],
    pytest.param(["figures", "--out", "{tmp}/figures"], marks=pytest.mark.slow),
    pytest.param(["slides", "--out", "{tmp}/deck.pptx"], marks=pytest.mark.slow),
    ["export", "--format", "xlsx", "--out", "{tmp}/evidence.xlsx"],
])
def test_commands_leave_the_evidence_unchanged(evidence_copy: Path, tmp_path: Path, args: list[str]) -> None:
    before = digest(evidence_copy)
    filled = [a.format(evidence=evidence_copy, tmp=tmp_path) for a in args]
    if filled[0] != "diff":
        filled += ["--evidence", str(evidence_copy)]
    result = CliRunner().invoke(cli, filled)
    assert result.exit_code in (0, 1), result.output
    assert digest(evidence_copy) == before


def test_failed_validation_leaves_the_evidence_unchanged(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "n", "-3")
    before = digest(evidence_copy)
    assert CliRunner().invoke(cli, ["validate", str(evidence_copy)]).exit_code == 1
    assert digest(evidence_copy) == before


@pytest.mark.slow
def test_a_build_leaves_the_evidence_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = make_project(tmp_path, report("ok", "ok_params.ipynb"))
    before = digest(options.evidence)
    monkeypatch.setattr(engine, "library_digest", lambda: "test")
    result = engine.run_build(options, progress=lambda line: None)
    assert result.exit_code == 0
    assert digest(options.evidence) == before
