"""The reader-output helpers (:mod:`reader_output`) on tiny PDFs and SVGs drawn here with matplotlib."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
import reader_output as ro

if not shutil.which("pdftotext"):
    if os.environ.get("CI"):
        pytest.fail("pdftotext is missing (CI=true: .ci/run must install poppler-utils)", pytrace=False)
    pytest.skip("pdftotext is missing: apt-get install poppler-utils", allow_module_level=True)

A4 = (8.27, 11.69)
#: Text stays text: TrueType in the PDF, <text> in the SVG (as in the project's figures).
TEXT_AS_TEXT = {"pdf.fonttype": 42, "svg.fonttype": "none"}


def pdf_of(tmp_path: Path, *pages: list[tuple[float, float, str, float]]) -> Path:
    """A PDF with one A4 page per item; each item lists (x, y from the top, text, size in pt), in inches."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    path = tmp_path / "tiny.pdf"
    with matplotlib.rc_context(TEXT_AS_TEXT), PdfPages(path) as pdf:
        for texts in pages:
            fig = Figure(figsize=A4)
            for x, y, text, size in texts:
                fig.text(x / A4[0], 1 - y / A4[1], text, fontsize=size, va="top")
            pdf.savefig(fig)
    return path


def test_words_come_with_their_boxes_and_size(tmp_path: Path):
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1, "Twelve points", 12), (1, 2, "six", 6)]))
    assert len(pages) == 1 and round(pages[0].width) == 595
    words = {w.text: w for w in pages[0].words}
    assert set(words) == {"Twelve", "points", "six"}
    assert words["Twelve"].size_pt == pytest.approx(12, abs=0.3)
    assert words["six"].size_pt == pytest.approx(6, abs=0.3)
    assert words["Twelve"].x0 == pytest.approx(72, abs=2)  # 1 inch from the left
    assert words["Twelve"].line == words["points"].line != words["six"].line


def test_small_type_names_the_line_and_its_smallest_word(tmp_path: Path):
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1, "Readable text", 10), (1, 2, "fine print here", 7)]))
    found = ro.small_type(pages, 8)
    assert len(found) == 1
    assert found[0].startswith("page 1: 7.0 pt < 8 pt: 'fine'") and "fine print here" in found[0]
    assert not ro.small_type(pages, 7)


def test_overlapping_words_are_found_and_neighbours_are_not(tmp_path: Path):
    apart = [(1, 1, "first line", 12), (1, 1.2, "second line", 12), (3, 1, "beside", 12)]
    assert not ro.overlapping_words(ro.read_pages(pdf_of(tmp_path, apart)))
    clash = [(1, 3, "meets every listed criterion", 12), (1.5, 3.05, "fits, but may be", 12)]
    found = ro.overlapping_words(ro.read_pages(pdf_of(tmp_path, clash)))
    assert found and "overlaps" in found[0] and "page 1" in found[0]
    box_in = 12 * ro.BOX_EM / 72  # wrapped lines 30% into each other, as the eligibility reasons were
    touching = [(1, 5, "fits, but may be a poor choice", 12),
                (1, 5 + 0.7 * box_in, "alive without progression", 12)]
    assert ro.overlapping_words(ro.read_pages(pdf_of(tmp_path, touching)))
    tight = [(1, 7, "lines set tight", 12), (1, 7 + 0.95 * box_in, "still apart", 12)]
    assert not ro.overlapping_words(ro.read_pages(pdf_of(tmp_path, tight)))


def test_placeholders_and_code_tokens_are_named_with_their_line(tmp_path: Path):
    lines = ["FDA <NA> 2017 (LBCL)", "[Authors not verified]. Blood.", "IDENTIFIER TO COMPLETE",
             "strata (post car t; unknown)", "see result_id here", "rate nan in 12", "approval None 2020",
             "iacoboni2024 said"]
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1 + i * 0.4, text, 11) for i, text in enumerate(lines)]))
    found = ro.placeholders(pages, ids={"iacoboni2024"})
    joined = "\n".join(found)
    for expected in ("'<NA>'", "'not verified'", "'to complete'", "'car t'", "snake_case token 'result_id'",
                     "empty value 'nan'", "empty value 'None'", "evidence id 'iacoboni2024'"):
        assert expected in joined, expected
    assert len(found) == len(lines)


def test_words_that_only_look_like_code_pass(tmp_path: Path):
    lines = ["None of 60 people had it.", "https://example.org/label_json?x=a_b", "CAR-T and CAR T-cell",
             "NP30179 phase 2"]
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1 + i * 0.4, text, 11) for i, text in enumerate(lines)]))
    assert ro.placeholders(pages, ids={"glofitamab_np30179"}) == []


def test_evidence_file_names_and_zero_counts_are_named_with_their_line(tmp_path: Path):
    lines = ["listed in evidence/known_gaps.csv.", "entered in certainty.csv; not rated",
             "see datapackage.json", "0 in 10 had it", "0 of 2 results", "none of 10 had it",
             "10 in 10 responded", "in 2020 of 10", "about 40 in 100 people", "figures.md and deck.pptx"]
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1 + i * 0.4, text, 11) for i, text in enumerate(lines)]))
    found = ro.wording_problems(pages)
    joined = "\n".join(found)
    for expected in ("evidence file name 'known_gaps.csv'", "evidence file name 'certainty.csv'",
                     "evidence file name 'datapackage.json'", "zero count '0 in 10'", "zero count '0 of 2'"):
        assert expected in joined, expected
    assert len(found) == 5, joined


