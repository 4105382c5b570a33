"""The kernel pool's scheduling (issue 18): a report takes whichever kernel is ready first, a warm kernel
is kept while reports still need one, and a build starts only the kernels its work is worth.

Kernel start, reset and stop are replaced by stand-ins that take a given time, so these tests check the
pool's own decisions; the real kernels are exercised by test_engine, test_faults and test_isolation.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from lymphoma_evidence.publish import kernels
from lymphoma_evidence.publish.definitions import ReportSpec
from lymphoma_evidence.publish.engine import WORK_PER_KERNEL, kernels_worth_starting
from lymphoma_evidence.publish.manifest import ReportRecord


@pytest.fixture
def fake_kernels(monkeypatch):
    """Kernels that take the next of ``start_seconds`` to start; records what the pool did."""
    log = SimpleNamespace(start_seconds=[], started=[], stopped=[], resets=[])
    lock = threading.Lock()

    def start(prefix, cwd, env, template=None):
        with lock:
            number = len(log.started) + 1
            log.started.append(number)
            delay = log.start_seconds[number - 1] if number <= len(log.start_seconds) else 0.0
        time.sleep(delay)
        return SimpleNamespace(name=f"kernel {number}", reports_run=0)

    monkeypatch.setattr(kernels, "start_warm_kernel", start)
    monkeypatch.setattr(kernels, "reset_kernel", lambda manager: log.resets.append(manager.name) or True)
    monkeypatch.setattr(kernels, "stop_kernel", lambda manager: log.stopped.append(manager.name))
    return log


def test_a_report_takes_the_kernel_that_is_ready_first(fake_kernels, tmp_path):
    fake_kernels.start_seconds = [1.5, 0.0]
    pool = kernels.KernelPool(2, 2, tmp_path, {})
    started = time.perf_counter()
    try:
        assert pool.take().name == "kernel 2"
        assert time.perf_counter() - started < 1.0, "it did not wait for the slow kernel"
    finally:
        pool.close()


def test_a_warm_kernel_is_reused_rather_than_waiting_for_one_still_starting(fake_kernels, tmp_path):
    fake_kernels.start_seconds = [0.0, 1.5]
    pool = kernels.KernelPool(2, 3, tmp_path, {})
    try:
        first = pool.take()
        assert first.name == "kernel 1"
        pool.release(first)
        started = time.perf_counter()
        assert pool.take().name == "kernel 1"
        assert time.perf_counter() - started < 1.0
        assert fake_kernels.resets == ["kernel 1"] and "kernel 1" not in fake_kernels.stopped
    finally:
        pool.close()
    assert sorted(fake_kernels.stopped) == ["kernel 1", "kernel 2"], "close stops every kernel it started"


def test_a_failed_report_retires_its_kernel_and_a_fresh_one_starts(fake_kernels, tmp_path):
    pool = kernels.KernelPool(1, 2, tmp_path, {})
    try:
        first = pool.take()
        pool.release(first, reusable=False)
        assert fake_kernels.stopped == ["kernel 1"]
        assert pool.take().name == "kernel 2"
    finally:
        pool.close()


def _specs(*names: str) -> list[ReportSpec]:
    return [ReportSpec(name=name, notebook=Path(f"{name}.ipynb"), title=name, parameters={}, audience="any",
                       description="") for name in names]


def _manifest(**seconds: float) -> SimpleNamespace:
    return SimpleNamespace(records={name: ReportRecord("key", "built", "2026-11-30T00:00:00Z", s)
                                    for name, s in seconds.items()})


def test_a_first_build_uses_every_job():
    assert kernels_worth_starting(_specs("a", "b", "c"), _manifest(), jobs=2) == 2
    assert kernels_worth_starting(_specs("a"), _manifest(), jobs=2) == 1, "never more kernels than reports"


def test_little_recorded_work_runs_on_one_kernel_and_much_on_every_job():
    small = WORK_PER_KERNEL / 4
    assert kernels_worth_starting(_specs("a", "b", "c"), _manifest(a=small, b=small, c=small), jobs=2) == 1
    assert kernels_worth_starting(_specs("a", "b", "c"), _manifest(a=3.0, b=1.0, c=0.5), jobs=2) == 2
    assert kernels_worth_starting(_specs("a", "b"), _manifest(a=30.0, b=30.0), jobs=8) == 2


def test_a_report_without_a_record_counts_as_enough_work_for_a_kernel():
    assert kernels_worth_starting(_specs("a", "new"), _manifest(a=0.1), jobs=2) == 2
