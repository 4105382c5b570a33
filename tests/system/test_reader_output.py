"""What readers get, checked the way the numbers are: every page, slide and figure, as printed.

The default reports are built once per session (the ``report_dir`` fixture), the figures and the deck with
the project's own commands. Every page is printed to A4 by Chromium, each SVG figure by Chromium at its own
size, the deck by LibreOffice; the words and their boxes are then read from the PDFs' text layer
(:mod:`reader_output`). The checks fail on: a placeholder or code token in reader text (the analysts' audit
page exempt); a Python missing value ("None.", "nan", "<NA>", "NaT") or an empty value joined into text
("()", " ,", two spaces) on any page, the audit included; two words overlapping; type under 9 pt on patient
pages or under 8 pt elsewhere; a near-blank first page; a briefing over 14 A4 pages or the decision aid over
6; a legend key whose colour no mark uses; a class page with data but no figure; a slide picture reaching
into the slide title. Each finding names the page or slide, the words and where they sit.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import reader_output as ro
from helpers import ROOT

#: Reports whose readers are patients and families: type at least 9 pt; elsewhere at least 8 pt.
PATIENT_PAGES = re.compile(r"^(decision_aid|patient_)")
PATIENT_MIN_PT, OTHER_MIN_PT = 9.0, 8.0
#: The analysts' audit page shows ids and curation notes on purpose.
EXEMPT_FROM_TOKENS = {"evidence_audit"}
#: A4 page budgets: briefings and the decision aid.
PAGE_BUDGETS = {re.compile(r"^briefing_"): 14, re.compile(r"^decision_aid$"): 6}
#: Columns holding ids that are words readers may see (a trial registry number is such a word).
READER_ID_COLUMNS = {"nct_id"}
DEFINITIONS = ROOT / "notebooks" / "reports.toml"


def _require_tools() -> None:
    """Skip when Chromium, LibreOffice or poppler is missing locally; fail in CI, which installs them."""
    missing = ro.require_tools("chromium", "soffice", "pdftotext")
    if not missing:
        return
    reason = (f"the reader-output check needs {', '.join(missing)}: apt-get install chromium "
              "libreoffice-impress poppler-utils")
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


_require_tools()

#: builds reports, prints every page with Chromium and the deck with LibreOffice
pytestmark = pytest.mark.slow


@dataclass
class Printed:
    """Every page, figure and slide as printed, and what the checks need beside them."""

    pages: dict[str, list[ro.Page]] = field(default_factory=dict)  # report name -> A4 pages
    figures: dict[str, list[ro.Page]] = field(default_factory=dict)  # figure name -> its one page
    slides: list[ro.Page] = field(default_factory=list)
    svgs: dict[str, str] = field(default_factory=dict)  # "figure NAME" or "REPORT figure N" -> SVG text
    deck: Path | None = None
    report_dir: Path | None = None


def _run_together(*commands: list[str]) -> None:
    """Run the project's commands side by side; each must succeed."""
    running = [(args, subprocess.Popen([sys.executable, "-m", "lymphoma_evidence", *args], cwd=ROOT,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
               for args in commands]
    for args, process in running:
        _, stderr = process.communicate()
        assert process.returncode == 0, f"lymphoma-evidence {' '.join(args)} failed:\n{stderr}"


@pytest.fixture(scope="session")
def printed(report_dir: Path, browser, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """The built reports, the figure set and the deck, each printed once: the deck by LibreOffice while
    the session's Chromium prints the pages and figures."""
    work = tmp_path_factory.mktemp("reader_output")
    figures, pdfs, deck = work / "figures", work / "pdf", work / "deck.pptx"
    pdfs.mkdir()
    _run_together(["figures", "--out", str(figures), "--format", "svg"], ["slides", "--out", str(deck)])
    jobs = {f"page:{page.stem}": page for page in sorted(report_dir.glob("*.html"))}
    jobs |= {f"figure:{svg.stem}": ro.figure_page(svg, work / f"figure_{svg.stem}.html")
             for svg in sorted(figures.glob("*.svg"))}
    with ThreadPoolExecutor(max_workers=1) as pool:
        deck_pdf = pool.submit(ro.libreoffice_pdf, deck, pdfs)
        read = {key: ro.read_pages(ro.browser_pdf(browser, source, pdfs / f"{key.replace(':', '_')}.pdf"))
                for key, source in jobs.items()}
        slides = ro.read_pages(deck_pdf.result())
    result = Printed(slides=slides, deck=deck, report_dir=report_dir)
    for key, pages in read.items():
        kind, name = key.split(":", 1)
        (result.pages if kind == "page" else result.figures)[name] = pages
    result.svgs = {f"figure {svg.stem}": svg.read_text(encoding="utf-8")
                   for svg in sorted(figures.glob("*.svg"))}
    for page in sorted(report_dir.glob("*.html")):
        for number, svg in enumerate(embedded_svgs(page.read_text(encoding="utf-8")), start=1):
            result.svgs[f"{page.stem} figure {number}"] = svg
    return result


def embedded_svgs(html: str) -> list[str]:
    """The SVG figures a page embeds as ``data:image/svg+xml;base64`` images (matplotlib's only: the
    stylesheet's own icons are not figures)."""
    import base64

    found = []
    for data in re.findall(r'<img[^>]+src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html):
        svg = base64.b64decode(data).decode("utf-8")
        if "matplotlib" in svg[:2000].lower() or 'id="figure_1"' in svg:
            found.append(svg)
    return found


@pytest.fixture(scope="session")
def evidence_ids(evidence) -> frozenset[str]:
    """Ids of the evidence (every ``*_id`` column) that are code, not words: they hold an underscore or a
    digit (a bare word id such as a drug name is also reader text)."""
    ids = set()
    for table in vars(evidence).values():
        if not hasattr(table, "columns"):
            continue
        for column in table.columns:
            if column.endswith("_id") and column not in READER_ID_COLUMNS:
                ids |= {str(v) for v in table[column].dropna().unique()}
    return frozenset(i for i in ids if re.search(r"[_0-9]", i) and not re.fullmatch(r"NCT\d{8}", i))


def everything(printed: Printed) -> dict[str, list[ro.Page]]:
    """Every printed document by name: pages, figures (``figure NAME``) and the deck (``deck``)."""
    return {**printed.pages, **{f"figure {n}": p for n, p in printed.figures.items()}, "deck": printed.slides}


def report(found: dict[str, list[str]], what: str) -> str:
    lines = [f"{name}: {finding}".replace("page ", "slide ") if name == "deck" else f"{name}: {finding}"
             for name, findings in found.items() for finding in findings]
    return f"{len(lines)} {what}:\n" + "\n".join(lines[:200]) + ("\n…" if len(lines) > 200 else "")


def test_the_running_browser_prints_what_print_to_pdf_prints(browser, report_dir: Path, tmp_path: Path):
    """The check prints with the session's browser; Chromium's own ``--print-to-pdf`` gives the same words
    in the same boxes (a figure page at its own size, and a report on A4)."""
    figure = tmp_path / "figure.svg"
    figure.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="288pt" height="216pt">'
                      '<text x="20" y="40" font-size="12">Severe infection</text></svg>', encoding="utf-8")
    sources = {"index": report_dir / "index.html", "figure": ro.figure_page(figure, tmp_path / "figure.html")}
    for name, source in sources.items():
        expected = ro.read_pages(ro.chromium_pdf(source, tmp_path / f"{name}.cli.pdf"))
        printed = ro.read_pages(ro.browser_pdf(browser, source, tmp_path / f"{name}.pdf"))
        assert expected and printed == expected, name


def test_everything_was_printed(printed: Printed):
    assert printed.pages and printed.figures and printed.slides
    assert {"index", "briefing_clinician", "decision_aid"} <= set(printed.pages)
    assert all(pages and any(p.words for p in pages) for pages in everything(printed).values())


def test_the_deck_prints_in_libreoffice_one_page_per_slide(printed: Printed):
    from pptx import Presentation

    assert printed.deck is not None
    assert len(printed.slides) == len(Presentation(str(printed.deck)).slides)


def test_no_placeholder_or_code_token_reaches_a_reader(printed: Printed, evidence_ids: frozenset[str]):
    found = {name: ro.placeholders(pages, evidence_ids) for name, pages in everything(printed).items()
             if name not in EXEMPT_FROM_TOKENS}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "placeholders or code tokens in reader text")


def test_no_python_missing_value_is_printed_on_any_page(printed: Printed):
    """No "None." or "'None counted'", "nan", "<NA>", "NaT" or empty brackets on any printed page, figure or
    slide, the analysts' audit included ("None of 10 people" is English and passes)."""
    found = {name: ro.python_leaks(pages) for name, pages in everything(printed).items()}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "missing values printed as words")


def test_no_empty_value_is_joined_into_the_text_of_any_page(printed: Printed):
    """The visible text of every built page, read from its HTML: no missing value, no comma or full stop
    after a space, no empty brackets, no two spaces in a row (what print cannot show)."""
    assert printed.report_dir is not None
    found = {page.stem: ro.html_leaks(page.read_text(encoding="utf-8"))
             for page in sorted(printed.report_dir.glob("*.html"))}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "empty values in page text")