def test_python_missing_values_are_found_on_any_printed_page(tmp_path: Path):
    lines = ["Sources not checked: 0", "None.", "the first other side effect is shown. 'None counted': the",
             "CRS nan% (NaT)", "approved <NA> 2018", "median: None", "ORR () and CR []", "None Known",
             "as null", "trial NA"]
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1 + i * 0.4, text, 11) for i, text in enumerate(lines)]))
    joined = "\n".join(ro.python_leaks(pages))
    for expected in ("missing value 'None' 'None.'", "missing value 'None' \"'None\"", "missing value 'nan%'",
                     "missing value 'NaT'", "missing value '<NA>'", "missing value 'None' 'None' at",
                     "empty brackets '()'", "empty brackets '[]'", "missing value 'null'",
                     "missing value 'NA'"):
        assert expected in joined, expected
    assert len(joined.splitlines()) == 11, joined  # "None" twice in its own words, once before "Known"


def test_none_as_english_passes_even_across_a_line_break(tmp_path: Path):
    lines = ["None of 100 people who were given this died.", "Of the 10, None", "of them had it.",
             "https://example.org/?q=None", "Nonetheless, none counted (none)"]
    pages = ro.read_pages(pdf_of(tmp_path, [(1, 1 + i * 0.4, text, 11) for i, text in enumerate(lines)]))
    assert ro.python_leaks(pages) == []


def test_html_leaks_read_the_visible_text_block_by_block():
    html = ("<html><head><style>p { content: 'None.' }</style><script>var x = null;</script></head><body>"
            "<h3>Sources not checked: 0</h3><p>None.</p>"
            "<li>Serious side effects , then others</li><td>CRS  grade 3</td><p>ORR (<span></span>)</p>"
            "<p>median nan months</p><p>FDA <span>approval</span> <code>NaN</code></p>"
            "<p>None of 10 people.<sup>[3]</sup> </span> <span>From 1 study.</p>"
            "<p>Run <code>lymphoma-evidence figures</code>; then <code>slides</code>.</p>"
            "<pre>a  b , c</pre></body></html>")
    found = ro.html_leaks(html)
    joined = "\n".join(found)
    for expected in ("<p>: missing value 'None' in 'None.'", "<li>: empty value joined into text (' ,')",
                     "<td>: two spaces in a row", "<p>: empty value joined into text ('()')",
                     "<p>: missing value 'nan'", "<p>: missing value 'NaN'"):
        assert expected in joined, expected
    assert len(found) == 6, joined


def test_a_first_page_that_ends_near_the_top_is_near_blank(tmp_path: Path):
    blank = ro.read_pages(pdf_of(tmp_path, [(1, 1, "Title", 20)], [(1, 1, "Everything else", 11)]))
    assert "page 1 of 2 is near-blank" in ro.near_blank_first_page(blank)
    full = ro.read_pages(pdf_of(tmp_path, [(1, 1, "Title", 20), (1, 9, "more", 11)], [(1, 1, "rest", 11)]))
    assert ro.near_blank_first_page(full) == ""
    assert ro.near_blank_first_page(blank[:1]) == ""  # one page is never near-blank


def svg_of(legend_colour: str, bar_colour: str) -> str:
    """A bar chart with one legend key (in a white, grey-edged frame), as matplotlib writes SVG."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.barh([0, 1], [0.4, 0.6], color=bar_colour)
    fig.legend(handles=[Patch(color=legend_colour, label="Severe infection")])
    buffer = io.StringIO()
    with matplotlib.rc_context(TEXT_AS_TEXT):
        fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def test_a_legend_key_no_mark_uses_is_found():
    found = ro.legend_colours_without_marks(svg_of("#d55e00", "#8c8c8c"))
    assert found == ["legend key 'Severe infection' is #d55e00, a colour no mark in the chart uses"]
    assert ro.legend_colours_without_marks(svg_of("#d55e00", "#d55e00")) == []
    assert ro.legend_colours_without_marks(svg_of("#000000", "#000000")) == []  # black: SVG's default fill


@pytest.mark.skipif(not ro.CHROMIUM.is_file(), reason="Chromium is not installed")
@pytest.mark.slow
def test_chromium_prints_a_figure_at_its_own_size(tmp_path: Path):
    svg = tmp_path / "figure.svg"
    svg.write_text(svg_of("#d55e00", "#d55e00"), encoding="utf-8")
    pages = ro.read_pages(ro.chromium_pdf(ro.figure_page(svg, tmp_path / "figure.html"), tmp_path / "f.pdf"))
    assert len(pages) == 1 and round(pages[0].width) == 288 and round(pages[0].height) == 216
    assert "Severe" in {w.text for w in pages[0].words}
