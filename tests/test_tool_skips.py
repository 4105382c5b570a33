"""A test skipped because a tool is missing fails under CI=true and in `make test` (the conftest hook)."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest
from helpers import MISSING_TOOL, ROOT


def _hooks():
    spec = importlib.util.spec_from_file_location("tests_root_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _skipped(reason: str) -> SimpleNamespace:
    return SimpleNamespace(skipped=True, outcome="skipped", longrepr=("x.py", 1, f"Skipped: {reason}"))


@pytest.mark.parametrize(("env", "fails"), [({"CI": "true"}, True), ({"REQUIRE_TOOLS": "1"}, True),
                                            ({}, False)])
def test_a_skip_for_a_missing_tool_fails_only_where_tools_are_required(env, fails, monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REQUIRE_TOOLS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    hooks = _hooks()
    report = _skipped(MISSING_TOOL + "LibreOffice is not installed")
    hooks._as_failure(report)
    assert report.outcome == ("failed" if fails else "skipped")
    if fails:
        assert "LibreOffice is not installed" in report.longrepr and "make tools" in report.longrepr


def test_other_skips_stay_skips_in_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    report = _skipped("kernels are forked on Linux only")
    _hooks()._as_failure(report)
    assert report.outcome == "skipped"
