"""Tests for lymphoma_evidence.figures.slides: the teaching deck is read back with python-pptx."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.util import Inches, Pt

from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.deck_text import BarChart, DeckContent, TextSlide
from lymphoma_evidence.figures.figureset import FigureSet, NamedFigure
from lymphoma_evidence.figures.slides import BODY_PT, REFERENCES_PER_SLIDE, SOURCE_PT, build_deck
from lymphoma_evidence.figures.style import new_figure

DECK_TITLE = "What next after the first treatment fails"


def figure_set(names=("forest_orr_direct", "harms"), citations_each: int = 2) -> FigureSet:
    items = []
    for i, name in enumerate(names):
        fig = new_figure()
        fig.text(0.1, 0.95, f"Figure title {i}", gid="title")
        fig.add_axes((0.1, 0.1, 0.8, 0.7)).plot([0, 1], [i, i + 1])
        cites = tuple(f"Author{i}{j} A. Trial {i}{j}. J. 2020." for j in range(citations_each))
        items.append(NamedFigure(name, f"Message {i}: most data are indirect", fig, f"Alt text {i}.", cites))
    return FigureSet(tuple(items), "2.0.1", "cd" * 32, date(2024, 6, 3))


def content(n_citations: int = 0, charts: bool = False, case: bool = False) -> DeckContent:
    chart = BarChart("Side effects were counted after CAR-T for 1 of 2 options",
                     ["Allo: deaths", "Bsab: CRS"], [("Share of patients", [0.22, 0.03], "#D55E00")],
                     "Say: harms\n\nCaveat: grey",
                     ["Zurko 2023"] + [f"Author{i} 202{i} (a long label of a cohort)" for i in range(8)],
                     ["Zurko. Allo after CAR-T. 2023."], [False, True])
    return DeckContent(
        outlook=TextSlide("After CAR-T failure, half live less than 5 months", ["Median OS 5.2 months"],
                          "Teaching point: outlook", sources=["Iacoboni 2024"]),
        options=TextSlide("Seven options", notes="Teaching point: options",
                          table=[["Option", "Status"], ["Bispecific antibodies", "Approved (LBCL)"]]),
        investigational=TextSlide("Dual-target CAR-T is in trials", ["LV20.19"], "Teaching point: trials"),
        trials=TextSlide("Two trials are open", ["NCT1"], "Teaching point: enrol"),
        takeaways=TextSlide("Key takeaways: few direct numbers", ["One", "Two"], "Teaching point: lead"),
        citations=[f"Ref {i}. J. 2021." for i in range(n_citations)], title=DECK_TITLE,
        charts={"harms": chart} if charts else {},
        case=TextSlide("Case discussion", ["1. What next?"], "Say: discuss") if case else None)


def titles(deck) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def text_sizes(slide) -> list[float]:
    """Point sizes of every run of text on a slide outside its title (tables included)."""
    sizes = []
    for shape in slide.shapes:
        if shape == slide.shapes.title or shape.name in ("Slide number", "Sources"):
            continue
        frames = [shape.text_frame] if shape.has_text_frame else []
        if shape.has_table:
            frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
        for frame in frames:
            for paragraph in frame.paragraphs:
                if paragraph.text.strip():
                    size = paragraph.font.size or (paragraph.runs[0].font.size if paragraph.runs else None)
                    sizes.append(size.pt if size is not None else None)
    return sizes


def test_deck_is_16_by_9_in_teaching_order(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), content(), tmp_path / "deck.pptx"))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.33), Inches(7.5))
    objectives = "Learning objectives: by the end, you can explain these findings and who they come from"
    assert titles(deck) == [DECK_TITLE, objectives, "After CAR-T failure, half live less than 5 months",
                            "Seven options",
                            "Message 0: most data are indirect", "Message 1: most data are indirect",
                            "Dual-target CAR-T is in trials", "Two trials are open",
                            "Key takeaways: few direct numbers", "References", "About these slides"]


def test_body_text_is_at_least_18_pt_everywhere(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), content(n_citations=7), tmp_path / "deck.pptx"))
    for number, slide in enumerate(deck.slides, 1):
        sizes = text_sizes(slide)
        assert None not in sizes, f"slide {number} has text without an explicit size"
        assert all(size >= BODY_PT for size in sizes), f"slide {number}: {sizes}"


def test_figure_slides_put_the_figure_under_the_message_title(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), content(), tmp_path / "deck.pptx"))
    slide = deck.slides[4]
    picture = next(s for s in slide.shapes if s.shape_type == 13)
    title = slide.shapes.title
    assert picture.top >= title.top + title.height                # no figure text meets the title
    assert picture.top + picture.height <= Inches(7.5) + 1 and picture.width <= Inches(13.33) + 1
    assert picture.width > Inches(10)                               # still most of the slide
    assert picture._element.nvPicPr.cNvPr.get("descr") == "Alt text 0."
    assert title.text_frame.paragraphs[0].font.size == Pt(24)


def test_notes_are_a_talk_track_not_alt_text(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), content(), tmp_path / "deck.pptx"))
    for slide in list(deck.slides)[:2]:
        assert notes(slide).startswith("Say:"), slide.shapes.title.text
    figure_notes = notes(deck.slides[4])
    assert figure_notes.startswith("Say: message 0") and "\n\nCaveat: " in figure_notes
    assert "Alt text" not in figure_notes and "- Author00 A. Trial 00. J. 2020." in figure_notes


def test_every_slide_but_the_first_is_numbered_and_numbers_carry_their_sources(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), content(), tmp_path / "deck.pptx"))
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, 1):
        numbered = [s for s in slide.shapes if s.name == "Slide number"]
        assert (not numbered) if number == 1 else numbered[0].text_frame.text == f"{number} / {total}"
    outlook = next(s for s in deck.slides if s.shapes.title.text.startswith("After CAR-T failure"))
    source = next(s for s in outlook.shapes if s.name == "Sources")
    assert source.text_frame.text == "Source: Iacoboni 2024."
    assert source.text_frame.paragraphs[0].font.size == Pt(SOURCE_PT)


def test_a_bar_chart_is_a_native_chart_under_the_title_and_the_case_follows_the_eligibility(tmp_path: Path):
    figures = figure_set(names=("forest_orr_direct", "harms", "eligibility"))
    deck = Presentation(build_deck(figures, content(charts=True, case=True), tmp_path / "deck.pptx"))
    slide = next(s for s in deck.slides if s.shapes.title.text.startswith("Side effects were counted"))
    frame = next(s for s in slide.shapes if s.has_chart)
    assert not any(s.shape_type == 13 for s in slide.shapes)            # no picture of the chart
    assert frame.top >= slide.shapes.title.top + slide.shapes.title.height
    sources = next(s for s in slide.shapes if s.name == "Sources")   # three lines of sources: above the foot
    assert frame.top + frame.height <= sources.top and sources.top + sources.height <= Inches(7.5)
    outlook = next(s for s in deck.slides if s.shapes.title.text.startswith("After CAR-T failure"))
    one_line = next(s for s in outlook.shapes if s.name == "Sources")   # a box grows with its lines
    assert sources.height >= 2.5 * one_line.height
    chart = frame.chart
    assert list(chart.plots[0].categories) == ["Allo: deaths", "Bsab: CRS"]
    assert list(chart.plots[0].series[0].values) == pytest.approx([0.22, 0.03])
    assert not chart.has_legend                                          # a grey bar: no colour legend
    assert frame._element.nvGraphicFramePr.cNvPr.get("descr") == "Alt text 1."
    names = titles(deck)
    assert names.index("Case discussion") == names.index("Message 2: most data are indirect") + 1


def test_references_are_deduplicated_and_split_at_a_readable_size(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(citations_each=4), content(n_citations=3), tmp_path / "d.pptx"))
    refs = [s for s in deck.slides if s.shapes.title.text.startswith("References")]
    lines = [p.text for s in refs for p in s.placeholders[1].text_frame.paragraphs]
    assert len(lines) == 3 + 8 and len(refs) == -(-11 // REFERENCES_PER_SLIDE)
    assert lines[0].startswith("1. Ref 0") and lines[-1].startswith("11. ")


def test_deck_needs_a_pptx_path(tmp_path: Path):
    with pytest.raises(ParameterError, match=r"must end in \.pptx"):
        build_deck(figure_set(), content(), tmp_path / "deck.pdf")


# ---------------------------------------------------------------- real evidence

@pytest.fixture(scope="module")
def real_deck(tmp_path_factory, evidence) -> Path:
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    result = CliRunner().invoke(cli, ["slides", "--out", str(out), "--title", "After CAR-T: a session"])
    assert result.exit_code == 0, result.output
    assert "drawing forest_orr_direct" in result.output     # progress lines (stderr is mixed in)
    return out


@pytest.mark.slow
def test_slides_command_builds_the_teaching_deck_from_real_evidence(real_deck: Path):
    deck = Presentation(real_deck)
    names = titles(deck)
    assert names[0] == "After CAR-T: a session"
    assert names[-1] == "About these slides"
    joined = " ".join(names)
    for wanted in ("After CAR-T failure", "Key takeaways", "References"):
        assert wanted in joined
    assert not any("Stated ranges" in n for n in names)              # no analyst-only slide
    assert any(shape.has_chart for slide in deck.slides for shape in slide.shapes)   # native charts
    assert "Case discussion: what would you do next for this patient?" in names
    for slide in deck.slides:
        assert all(size >= BODY_PT for size in text_sizes(slide) if size is not None)
        text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert "This briefing" not in text and "care team" not in text   # educator wording
        assert not re.search(r"\b(itt|efficacy_evaluable|not verified)\b", text)
