"""The teaching deck for educators (python-pptx): a 20-minute session on treatment after CAR-T failure.

Slides, in order: title; learning objectives; outlook after CAR-T failure; options at a glance; direct
evidence (response after CAR-T); survival after CAR-T failure among those given each treatment; indirect
evidence (greyed); side effects; a worked patient case with its eligibility, then its discussion questions;
what is investigational; trials; key takeaways; references; about these slides. Every title states the
point as a sentence, without implying cause. Body text is at least 18 pt; slide numbers and source lines 14
pt. Bar charts (survival, side effects) are native, editable charts; forest plots and the eligibility chart
are pictures placed under the title band, so no figure text meets the title. Every slide that shows a
number names its sources at its foot. Speaker notes are a talk track: what to say, the caveat, the
sources (the alt text stays on the picture). No analyst-only slide.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ..analysis.frames import AnalysisTables
from ..errors import LymphomaEvidenceError, ParameterError
from ..fileio import write_with
from .deck_text import BarChart, DeckContent, TextSlide, deck_content
from .figureset import MIN_DPI, FigureSet, NamedFigure, build_figures
from .style import COLORS, SLIDE_SIZE, house_style, source_line

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide

_T = TypeVar("_T")
#: Smallest font on a slide's body (points); figure labels are at least 14 pt at full width.
BODY_PT = 18
TITLE_PT = 28
#: Source lines, slide numbers and chart labels (points): small, still legible when projected.
SOURCE_PT = 14
REFERENCES_PER_SLIDE = 5
ABOUT = ("These slides are teaching material built from published studies; they are not treatment "
         "guidance for any individual patient. Response and survival figures from different studies are "
         "not directly comparable: the patients, follow-up and assessment differ. Check the references "
         "and current labels before teaching from them.")
#: The figures the deck shows, in order.
DECK_FIGURES = ("forest_orr_direct", "outcomes_after_car_t", "forest_orr_indirect", "harms", "eligibility")
_LAYOUT = {"title": 0, "content": 1, "title_only": 5}
_OLD_WIDTH = Inches(10)  # the default template is 4:3; its masters are widened to 16:9


def write_deck(tables: AnalysisTables, out_path: Path | str, *, title: str | None = None,
               post_car_t_only: bool = False, progress: Callable[[str], None] | None = None) -> Path:
    """Draw the figures and word the text of the analysis ``tables`` and write the teaching deck to
    ``out_path``.

    Parameters
    ----------
    tables : AnalysisTables
        From :func:`lymphoma_evidence.analysis.tables.analysis_tables`, computed once for the figures
        and the text; its ``profile`` is the patient of the worked case (None leaves the case out).
    out_path : path
        The ``.pptx`` file to write.
    title : str, optional
        Title of the deck (title slide and file properties); default the topic's (texts.csv
        ``deck_title``).
    post_car_t_only : bool
        Leave out the slide of indirect evidence.
    progress : callable, optional
        Called with a line per step (the CLI prints them).
    """
    figure_set = build_figures(tables, DECK_FIGURES, post_car_t_only=post_car_t_only, progress=progress)
    if progress:
        progress("writing the slides")
    return build_deck(figure_set, deck_content(tables), out_path, title=title)


def build_deck(figure_set: FigureSet, content: DeckContent, out_path: Path | str,
               title: str | None = None) -> Path:
    """Write the deck of ``figure_set`` and ``content`` to ``out_path`` (a ``.pptx`` file).

    Raises
    ------
    ParameterError
        When ``out_path`` does not end in ``.pptx``.
    """
    title = title or content.title
    path = Path(out_path)
    if path.suffix.lower() != ".pptx":
        raise ParameterError(f"out_path {str(path)!r} must end in .pptx (PowerPoint deck); "
                             "e.g. --out deck.pptx.")
    figures = {item.name: item for item in figure_set.figures}
    deck = _new_deck(title, figure_set)
    _title_slide(deck, title, content.aim, figure_set)
    _text_slide(deck, _objectives(content, figure_set))
    _text_slide(deck, content.outlook)
    _text_slide(deck, content.options)
    for name in DECK_FIGURES[:-1]:
        if name in content.charts and name in figures:
            _chart_slide(deck, content.charts[name], figures[name].alt)
        elif name in figures:
            _figure_slide(deck, figures[name])
    if "eligibility" in figures:
        _figure_slide(deck, figures["eligibility"], teaching=(
            "work through the case: which options fit the listed criteria, which need a check, and "
            "why an option that fits may still be a poor choice (see the survival slide)."))
        if content.case is not None:
            _text_slide(deck, content.case)
    _text_slide(deck, content.investigational)
    _text_slide(deck, content.trials)
    _text_slide(deck, content.takeaways)
    citations = list(dict.fromkeys([*content.citations,
                                    *(c for item in figure_set.figures for c in item.citations),
                                    *(c for chart in content.charts.values() for c in chart.citations)]))
    _references(deck, citations)
    _text_slide(deck, TextSlide("About these slides", [ABOUT], notes=ABOUT))
    _number_slides(deck)
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


def _title_slide(deck: PresentationType, title: str, aim: str, figure_set: FigureSet) -> None:
    """The title slide; its notes say what learners can do by the end (``aim``, texts.csv
    ``deck_title_note``) and which evidence built the deck."""
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["title"]])
    slide.shapes.title.text = title
    for paragraph in slide.shapes.title.text_frame.paragraphs:
        paragraph.font.size = Pt(40)
    sub = slide.placeholders[1]
    sub.text = (f"A 20-minute teaching session for clinicians and educators\nEvidence version "
                f"{figure_set.version} · {figure_set.built.isoformat()}")
    for paragraph in sub.text_frame.paragraphs:
        paragraph.font.size = Pt(24)
    say = aim or "by the end, learners can explain the findings on the slides and who the numbers come from."
    _notes(slide, f"Say: {say}\n\n"
                  f"Built from evidence version {figure_set.version} (content "
                  f"{figure_set.content_hash[:12] or 'n/a'}) on {figure_set.built.isoformat()}.")


def _objectives(content: DeckContent, figure_set: FigureSet) -> TextSlide:
    """Learning objectives: the findings the session's slides state, each to be explained with who the
    numbers come from."""
    titles = [content.outlook.title, content.options.title,
              *(item.title for item in figure_set.figures if item.name == "forest_orr_direct"),
              *(chart.title for chart in content.charts.values())]
    lines = [f"Explain: {t[:1].lower() + t[1:]}" for t in titles]
    notes = ("Say: by the end of the session, learners can explain each of these findings, say who the "
             "numbers come from (after CAR-T or not), and discuss a case.\n\nCaveat: the findings are "
             "from small or retrospective studies; the sources are on each slide.\n\nSources:\n- on each "
             "slide that follows")
    return TextSlide("Learning objectives: by the end, you can explain these findings and who they come "
                     "from", lines, notes)


def _number_slides(deck: PresentationType) -> None:
    """A slide number ("3 / 21") at the bottom right of every slide but the title slide."""
    width, height = _present(deck.slide_width, "a slide width"), _present(deck.slide_height, "a slide height")
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        if number == 1:
            continue
        box = slide.shapes.add_textbox(Emu(width - Inches(1.3)), Emu(height - Inches(0.45)), Inches(1.2),
                                       Inches(0.4))
        box.name = "Slide number"
        paragraph = box.text_frame.paragraphs[0]
        paragraph.text = f"{number} / {total}"
        paragraph.alignment = PP_ALIGN.RIGHT
        paragraph.font.size = Pt(SOURCE_PT)
        paragraph.font.color.rgb = RGBColor.from_string(COLORS["muted"][1:])


def _source_line(deck: PresentationType, slide: Slide, labels: Sequence[str]) -> Emu:
    """The sources of a slide's numbers at its foot (short labels; full ones in the notes), as many lines
    as they need above the slide number's line; returns the top of the box (the slide's height when
    there is no source), so what is above ends there."""
    width, height = _present(deck.slide_width, "a slide width"), _present(deck.slide_height, "a slide height")
    text = source_line(labels)
    if not text:
        return Emu(height)
    box_width = Emu(width - Inches(2.1))
    per_line = int(box_width / Inches(1) * 72 / (SOURCE_PT * _CHAR_WIDTH))
    lines = max(1, -(-len(text) // max(per_line, 1)))
    box_height = Emu(Inches(0.12) + lines * Pt(SOURCE_PT * 1.25))
    top = Emu(height - Inches(0.08) - box_height)
    box = slide.shapes.add_textbox(Inches(0.6), top, box_width, box_height)
    box.name = "Sources"
    frame = box.text_frame
    frame.word_wrap = True
    frame.paragraphs[0].text = text
    frame.paragraphs[0].font.size = Pt(SOURCE_PT)
    frame.paragraphs[0].font.color.rgb = RGBColor.from_string(COLORS["muted"][1:])
    return top


#: Average width of a character of the source line, as a share of its size (to count its lines).
_CHAR_WIDTH = 0.52


def _figure_title(slide: Slide, text: str) -> None:
    """The message title of a figure or chart slide: 24 pt bold, left, in the band above the figure."""
    title = _present(slide.shapes.title, "a title placeholder")
    title.left, title.top, title.width, title.height = (Inches(0.15), Inches(0.05), Inches(13.0),
                                                        Inches(_TITLE_BOTTOM_IN - 0.1))
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.font.size, paragraph.font.bold = Pt(24), True
        paragraph.alignment = PP_ALIGN.LEFT


def _chart_slide(deck: PresentationType, chart: BarChart, alt: str) -> None:
    """A native, editable bar chart under the message title: bars coloured by series, indirect options'
    bars grey, values as percent labels, sources at the foot."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION

    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["title_only"]])
    _figure_title(slide, chart.title)
    data = CategoryChartData(number_format="0%")
    data.categories = chart.categories
    for name, values, _ in chart.series:
        data.add_series(name, values)
    width = _present(deck.slide_width, "a slide width")
    foot = min(_source_line(deck, slide, chart.sources), Emu(_present(deck.slide_height, "a slide height")
                                                               - Inches(0.5)))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.4), Inches(_TITLE_BOTTOM_IN),
                                   Emu(width - Inches(0.8)), Emu(foot - Inches(_TITLE_BOTTOM_IN + 0.1)), data)
    frame.name = "chart"
    frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)
    plot = frame.chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = "0%", False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(SOURCE_PT)
    grey = RGBColor.from_string(COLORS["indirect"][1:])
    for series, (_, values, colour) in zip(plot.series, chart.series, strict=True):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
        for index, indirect in enumerate(chart.indirect):
            if indirect and values[index] is not None:
                point = series.points[index]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = grey
    frame.chart.has_title = False  # the slide title says it
    # a legend only when it explains colours every bar keeps: several series and no grey (indirect) bar
    frame.chart.has_legend = len(chart.series) > 1 and not any(chart.indirect)
    if frame.chart.has_legend:
        frame.chart.legend.position = XL_LEGEND_POSITION.TOP
        frame.chart.legend.include_in_layout = False
        frame.chart.legend.font.size = Pt(SOURCE_PT + 2)
    elif len(chart.series) > 1:
        labels.show_series_name = True
    axis = frame.chart.value_axis
    axis.minimum_scale, axis.maximum_scale = 0.0, 1.0
    axis.major_unit = 0.2  # six labels: they stay upright beside long category names
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "0%", False
    axis.tick_labels.font.size = Pt(SOURCE_PT)
    axis.has_major_gridlines = True
    categories = frame.chart.category_axis
    categories.reverse_order = True  # the first option on top
    categories.tick_labels.font.size = Pt(SOURCE_PT + 2)
    _notes(slide, chart.notes)


