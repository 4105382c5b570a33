"""Shared fixtures: the real evidence, loaded once, and throw-away copies of it to break on purpose.

Helpers that tests import (paths, cell editing, digests) live in :mod:`helpers`, not here: a conftest is a
pytest plugin, not a module to import from.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import EVIDENCE, MISSING_TOOL, build_once, copy_evidence, real_evidence
from hypothesis import settings

# No time limit per example: speed is measured in benchmarks/, and on a loaded host (or with pytest-xdist
# workers sharing the cores) hypothesis's 200 ms deadline failed tests that were right. `make quick` sets
# HYPOTHESIS_PROFILE=quick: fewer examples in the quick loop, all of them in `make test` and CI.
settings.register_profile("project", deadline=None, max_examples=60)
settings.register_profile("quick", deadline=None, max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))


def _tools_required() -> bool:
    """True under CI=true and in `make test` (REQUIRE_TOOLS=1): a test skipped for a missing tool fails."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes") or os.environ.get("REQUIRE_TOOLS") == "1"


def _as_failure(report) -> None:
    """Turn a skip for a missing tool (its reason starts with MISSING_TOOL) into a failure."""
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
    if report.skipped and MISSING_TOOL in reason and _tools_required():
        report.outcome = "failed"
        report.longrepr = (f"{reason.removeprefix('Skipped: ')}\n(CI=true or make test: a test may not be "
                           "skipped for a missing tool; `make tools` installs them)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _as_failure(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _as_failure(outcome.get_result())


@pytest.fixture(scope="session")
def evidence():
    """The real evidence, loaded and validated once per test session (tests must not change it)."""
    return real_evidence()


@pytest.fixture
def evidence_copy(tmp_path: Path) -> Path:
    """A copy of the real evidence folder that a test may change freely."""
    return copy_evidence(EVIDENCE, tmp_path / "evidence")


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this test run, the same for all its pytest-xdist workers (``pytest-N``; a
    worker's own is ``pytest-N/popen-gwI``). Without workers it is the run's own ``pytest-N``: never its
    parent, which every run of every checkout on the machine shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def shared_results(tmp_path_factory: pytest.TempPathFactory):
    """Results of the library's shared pure functions (``data.shared``: headline numbers, class statuses,
    pooled studies, figures), computed once per test run for every test and worker, as the reports of one
    build share them: a call is keyed by its function and arguments (an evidence bundle by its content
    hash), and each caller gets its own copy. Tests of the sharing itself set or unset the variable.

    A bundle is keyed by the content hash it was validated under, so a test that changes a loaded bundle's
    tables (``dataclasses.replace(evidence, measures=...)``) and then needs a shared function's result for
    the changed tables must give the bundle ``content_hash=""`` (bundles from ``Evidence.from_frames`` have
    none): such a bundle is never shared."""
    from lymphoma_evidence.paths import SHARED_CACHE_ENV

    folder = run_folder(tmp_path_factory) / "shared_results"
    folder.mkdir(exist_ok=True)
    before = os.environ.get(SHARED_CACHE_ENV)
    os.environ[SHARED_CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(SHARED_CACHE_ENV, None)
    else:
        os.environ[SHARED_CACHE_ENV] = before


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every default report and the index, built once per test run (shared by the pytest-xdist workers)
    under SOURCE_DATE_EPOCH (helpers.SHARED_EPOCH). Tests read it and never change it."""
    shared = run_folder(tmp_path_factory)
    return build_once(shared / "built_reports", shared / "built_reports.lock")


@pytest.fixture(scope="session")
def fresh_kernel_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same reports built a second time, a fresh kernel for each (``build --fresh-kernels``), under the
    same epoch: compared with ``built_reports`` it shows that reports do not leak into each other through a
    reused kernel, and that two builds of the same inputs give the same bytes."""
    shared = run_folder(tmp_path_factory)
    return build_once(shared / "fresh_kernel_reports", shared / "fresh_kernel_reports.lock",
                      "--fresh-kernels")
