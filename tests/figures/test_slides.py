"""Tests for lymphoma_evidence.figures.slides: the deck is read back with python-pptx."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.util import Inches

from lymphoma_evidence.cli import cli
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.figureset import FigureSet, NamedFigure
from lymphoma_evidence.figures.slides import DECK_TITLE, REFERENCES_PER_SLIDE, build_deck
from lymphoma_evidence.figures.style import new_figure


def figure_set(n_figures: int = 2, citations_each: int = 2) -> FigureSet:
    items = []
    for i in range(n_figures):
        fig = new_figure()
        fig.add_axes((0.1, 0.1, 0.8, 0.8)).plot([0, 1], [i, i + 1])
        cites = tuple(f"Author{i}{j} A. Trial {i}{j}. J. 2020." for j in range(citations_each))
        items.append(NamedFigure(f"fig{i}", f"Takeaway {i}: ORR 40–60%", fig, f"Alt text {i}.", cites))
    return FigureSet(tuple(items), "2.0.1", "cd" * 32, date(2024, 6, 3))


def titles(deck) -> list[str]:
    return [s.shapes.title.text for s in deck.slides]


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def test_deck_is_16_by_9_with_title_figures_takeaways_references_and_disclaimer(tmp_path: Path):
    path = build_deck(figure_set(), ["Bispecific antibodies: ORR 52–63% across 3 studies."],
                      tmp_path / "deck.pptx")
    deck = Presentation(path)
    assert (deck.slide_width, deck.slide_height) == (Inches(13.33), Inches(7.5))
    assert titles(deck) == [DECK_TITLE, "Takeaway 0: ORR 40–60%", "Takeaway 1: ORR 40–60%",
                            "Key takeaways", "References", "About these slides"]


def test_title_slide_shows_evidence_version_and_build_date(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), [], tmp_path / "deck.pptx"))
    subtitle = deck.slides[0].placeholders[1].text
    assert "Evidence version 2.0.1" in subtitle and "2024-06-03" in subtitle
    assert deck.core_properties.modified.date() == date(2024, 6, 3)


def test_figure_slides_carry_the_picture_with_alt_text_and_notes_with_citations(tmp_path: Path):
    deck = Presentation(build_deck(figure_set(), [], tmp_path / "deck.pptx"))
    slide = deck.slides[1]
    pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1
    assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == "Alt text 0."
    assert pictures[0].left + pictures[0].width <= deck.slide_width
    assert pictures[0].top + pictures[0].height <= deck.slide_height
    text = notes(slide)
    assert "Alt text: Alt text 0." in text
    assert "1. Author00 A. Trial 00. J. 2020." in text and "2. Author01 A." in text


def test_key_takeaways_slide_has_one_paragraph_per_sentence(tmp_path: Path):
    lines = ["Class A: ORR 50% in 1 study (20 patients).", "Class B: ORR 40–60% across 2 studies."]
    deck = Presentation(build_deck(figure_set(), lines, tmp_path / "deck.pptx"))
    slide = next(s for s in deck.slides if s.shapes.title.text == "Key takeaways")
    body = slide.placeholders[1].text_frame
    assert [p.text for p in body.paragraphs] == lines


def test_references_are_deduplicated_and_split_over_slides(tmp_path: Path):
    figures = figure_set(n_figures=2, citations_each=REFERENCES_PER_SLIDE)
    shared = figures.figures[0].citations[0]
    second = figures.figures[1]
    figures = FigureSet((figures.figures[0], NamedFigure(second.name, second.title, second.figure,
                                                         second.alt, (shared, *second.citations))),
                        figures.version, figures.content_hash, figures.built)
    deck = Presentation(build_deck(figures, [], tmp_path / "deck.pptx"))
    pages = [s for s in deck.slides if s.shapes.title.text.startswith("References")]
    assert [s.shapes.title.text for s in pages] == ["References (1 of 2)", "References (2 of 2)"]
    numbered = [p.text for s in pages for p in s.placeholders[1].text_frame.paragraphs]
    assert len(numbered) == 2 * REFERENCES_PER_SLIDE
    assert numbered[-1].startswith(f"{2 * REFERENCES_PER_SLIDE}. ")


def test_deck_needs_a_pptx_path(tmp_path: Path):
    with pytest.raises(ParameterError, match="must end in .pptx"):
        build_deck(figure_set(), [], tmp_path / "deck.pdf")


# ---------------------------------------------------------------- real evidence

@pytest.fixture(scope="module")
def real_deck(tmp_path_factory, evidence) -> Path:
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    result = CliRunner().invoke(cli, ["slides", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_slides_command_builds_the_deck_from_real_evidence(real_deck: Path, evidence):
    from lymphoma_evidence.analysis.summaries import class_summary
    from lymphoma_evidence.figures.figureset import build_figures

    expected = build_figures(evidence)
    deck = Presentation(real_deck)
    names = titles(deck)
    figure_titles = [f.title for f in expected.figures]
    assert names[0] == DECK_TITLE
    assert names[1:1 + len(figure_titles)] == figure_titles
    assert names[1 + len(figure_titles)] == "Key takeaways"
    assert names[-1] == "About these slides"
    takeaways = deck.slides[1 + len(figure_titles)].placeholders[1].text_frame.paragraphs
    assert len(takeaways) == len(class_summary(evidence, "ORR"))
    for slide, item in zip(list(deck.slides)[1:], expected.figures, strict=False):
        assert item.alt in notes(slide)


@pytest.mark.skipif(shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (needed to convert the deck to PDF)")
@pytest.mark.slow
def test_deck_converts_to_pdf_in_libreoffice_with_one_page_per_slide(real_deck: Path, tmp_path: Path):
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(real_deck)],
                   check=True, capture_output=True, timeout=300)
    pdf = (tmp_path / "deck.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == len(Presentation(real_deck).slides)
