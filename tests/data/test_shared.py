"""Results the reports of one build share (issue 18): computed once per build, each caller its own copy."""

from __future__ import annotations

import fcntl
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from lymphoma_evidence.analysis.headline import headline_numbers
from lymphoma_evidence.data import shared
from lymphoma_evidence.data.shared import shared_by_reports
from lymphoma_evidence.paths import SHARED_CACHE_ENV
from lymphoma_evidence.publish.evidence_cache import fresh_shared_cache

calls: list[tuple] = []


@shared_by_reports(pd.DataFrame)
def counted(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """A pure function that records each time it runs."""
    calls.append((len(rows), label))
    return rows.assign(label=label)


ROWS = pd.DataFrame({"name": ["a", "b"], "value": [1, 2]})


@pytest.fixture(autouse=True)
def no_calls():
    calls.clear()


@pytest.fixture
def in_a_build(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_CACHE_ENV, str(fresh_shared_cache(tmp_path)))
    return tmp_path


def test_in_a_build_an_identical_call_runs_once_and_gives_an_equal_table(in_a_build):
    first = counted(ROWS, "x")
    again = counted(ROWS.copy(), "x")
    assert calls == [(2, "x")]
    pd.testing.assert_frame_equal(again, first)


@shared_by_reports(pd.DataFrame)
def slow(rows: pd.DataFrame) -> pd.DataFrame:
    """A pure function that takes a while, long enough for two reports to make the call at once."""
    calls.append(len(rows))
    time.sleep(0.3)
    return rows.assign(slow=True)


def test_two_reports_making_the_same_call_at_once_compute_it_once(in_a_build):
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: slow(ROWS), range(2)))
    assert calls == [2], "the second caller waited for the first one's result"
    pd.testing.assert_frame_equal(results[0], results[1])


def test_a_caller_stops_waiting_for_a_holder_that_never_finishes(in_a_build, monkeypatch):
    monkeypatch.setattr(shared, "LOCK_WAIT", 0.2)
    key = shared.call_key(counted.__wrapped__, (ROWS, "x"), {})
    with open(Path(os.environ[SHARED_CACHE_ENV]) / f"{key}.lock", "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a report stuck in the call
        started = time.monotonic()
        assert counted(ROWS, "x")["label"].tolist() == ["x", "x"]
    assert calls == [(2, "x")] and time.monotonic() - started >= 0.2


def test_each_caller_gets_its_own_copy(in_a_build):
    counted(ROWS, "x")
    mine = counted(ROWS, "x")
    mine.loc[0, "value"] = 99
    assert counted(ROWS, "x").loc[0, "value"] == 1


def test_different_arguments_run_again(in_a_build):
    counted(ROWS, "x")
    counted(ROWS, "y")
    counted(ROWS.assign(value=[1, 3]), "x")
    assert len(calls) == 3


def test_outside_a_build_or_with_an_unkeyable_argument_the_function_just_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)
    counted(ROWS, "x")
    counted(ROWS, "x")
    monkeypatch.setenv(SHARED_CACHE_ENV, str(tmp_path))
    counted(ROWS, object())
    counted(ROWS, object())
    assert len(calls) == 4
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_or_foreign_saved_result_is_computed_again(in_a_build):
    counted(ROWS, "x")
    (saved,) = (in_a_build / ".cache" / "shared").glob("*.pickle")
    saved.write_bytes(b"half a pickle")
    assert counted(ROWS, "x")["label"].tolist() == ["x", "x"]
    saved.write_bytes(__import__("pickle").dumps("not a table"))
    assert counted(ROWS, "x")["label"].tolist() == ["x", "x"]
    assert len(calls) == 3


def test_headline_numbers_are_shared_by_evidence_content_and_equal_the_direct_computation(
        in_a_build, evidence, monkeypatch):
    folder = in_a_build / ".cache" / "shared"
    shared = headline_numbers(evidence)
    saved = sorted(folder.iterdir())
    again = headline_numbers(evidence)
    assert sorted(folder.iterdir()) == saved, "the second call computed nothing new"
    monkeypatch.delenv(SHARED_CACHE_ENV)
    pd.testing.assert_frame_equal(again, shared)
    pd.testing.assert_frame_equal(again, headline_numbers(evidence))
    monkeypatch.setenv(SHARED_CACHE_ENV, str(folder))
    other = replace(evidence, results=evidence.results.iloc[:3], content_hash="other")
    assert len(headline_numbers(other)) < len(shared)
    assert len(list(folder.iterdir())) > len(saved)
