"""The PowerPoint deck for educators (python-pptx): title, one slide per figure, key takeaways,
references and the disclaimer, on 16:9 slides they can edit.

Each figure slide has a short takeaway title, the figure as a 200 dpi PNG whose alt text is set on
the picture, and the alt text plus the full citations in the speaker notes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from ..errors import ParameterError
from ..fileio import write_with
from .figureset import EXAMPLE_PROFILE, MIN_DPI, FigureSet, NamedFigure, build_figures
from .style import SLIDE_SIZE, house_style

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide

    from ..analysis.eligibility import PatientProfile
    from ..data.evidence import Evidence

DECK_TITLE = "Lymphoma treatment after CAR T-cell therapy"
REFERENCES_PER_SLIDE = 8
_LAYOUT = {"title": 0, "content": 1, "title_only": 5}
_OLD_WIDTH = Inches(10)  # the default template is 4:3; its masters are widened to 16:9


def write_deck(evidence: Evidence, out_path: Path | str,
               profile: PatientProfile | None = EXAMPLE_PROFILE,
               endpoints: Sequence[str] = ("ORR", "CR")) -> Path:
    """Build the figure set from ``evidence`` and write the deck to ``out_path``.

    The key takeaways are one sentence per therapy class for the first endpoint (see
    :func:`lymphoma_evidence.analysis.takeaways.class_takeaways`); each endpoint has its own figure slide.
    ``profile`` is the patient of the eligibility overview (None leaves it out).
    """
    from ..analysis.summaries import class_summary
    from ..analysis.takeaways import class_takeaways

    if not endpoints:
        raise ParameterError("endpoints is empty; expected one or more of ORR, CR.")
    lines = class_takeaways(class_summary(evidence, endpoint=endpoints[0]))
    return build_deck(build_figures(evidence, endpoints=endpoints, profile=profile), lines, out_path)


def build_deck(figure_set: FigureSet, takeaways: Sequence[str], out_path: Path | str,
               title: str = DECK_TITLE) -> Path:
    """Write a 16:9 deck of ``figure_set`` to ``out_path`` (a ``.pptx`` file) and return its path.

    Slides, in order: title (evidence version and build date), one per figure, key takeaways,
    references (:data:`REFERENCES_PER_SLIDE` per slide), disclaimer.

    Raises
    ------
    ParameterError
        When ``out_path`` does not end in ``.pptx``.
    """
    path = Path(out_path)
    if path.suffix.lower() != ".pptx":
        raise ParameterError(f"out_path {str(path)!r} must end in .pptx (PowerPoint deck); "
                             "e.g. --out deck.pptx.")
    deck = _new_deck(title, figure_set)
    _title_slide(deck, title, figure_set)
    for item in figure_set.figures:
        _figure_slide(deck, item)
    _bullet_slide(deck, "Key takeaways", list(takeaways) or ["No response data in the evidence."],
                  notes="Rates are from single trials or pooled with random effects; trials differ "
                        "in patients and follow-up, so compare classes with care.")
    citations = list(dict.fromkeys(c for item in figure_set.figures for c in item.citations))
    _references(deck, citations)
    _disclaimer(deck)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_with(path, lambda temporary: deck.save(str(temporary)))
    return path


def _new_deck(title: str, figure_set: FigureSet) -> PresentationType:
    deck = Presentation()
    width, height = SLIDE_SIZE
    deck.slide_width, deck.slide_height = Inches(width), Inches(height)
    factor = deck.slide_width / _OLD_WIDTH
    for shapes in [deck.slide_master.shapes, *(layout.shapes for layout in deck.slide_layouts)]:
        for shape in shapes:
            if shape._element.xfrm is not None:  # own position; others inherit the widened master
                shape.left, shape.width = Emu(int(shape.left * factor)), Emu(int(shape.width * factor))
    stamp = datetime.combine(figure_set.built, time())
    props = deck.core_properties
    props.title, props.author, props.last_modified_by = title, "lymphoma-evidence", "lymphoma-evidence"
    props.subject = f"Evidence version {figure_set.version}"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    return deck


def _title_slide(deck: PresentationType, title: str, figure_set: FigureSet) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["title"]])
    slide.shapes.title.text = title
    slide.placeholders[1].text = (f"Evidence figures for educators\nEvidence version "
                                  f"{figure_set.version} · {figure_set.built.isoformat()}")
    _notes(slide, f"Built from evidence version {figure_set.version} (content "
                  f"{figure_set.content_hash[:12] or 'n/a'}) on {figure_set.built.isoformat()}.")


def _figure_slide(deck: PresentationType, item: NamedFigure) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["title_only"]])
    _set_title(slide, item.title, size=28)
    buffer = io.BytesIO()
    with house_style():
        item.figure.savefig(buffer, format="png", dpi=MIN_DPI, metadata={"Software": None})
    buffer.seek(0)
    top = Inches(1.45)
    height = deck.slide_height - top - Inches(0.15)
    fig_w, fig_h = item.figure.get_size_inches()
    width = Emu(int(height * fig_w / fig_h))
    picture = slide.shapes.add_picture(buffer, (deck.slide_width - width) // 2, top, width, height)
    picture.name = item.name
    picture._element.nvPicPr.cNvPr.set("descr", item.alt)
    sources = "\n".join(f"{i}. {c}" for i, c in enumerate(item.citations, 1)) or "none"
    _notes(slide, f"Alt text: {item.alt}\n\nSources:\n{sources}")


def _bullet_slide(deck: PresentationType, title: str, lines: Sequence[str], notes: str = "",
                  size: int = 20) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["content"]])
    _set_title(slide, title, size=32)
    body = slide.placeholders[1].text_frame
    body.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size if len(lines) <= 8 else max(12, size - len(lines) + 8))
    if notes:
        _notes(slide, notes)
    return slide


def _references(deck: PresentationType, citations: Sequence[str]) -> None:
    pages = [citations[i:i + REFERENCES_PER_SLIDE]
             for i in range(0, len(citations), REFERENCES_PER_SLIDE)] or [[]]
    for page, chunk in enumerate(pages):
        title = "References" + (f" ({page + 1} of {len(pages)})" if len(pages) > 1 else "")
        start = page * REFERENCES_PER_SLIDE
        lines = [f"{start + i}. {c}" for i, c in enumerate(chunk, 1)] or ["No sources cited."]
        _bullet_slide(deck, title, lines, notes="\n".join(lines), size=12)


def _disclaimer(deck: PresentationType) -> None:
    from ..reports.briefing import DISCLAIMER

    _bullet_slide(deck, "About these slides", [DISCLAIMER], notes=DISCLAIMER, size=20)


def _set_title(slide: Slide, text: str, size: int) -> None:
    slide.shapes.title.text = text
    for paragraph in slide.shapes.title.text_frame.paragraphs:
        paragraph.font.size = Pt(size)


def _notes(slide: Slide, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text