def test_readers_see_plain_words_not_file_names_or_zero_counts(printed: Printed):
    """No evidence file name ("known_gaps.csv") and no "0 in 10" on a reader's page, slide or figure (the
    analysts' audit page may name files)."""
    found = {name: ro.wording_problems(pages) for name, pages in everything(printed).items()
             if name not in EXEMPT_FROM_TOKENS}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "file names or zero counts in reader text")


def test_no_two_words_overlap(printed: Printed):
    found = {name: ro.overlapping_words(pages) for name, pages in everything(printed).items()}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "overlapping words")


def test_printed_type_is_large_enough(printed: Printed):
    found = {name: ro.small_type(pages, PATIENT_MIN_PT if PATIENT_PAGES.match(name) else OTHER_MIN_PT)
             for name, pages in everything(printed).items()}
    found = {name: f for name, f in found.items() if f}
    assert not found, report(found, "lines printed too small")


def test_first_printed_page_is_not_near_blank(printed: Printed):
    found = {name: [ro.near_blank_first_page(pages)] for name, pages in printed.pages.items()
             if ro.near_blank_first_page(pages)}
    assert not found, report(found, "near-blank first pages")


def test_briefings_and_the_aid_keep_to_their_a4_page_budget(printed: Printed):
    found = {name: [f"{len(pages)} A4 pages, more than {budget}"] for name, pages in printed.pages.items()
             for pattern, budget in PAGE_BUDGETS.items() if pattern.match(name) and len(pages) > budget}
    assert not found, report(found, "documents over their page budget")


