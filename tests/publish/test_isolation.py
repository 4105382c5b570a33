"""Isolation between reports that share a reused kernel (issue 18).

A report that leaves state behind (a global, rcParams, a mutated library cache, the environment, the
working directory, sys.path, warning filters, an open figure) must not be seen by the next report on
the same kernel; a failed report's kernel is never reused; and the whole default report set gives
the same executed notebooks on reused kernels as on fresh ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from fixtures.build_project import make_project, report

from lymphoma_evidence import __version__
from lymphoma_evidence.publish import engine, kernels
from lymphoma_evidence.publish.engine import BuildOptions

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STATE = re.compile(r'<pre id="kernel-state">(.*?)</pre>', re.S)


@pytest.fixture(autouse=True)
def stable_library_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the library digest: other edits to the package during a test run must not force rebuilds."""
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")


def quiet(line: str) -> None:
    """Progress sink for tests."""


def shown_state(executed: Path) -> dict:
    """The state a fixture notebook displayed last (``show(kernel_state())`` of the fixtures)."""
    import html

    notebook = nbformat.read(executed, as_version=4)
    shown = [STATE.search(output["data"]["text/html"]) for cell in notebook.cells
             if cell.cell_type == "code" for output in cell.outputs
             if "text/html" in output.get("data", {})]
    return json.loads(html.unescape([match for match in shown if match][-1].group(1)))


def kernel_state(out: Path, name: str) -> dict:
    return shown_state(out / "executed" / f"{name}.ipynb")


def failed_state(out: Path, name: str) -> dict:
    return shown_state(out / "executed" / f"{name}.failed.ipynb")


def stderr_text(out: Path, name: str) -> str:
    notebook = nbformat.read(out / "executed" / f"{name}.ipynb", as_version=4)
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.get("name") == "stderr")


def one_kernel(options: BuildOptions) -> BuildOptions:
    """One kernel at a time, so reports run in definition order on the same kernel."""
    return replace(options, jobs=1)


def test_leaked_state_is_not_seen_by_the_next_report_on_the_same_kernel(tmp_path):
    options = one_kernel(make_project(tmp_path / "reused", report("leak", "leaks_state.ipynb")
                                      + report("probe", "probes_state.ipynb")))
    fresh = one_kernel(make_project(tmp_path / "fresh", report("probe", "probes_state.ipynb")))

    assert engine.run_build(options, progress=quiet).exit_code == 0
    assert engine.run_build(fresh, progress=quiet).exit_code == 0

    leaked, probed = kernel_state(options.out, "leak"), kernel_state(options.out, "probe")
    alone = kernel_state(fresh.out, "probe")
    assert probed["pid"] == leaked["pid"], "the probe must run on the leaking report's kernel"
    assert (leaked["leaked_global"], leaked["linewidth"], leaked["cache_mutated"], leaked["env"],
            leaked["cwd"], leaked["sys_path_leak"], leaked["warnings_ignored"]) == (
        True, 9.0, True, "1", "/", True, True)
    assert len(leaked["open_figures"]) == 1 and leaked["first_sans_serif"] == "LeakedFont"
    comparable = {key: value for key, value in probed.items() if key not in ("pid", "cwd")}
    assert comparable == {key: value for key, value in alone.items() if key not in ("pid", "cwd")}
    assert comparable["leaked_global"] is False and comparable["cache_mutated"] is False
    assert probed["cwd"] == str(options.definitions.parent.resolve())
    assert "a warning every report must show" in stderr_text(options.out, "probe")


def test_a_failed_report_retires_its_kernel(tmp_path):
    options = one_kernel(make_project(tmp_path, report("leak", "leaks_state.ipynb", fail=True)
                                      + report("probe", "probes_state.ipynb")))

    result = engine.run_build(options, progress=quiet)

    assert [item.status for item in result.statuses] == ["failed", "built"]
    assert kernel_state(options.out, "probe")["pid"] != failed_state(options.out, "leak")["pid"]
    assert kernel_state(options.out, "probe")["linewidth"] != 9.0


def test_a_report_that_kills_its_kernel_fails_alone_and_the_next_report_gets_a_clean_kernel(tmp_path):
    options = one_kernel(make_project(tmp_path, report("crash", "leaks_state.ipynb", crash=True)
                                      + report("probe", "probes_state.ipynb")))

    result = engine.run_build(options, progress=quiet)

    assert [item.status for item in result.statuses] == ["failed", "built"]
    assert "DeadKernelError" in result.statuses[0].record.error
    probed = kernel_state(options.out, "probe")  # the crashed kernel is gone, so this is a new one
    assert (probed["leaked_global"], probed["cache_mutated"], probed["env"]) == (False, False, None)
    assert probed["linewidth"] != 9.0 and probed["first_sans_serif"] != "LeakedFont"


def test_a_kernel_is_retired_after_its_ceiling_of_reports(tmp_path, monkeypatch):
    monkeypatch.setattr(kernels, "REPORTS_PER_KERNEL", 2)
    options = one_kernel(make_project(tmp_path, "".join(report(f"p{i}", "probes_state.ipynb")
                                                        for i in range(3))))

    assert engine.run_build(options, progress=quiet).exit_code == 0

    pids = [kernel_state(options.out, f"p{i}")["pid"] for i in range(3)]
    assert pids[0] == pids[1] != pids[2]


def test_fresh_kernels_give_every_report_its_own_kernel(tmp_path):
    options = one_kernel(make_project(tmp_path, report("p0", "probes_state.ipynb")
                                      + report("p1", "probes_state.ipynb")))

    assert engine.run_build(replace(options, fresh_kernels=True), progress=quiet).exit_code == 0

    assert kernel_state(options.out, "p0")["pid"] != kernel_state(options.out, "p1")["pid"]


VOLATILE_METADATA = ("papermill", "execution")


def comparable(path: Path, masks: list[tuple[str, str]]) -> list[dict]:
    """An executed notebook's cells with times, durations and temporary paths masked."""
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        data = {"source": cell.source, "type": cell.cell_type,
                "metadata": {k: v for k, v in cell.metadata.items() if k not in VOLATILE_METADATA}}
        if cell.cell_type == "code":
            data["execution_count"] = cell.execution_count
            data["outputs"] = cell.outputs
        text = json.dumps(data, sort_keys=True)
        for old, new in masks:
            text = text.replace(old, new)
        cells.append(json.loads(text))
    return cells


def test_default_reports_are_identical_on_reused_and_fresh_kernels(built_reports, fresh_kernel_reports):
    """The reports the tests share were built on reused kernels (the default, two of them, under
    SHARED_EPOCH); ``fresh_kernel_reports`` are the same reports built with a fresh kernel each."""
    fresh = fresh_kernel_reports
    names = sorted(path.name for path in (fresh / "executed").glob("*.ipynb"))
    assert names == sorted(path.name for path in (built_reports / "executed").glob("*.ipynb"))
    assert len(names) >= 15
    for name in names:
        fresh_cells = comparable(fresh / "executed" / name, [(str(fresh), "<out>")])
        reused_cells = comparable(built_reports / "executed" / name, [(str(built_reports), "<out>")])
        assert reused_cells == fresh_cells, f"{name} differs between fresh and reused kernels"
