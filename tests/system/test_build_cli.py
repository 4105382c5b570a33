"""The `build` command: a thin layer over the engine with exit codes 0 / 1 / 2."""

from __future__ import annotations

from click.testing import CliRunner
from fixtures.build_project import make_project, report

from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import ParameterError


def run(options, *extra: str):
    return CliRunner().invoke(cli, ["build", "--reports", str(options.definitions), "--evidence",
                                    str(options.evidence), "--out", str(options.out), *extra])


def test_bad_shard_is_a_usage_error(tmp_path):
    result = run(make_project(tmp_path, report("one", "ok_params.ipynb")), "--shard", "3/2")
    assert result.exit_code == 2
    assert "expected I/N with 1 <= I <= N" in result.output


def test_unknown_only_name_is_a_usage_error(tmp_path):
    result = run(make_project(tmp_path, report("one", "ok_params.ipynb")), "--only", "nope")
    assert result.exit_code == 2
    assert "unknown report(s) for --only: nope; defined reports: one" in result.output


def test_invalid_evidence_prints_the_problems_and_exits_1(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    (options.evidence / "agents.csv").write_text("agent_id\n", encoding="utf-8")
    result = run(options)
    assert result.exit_code == 1
    assert "agents.csv:1:" in result.output
    assert "no report was built; fix the evidence and build again." in result.output


def test_a_malformed_source_date_epoch_is_a_clear_error_before_anything_is_written(tmp_path, monkeypatch):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "last tuesday")
    result = run(options)
    assert result.exit_code == 1
    assert isinstance(result.exception, ParameterError)
    assert "SOURCE_DATE_EPOCH='last tuesday' is not a whole number of seconds" in str(result.exception)
    assert not options.out.exists()
