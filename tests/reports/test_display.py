"""Figures in reports: rendered once per build and reused for an identical call (issue 18)."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from lymphoma_evidence.paths import SHARED_CACHE_ENV
from lymphoma_evidence.publish.evidence_cache import fresh_shared_cache
from lymphoma_evidence.reports import display

calls: list[tuple] = []


def bars(rows: pd.DataFrame, label: str) -> tuple[Figure, str]:
    """A tiny chart function that records each time it draws."""
    calls.append((len(rows), label))
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().bar(rows["name"], rows["value"])
    return fig, f"{label}: {len(rows)} bars"


@pytest.fixture(autouse=True)
def no_calls():
    calls.clear()


ROWS = pd.DataFrame({"name": ["a", "b"], "value": [1, 2]})


def test_identical_calls_in_a_build_draw_once_and_give_the_same_image(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_CACHE_ENV, str(fresh_shared_cache(tmp_path)))
    first = display.cached_figure_html(bars, ROWS, "Chart")
    again = display.cached_figure_html(bars, ROWS.copy(), "Chart")
    assert calls == [(2, "Chart")]
    assert again == first and again.alt == "Chart: 2 bars"


def test_a_different_frame_label_or_rcparam_draws_again(tmp_path, monkeypatch):
    import matplotlib

    monkeypatch.setenv(SHARED_CACHE_ENV, str(fresh_shared_cache(tmp_path)))
    display.cached_figure_html(bars, ROWS, "Chart")
    display.cached_figure_html(bars, ROWS.assign(value=[1, 3]), "Chart")
    display.cached_figure_html(bars, ROWS, "Other")
    with matplotlib.rc_context({"lines.linewidth": 7}):
        display.cached_figure_html(bars, ROWS, "Chart")
    assert len(calls) == 4


def test_outside_a_build_or_with_an_unkeyable_argument_nothing_is_cached(tmp_path, monkeypatch):
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)
    display.cached_figure_html(bars, ROWS, "Chart")
    display.cached_figure_html(bars, ROWS, "Chart")
    monkeypatch.setenv(SHARED_CACHE_ENV, str(tmp_path))
    display.cached_figure_html(bars, ROWS, object())
    display.cached_figure_html(bars, ROWS, object())
    assert len(calls) == 4
    assert list(tmp_path.iterdir()) == []


def test_each_build_starts_with_an_empty_shared_folder(tmp_path):
    folder = fresh_shared_cache(tmp_path)
    (folder / "old.pickle").write_bytes(b"from an earlier build")
    assert list(fresh_shared_cache(tmp_path).iterdir()) == []