def test_every_legend_key_colours_a_mark(printed: Printed):
    found = {name: ro.legend_colours_without_marks(svg) for name, svg in printed.svgs.items()}
    found = {name: f for name, f in found.items() if f}
    assert printed.svgs
    assert not found, report(found, "legend keys that match no mark")


@functools.cache
def class_pages() -> dict[str, str]:
    """Report name -> class id, for every class profile defined in reports.toml."""
    from lymphoma_evidence.publish.definitions import load_definitions

    return {spec.name: str(spec.parameters["class_id"]) for spec in load_definitions(DEFINITIONS)
            if spec.notebook.stem == "class_profile"}


def classes_with_data(evidence) -> set[str]:
    """Classes with a response count or an outcome in the evidence (for the class or one of its agents)."""
    agent_class = dict(zip(evidence.agents["agent_id"], evidence.agents["class_id"], strict=True))
    with_results = set(evidence.results["class_id"].dropna())
    with_outcomes = {agent_class.get(s, s) for s in evidence.outcomes["scope_id"].dropna()}
    return with_results | with_outcomes


def test_every_class_page_with_data_has_a_figure(printed: Printed, evidence):
    assert printed.report_dir is not None
    wanted = classes_with_data(evidence)
    found = {name: ["the evidence holds figures for this class, but the page shows no figure"]
             for name, class_id in class_pages().items()
             if class_id in wanted and not embedded_svgs((printed.report_dir / f"{name}.html").read_text(
                 encoding="utf-8"))}
    assert class_pages() and not found, report(found, "class pages without a figure")


def test_every_option_class_has_a_printed_page(printed: Printed, evidence):
    """Every option class, with figures or without, has its own page, and every check above read it."""
    classes = evidence.classes
    options = set(classes.loc[classes["role"].astype("string").fillna("option") == "option", "class_id"])
    pages = class_pages()
    assert options and options <= set(pages.values()), sorted(options - set(pages.values()))
    unprinted = sorted(name for name in pages if name not in printed.pages)
    assert not unprinted, f"class pages defined but not printed: {unprinted}"


def test_no_slide_picture_or_chart_reaches_into_the_title(printed: Printed):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    assert printed.deck is not None
    found = []
    for number, slide in enumerate(Presentation(str(printed.deck)).slides, start=1):
        title = slide.shapes.title
        if title is None:
            continue
        bottom = title.top + title.height
        for shape in slide.shapes:
            if shape.shape_type in (MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.CHART) or shape.has_chart:
                if shape.top < bottom and shape.left < title.left + title.width:
                    found.append(f"slide {number}: {shape.name} starts {(bottom - shape.top) / 12700:.0f} pt "
                                 f"inside the title box ({title.text_frame.text[:60]!r})")
    assert not found, "\n".join(found)