def _figure_slide(deck: PresentationType, item: NamedFigure, teaching: str = "") -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["title_only"]])
    hidden = [t for t in item.figure.texts if t.get_gid() == "title"]
    for text in hidden:  # the slide title takes the figure's title band
        text.set_visible(False)
    buffer = io.BytesIO()
    with house_style():
        item.figure.savefig(buffer, format="png", dpi=MIN_DPI, metadata={"Software": None})
        band = _title_band(item.figure)
    for text in hidden:
        text.set_visible(True)
    picture = _picture_below_title(deck, slide, _cropped(buffer, band))
    picture.name = item.name
    picture._element.nvPicPr.cNvPr.set("descr", item.alt)
    _figure_title(slide, item.title)
    sources = "\n".join(f"- {c}" for c in item.citations) or "- none"
    caveat = next((t.get_text() for t in item.figure.texts if t.get_gid() == "subtitle"), "") or (
        "each number comes from its own study; say who it comes from before comparing any two.")
    say = teaching or f"{item.title[:1].lower() + item.title[1:]}."
    _notes(slide, f"Say: {say}\n\nCaveat: {caveat}\n\nSources:\n{sources}")


#: The slide title's box: no picture starts above its bottom (inches from the top of the slide).
_TITLE_BOTTOM_IN = 1.1


