"""Tests for lymphoma_evidence.figures.figureset: export files, determinism, figures.md, the CLI command."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.figureset import (
    FigureSet,
    NamedFigure,
    export_figures,
    figures_markdown,
    parse_formats,
)
from lymphoma_evidence.figures.style import house_style, new_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_set() -> FigureSet:
    with house_style():
        fig = new_figure()
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.plot([0.2, 0.6], [0, 1], gid="line")
    item = NamedFigure("demo", "Demo rises 20–60%", fig, "Line rising from 20% to 60%.",
                       ("Author A. Title. J. 2020;1:1-2.",))
    return FigureSet((item,), "1.2.3", "ab" * 32, date(2024, 5, 1))


def test_export_writes_png_at_200_dpi_and_slide_size(tmp_path: Path):
    written = export_figures(small_set(), tmp_path, formats="png")
    assert written == [tmp_path / "demo.png", tmp_path / "figures.md"]
    data = written[0].read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(written[0]) as image:
        assert image.size == (2666, 1500)
        assert image.info["dpi"] == pytest.approx((200, 200), abs=0.01)


def test_export_writes_svg_that_parses_at_slide_size_without_dates(tmp_path: Path):
    path = export_figures(small_set(), tmp_path, formats=["svg"])[0]
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("959.76pt", "540pt")  # 13.33 x 7.5 in
    text = path.read_text(encoding="utf-8")
    assert "<dc:date>" not in text


def test_export_is_byte_for_byte_reproducible(tmp_path: Path):
    first = export_figures(small_set(), tmp_path / "a")
    second = export_figures(small_set(), tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_figures_md_lists_files_alt_text_and_sources():
    text = figures_markdown(small_set(), ("png", "svg"), 200)
    assert "Evidence version 1.2.3 (content abababababab), built 2024-05-01" in text
    assert "## Demo rises 20–60%" in text
    assert "[demo.png](demo.png), [demo.svg](demo.svg)" in text
    assert "Alt text: Line rising from 20% to 60%." in text
    assert "1. Author A. Title. J. 2020;1:1-2." in text


@pytest.mark.parametrize(("formats", "expected"), [("png,svg", ("png", "svg")), (" SVG ", ("svg",)),
                                                   (["png", ".png"], ("png",))])
def test_parse_formats_accepts_lists_and_comma_strings(formats, expected):
    assert parse_formats(formats) == expected


def test_parse_formats_and_dpi_reject_what_cannot_be_written(tmp_path: Path):
    with pytest.raises(ParameterError, match="format gif is not supported"):
        parse_formats("png,gif")
    with pytest.raises(ParameterError, match="dpi=100 is too low"):
        export_figures(small_set(), tmp_path, dpi=100)



# ---------------------------------------------------------------- real evidence

def test_build_figures_on_real_evidence_gives_the_default_set_in_order(evidence):
    from lymphoma_evidence.analysis.tables import analysis_tables
    from lymphoma_evidence.figures.figureset import DEFAULT_FIGURES, build_figures

    lines: list[str] = []
    figure_set = build_figures(analysis_tables(evidence), progress=lines.append)
    names = [f.name for f in figure_set.figures]
    assert names == [n for n in DEFAULT_FIGURES if n in names]
    assert {"forest_orr_direct", "forest_orr_indirect", "outcomes_after_car_t"} <= set(names)
    assert "stated_ranges" not in names                      # analyst-only chart is opt-in
    assert any(line.startswith("drawing forest_orr_direct") for line in lines)
    for item in figure_set.figures:
        assert item.alt and item.title and item.citations
        width, height = item.figure.get_size_inches()   # slide size; taller when its rows need it
        assert width == pytest.approx(13.33) and height >= 7.5 - 1e-9
        assert not any("not verified" in c for c in item.citations)


def test_only_and_post_car_t_only_select_figures(evidence):
    from lymphoma_evidence.analysis.tables import analysis_tables
    from lymphoma_evidence.figures.figureset import build_figures

    tables = analysis_tables(evidence)
    chosen = build_figures(analysis_tables(evidence, None), "forest_orr_direct,forest_orr_indirect")
    assert [f.name for f in chosen.figures] == ["forest_orr_direct", "forest_orr_indirect"]
    direct = build_figures(tables, "forest_orr_direct,forest_orr_indirect", post_car_t_only=True)
    assert [f.name for f in direct.figures] == ["forest_orr_direct"]
    with pytest.raises(ParameterError, match="unknown figure name.*forest_orr_direct"):
        build_figures(tables, "forest_orr")


def test_build_figures_takes_tables_and_asks_for_the_range_checks_it_needs(evidence):
    from lymphoma_evidence.analysis.tables import analysis_tables
    from lymphoma_evidence.figures.figureset import build_figures

    with pytest.raises(ParameterError, match="AnalysisTables of analysis_tables"):
        build_figures(evidence, "harms")
    with pytest.raises(ParameterError, match="stated_ranges=True"):
        build_figures(analysis_tables(evidence), "stated_ranges")
    shown = build_figures(analysis_tables(evidence, stated_ranges=True), "stated_ranges")
    assert [f.name for f in shown.figures] == ["stated_ranges"]
    assert shown.figures[0].title.startswith("Stated ranges vs trial data: ")


@pytest.mark.slow
def test_figures_command_writes_the_chosen_figures_with_text_kept_in_the_svg(tmp_path: Path, evidence):
    out = tmp_path / "figs"
    result = CliRunner().invoke(cli, ["figures", "--out", str(out), "--only", "forest_orr_direct",
                                      "--post-car-t-only", "--format", "png,svg"])
    assert result.exit_code == 0, result.output
    assert (out / "forest_orr_direct.png").read_bytes().startswith(PNG_SIGNATURE)
    root = ET.parse(out / "forest_orr_direct.svg").getroot()
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "ELM-1" in texts and any(t.startswith("After CAR-T failure") for t in texts)
    assert not (out / "forest_orr_indirect.png").exists()
    assert "forest_orr_direct.svg" in (out / "figures.md").read_text(encoding="utf-8")


def test_figures_command_lists_names_and_rejects_unknown_ones():
    listed = CliRunner().invoke(cli, ["figures", "--list"])
    assert listed.exit_code == 0 and "forest_orr_direct:" in listed.output
    bad = CliRunner().invoke(cli, ["figures", "--only", "nope"])
    assert bad.exit_code == 2 and "forest_orr_direct" in bad.output, "a wrong name is a usage error"


def _row_label_boxes(fig) -> list:
    """Window extents of the forest plot's row labels (the treatment column), top to bottom."""
    renderer = fig.canvas.get_renderer()
    width = fig.get_size_inches()[0]
    labels = [t for t in fig.texts if abs(t.get_position()[0] - 0.35 / width) < 1e-9]
    return sorted((t.get_window_extent(renderer) for t in labels), key=lambda box: -box.y1)


