"""Tests for lymphoma_evidence.figures.style: palette, slide size, formatting and the source line."""

from __future__ import annotations

import re

import matplotlib
import pytest

from lymphoma_evidence.figures.style import (
    COLORS,
    FONT_SIZES,
    OKABE_ITO,
    SLIDE_SIZE,
    SVG_HASHSALT,
    add_source_line,
    house_style,
    new_figure,
    source_line,
)


def test_palette_is_the_eight_okabe_ito_colours_and_roles_use_it():
    assert len(OKABE_ITO) == 8
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in OKABE_ITO.values())
    for role in ("all_patients", "post_car_t", "stated", "eligible", "check", "not_eligible"):
        assert COLORS[role] in OKABE_ITO.values()


def test_new_figure_is_slide_sized_16_by_9():
    width, height = new_figure().get_size_inches()
    assert (width, height) == pytest.approx(SLIDE_SIZE)
    assert width / height == pytest.approx(16 / 9, rel=1e-3)


def test_fonts_stay_readable_on_slides():
    assert FONT_SIZES["min"] >= 10
    assert FONT_SIZES["title"] > FONT_SIZES["base"] > FONT_SIZES["small"] >= FONT_SIZES["min"]


def test_house_style_sets_svg_hashsalt_and_restores_rcparams_after():
    before = matplotlib.rcParams["svg.hashsalt"]
    with house_style():
        assert matplotlib.rcParams["svg.hashsalt"] == SVG_HASHSALT
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["svg.hashsalt"] == before


def test_source_line_drops_duplicates_blanks_and_missing_values():
    assert source_line(["A 2020", "B 2021", "A 2020", "", None, float("nan")]) == \
        "Sources: A 2020; B 2021."
    assert source_line(["Only 2024"]) == "Source: Only 2024."
    assert source_line([]) == ""


def test_add_source_line_writes_under_the_figure_and_reports_its_height():
    fig = new_figure()
    height = add_source_line(fig, ["Thieblemont 2023 (EPCORE NHL-1)"])
    texts = [t for t in fig.texts if t.get_gid() == "source-line"]
    assert len(texts) == 1 and texts[0].get_text() == "Source: Thieblemont 2023 (EPCORE NHL-1)."
    assert 0 < height < 0.2
    assert texts[0].get_position()[1] < height


def test_add_source_line_wraps_long_lists_and_needs_more_room():
    short = add_source_line(new_figure(), ["A"])
    fig = new_figure()
    tall = add_source_line(fig, [f"Author{i} 2020 (TRIAL-{i} long-term follow-up)" for i in range(12)])
    assert "\n" in fig.texts[0].get_text()
    assert tall > short


def test_add_source_line_without_labels_adds_nothing():
    fig = new_figure()
    assert add_source_line(fig, []) == 0.0
    assert fig.texts == []