def _title_band(figure) -> float:
    """The share of the figure's height above its highest visible text other than the title (the band the
    slide title replaces)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    height = figure.bbox.height
    tops = [t.get_window_extent(renderer).y1 for t in figure.texts
            if t.get_visible() and t.get_text().strip() and t.get_gid() != "title"]
    highest = max((y for y in tops if y < height), default=height)
    return max(0.0, min(0.3, (height - highest) / height - 0.01))


def _cropped(buffer: io.BytesIO, band: float) -> io.BytesIO:
    """The PNG in ``buffer`` without its top ``band`` (a share of its height)."""
    from PIL import Image

    buffer.seek(0)
    with Image.open(buffer) as image:
        cut = image.crop((0, round(image.height * band), image.width, image.height))
        out = io.BytesIO()
        cut.save(out, format="png")
    out.seek(0)
    return out


def _picture_below_title(deck: PresentationType, slide: Slide, png: io.BytesIO):
    """The figure as large as fits under the title box, centred, its aspect kept."""
    from PIL import Image

    with Image.open(png) as image:
        aspect = image.width / image.height
    png.seek(0)
    width = _present(deck.slide_width, "a slide width")
    room = _present(deck.slide_height, "a slide height") - Inches(_TITLE_BOTTOM_IN)
    shown_w = min(width, round(room * aspect))
    shown_h = round(shown_w / aspect)
    return slide.shapes.add_picture(png, Emu((width - shown_w) // 2), Inches(_TITLE_BOTTOM_IN), Emu(shown_w),
                                    Emu(shown_h))


def _text_slide(deck: PresentationType, content: TextSlide) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[_LAYOUT["content"]])
    _set_title(slide, content.title)
    body = slide.placeholders[1]
    body.left, body.top = Inches(0.6), Inches(1.45)
    width, height = _present(deck.slide_width, "a slide width"), _present(deck.slide_height, "a slide height")
    body.width, body.height = Emu(width - Inches(1.2)), Emu(height - Inches(1.8))
    if content.table:
        _table(slide, body, content.table)
    else:
        frame = body.text_frame
        frame.word_wrap = True
        lines = content.lines or ["Nothing in the evidence for this slide."]
        size = 24 if len(lines) <= 4 else (20 if len(lines) <= 6 else BODY_PT)
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
    if content.sources:
        foot = _source_line(deck, slide, content.sources)
        body.height = Emu(min(body.height, foot - body.top - Inches(0.05)))
    if content.notes:
        _notes(slide, content.notes)
    return slide


def _table(slide: Slide, body, rows: list[list[str]]) -> None:
    left, top, width = body.left, body.top, body.width
    body._element.getparent().remove(body._element)
    shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, Emu(Inches(0.36) * len(rows)))
    table = shape.table
    # share the width by the longest word-wrapped cell, but give every column room for its header words
    spanning = [len(row) > 1 and bool(row[0]) and not any(row[1:]) for row in rows]
    sized = [row for row, spans in zip(rows, spanning, strict=True) if not spans]
    weights = [max(14, max(len(row[c]) for row in sized)) ** 0.7 for c in range(len(rows[0]))]
    for c, weight in enumerate(weights):
        table.columns[c].width = Emu(int(width * weight / sum(weights)))
    for r, row in enumerate(rows):
        if spanning[r]:  # a row of one text spans the table
            table.cell(r, 0).merge(table.cell(r, len(row) - 1))
            row = row[:1]
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(BODY_PT)
                paragraph.font.bold = r == 0


def _references(deck: PresentationType, citations: Sequence[str]) -> None:
    pages = [citations[i:i + REFERENCES_PER_SLIDE]
             for i in range(0, len(citations), REFERENCES_PER_SLIDE)] or [[]]
    for page, chunk in enumerate(pages):
        title = "References" + (f" ({page + 1} of {len(pages)})" if len(pages) > 1 else "")
        start = page * REFERENCES_PER_SLIDE
        lines = [f"{start + i}. {c}" for i, c in enumerate(chunk, 1)] or ["No sources cited."]
        slide = _text_slide(deck, TextSlide(title, lines, notes="\n".join(lines)))
        for paragraph in slide.placeholders[1].text_frame.paragraphs:
            paragraph.font.size = Pt(BODY_PT)


def _set_title(slide: Slide, text: str, size: int = TITLE_PT) -> None:
    title = _present(slide.shapes.title, "a title placeholder")
    title.text = text
    title.text_frame.word_wrap = True
    for paragraph in title.text_frame.paragraphs:
        paragraph.font.size = Pt(size)


def _notes(slide: Slide, text: str) -> None:
    _present(slide.notes_slide.notes_text_frame, "a notes placeholder").text = text


def _present(value: _T | None, what: str) -> _T:
    """``value``, which python-pptx types as optional; the default template always has it."""
    if value is None:
        raise LymphomaEvidenceError(f"the slide template has no {what}; the deck cannot be written")
    return value