@pytest.mark.parametrize("post_car_t_only", [False, True])
def test_forest_rows_never_overlap_however_many_rows_there_are(evidence, post_car_t_only):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lymphoma_evidence.analysis.strata import pool_within_strata, response_studies
    from lymphoma_evidence.figures.directness import directness_forest_plot

    studies = response_studies(evidence, "ORR")
    strata = ("post_car_t", "partly") + (() if post_car_t_only else ("car_t_naive", "unknown"))
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    fig, _ = directness_forest_plot(studies, pool_within_strata(studies), endpoint="ORR", title="Rows",
                                    class_names=names, strata=strata)
    FigureCanvasAgg(fig)
    boxes = _row_label_boxes(fig)
    assert len(boxes) >= 3
    assert all(upper.y0 >= lower.y1 for upper, lower in zip(boxes, boxes[1:], strict=False)), "labels overlap"
    assert fig.get_size_inches()[0] == pytest.approx(13.33)


def test_ranges_rows_never_overlap(evidence):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lymphoma_evidence.reports.evidence_figures import ranges_figure

    fig, _ = ranges_figure(evidence)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda box: -box.y1)
    assert len(boxes) >= 5
    assert all(upper.y0 >= lower.y1 - 0.5 for upper, lower in zip(boxes, boxes[1:], strict=False)), \
        "labels overlap"
    assert fig.get_size_inches()[0] == pytest.approx(13.33)
