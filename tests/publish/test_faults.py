"""Faults during a build (issue 10): failing and hanging notebooks, SIGKILL, concurrent builds,
unwritable output. Each test builds a small fixture project with real kernels."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fixtures.build_project import make_project, report

from lymphoma_evidence import __version__
from lymphoma_evidence.errors import BuildError
from lymphoma_evidence.publish import atomic, engine

#: runs notebooks on real kernels, some killed or hanging
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def stable_library_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the library digest: other edits to the package during a test run must not force rebuilds."""
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")


def quiet(line: str) -> None:
    """Progress sink for tests."""


def index_rows(out: Path) -> dict[str, str]:
    """Per report of the index: its status line, then what went wrong (when it failed)."""
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = page.find_all("li", class_="le-report-item")
    return {item["data-report"]: " ".join(part.get_text(" ", strip=True) for part in
                                          item.select("p.le-status, pre.le-error"))
            for item in items}


def leftovers(out: Path) -> list[Path]:
    return sorted(out.rglob(f".*{atomic.TEMP_MARK}.*"))


def test_failing_notebook_keeps_previous_html_others_finish_index_marks_failure(tmp_path):
    options = make_project(tmp_path, report("steady", "ok_params.ipynb")
                           + report("flaky", "ok_params.ipynb", fail=False))
    assert engine.run_build(options, progress=quiet).exit_code == 0
    good = (options.out / "flaky.html").read_bytes()
    toml = options.definitions.read_text(encoding="utf-8").replace("fail = false", "fail = true")
    options.definitions.write_text(toml, encoding="utf-8")

    result = engine.run_build(replace(options, force=True), progress=quiet)

    assert result.exit_code == 1
    assert {item.spec.name: item.status for item in result.statuses} == {"steady": "built",
                                                                        "flaky": "failed"}
    assert (options.out / "flaky.html").read_bytes() == good
    status = index_rows(options.out)["flaky"]
    assert re.match(r"Failed on \d{1,2} [A-Z][a-z]+ \d{4}; the previous version is kept\. "
                    r"report 'flaky' failed in cell", status), status
    assert "RuntimeError: fixture failure requested by parameter" in status
    assert (options.out / "executed" / "flaky.failed.ipynb").is_file()
    assert (options.out / "executed" / "flaky.ipynb").is_file()
    assert leftovers(options.out) == []


def test_failure_names_the_cell_and_the_exception(tmp_path):
    options = make_project(tmp_path, report("raises", "raises.ipynb"))
    result = engine.run_build(options, progress=quiet)
    assert result.exit_code == 1
    assert result.statuses[0].record.error == (
        "report 'raises' failed in cell 2: ValueError: fixture notebook fails on purpose")
    assert not (options.out / "raises.html").exists()


def test_hanging_notebook_is_stopped_by_the_timeout_and_marked_failed(tmp_path):
    options = make_project(tmp_path, report("hangs", "hangs.ipynb") + report("fine", "ok_params.ipynb"))
    options = replace(options, timeout=3)
    result = engine.run_build(options, progress=quiet)
    statuses = {item.spec.name: item for item in result.statuses}
    assert statuses["fine"].status == "built"
    assert statuses["hangs"].status == "failed"
    assert "ReportTimeout: still running after 3 s" in statuses["hangs"].record.error
    assert result.exit_code == 1


def _complete_outputs(out: Path) -> None:
    for html in out.glob("*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>"), html
    if (out / ".manifest.json").exists():
        json.loads((out / ".manifest.json").read_text(encoding="utf-8"))


def descendants(pid: int) -> set[int]:
    """The processes started by ``pid`` and by those, as /proc shows them now."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # ended while listed
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, its_parent in parents.items() if its_parent == parent}
        todo.extend(children - found)
        found |= children
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be collected has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_build_killed_midway_leaves_no_partial_output_and_next_build_completes(tmp_path):
    options = make_project(tmp_path, report("first", "ok_params.ipynb") + report("hangs", "hangs.ipynb"))
    command = [sys.executable, "-m", "lymphoma_evidence", "build", "--reports", str(options.definitions),
               "--evidence", str(options.evidence), "--out", str(options.out), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (options.out / "first.html").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (options.out / "first.html").exists(), "the build never wrote its first report"
        started = descendants(process.pid)  # the kernels (and, on Linux, the template they are forked from)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started and not [pid for pid in started if alive(pid)], "a process of the killed build lives on"
    _complete_outputs(options.out)
    assert not (options.out / "hangs.html").exists()

    options.definitions.write_text(report("first", "ok_params.ipynb") + report("second", "ok_params.ipynb"),
                                   encoding="utf-8")
    result = engine.run_build(options, progress=quiet)
    assert result.exit_code == 0
    assert {item.spec.name: item.status for item in result.statuses}["second"] == "built"
    _complete_outputs(options.out)
    assert leftovers(options.out) == []


def test_second_build_on_the_same_folder_refuses_with_a_clear_message(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    options.out.mkdir()
    with atomic.build_lock(options.out):
        with pytest.raises(BuildError, match=r"another build is already writing to .*reports \(pid "
                                             rf"{os.getpid()}, started .*\)\. Wait for it to finish"):
            engine.run_build(options, progress=quiet)
    assert not (options.out / "index.html").exists()


def test_build_lock_wait_gives_up_after_the_given_seconds(tmp_path):
    with atomic.build_lock(tmp_path):
        started = time.monotonic()
        with pytest.raises(BuildError, match="another build is already writing"):
            with atomic.build_lock(tmp_path, wait=0.5):
                pass
        assert time.monotonic() - started >= 0.5


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x", encoding="utf-8")
    options = replace(options, out=blocker / "reports")
    with pytest.raises(BuildError, match=r"cannot write .*not_a_folder/reports: .*choose another output"):
        engine.run_build(options, progress=quiet)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_output_folder_is_a_clear_error(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    options.out.mkdir()
    options.out.chmod(0o555)
    try:
        with pytest.raises(BuildError, match="read-only"):
            engine.run_build(options, progress=quiet)
    finally:
        options.out.chmod(0o755)
