"""What a reader gets, read back from print: PDFs made the way a reader makes them, and the words in them.

Pages and SVG figures are printed by Chromium (``--print-to-pdf``, or the same printing by a browser
already running: :func:`browser_pdf`), the deck by LibreOffice (headless ``--convert-to pdf``);
``pdftotext -bbox-layout`` (poppler) then gives every word with its box in points.
The checks here take those words (and, for legends, the SVG itself) and return findings a test can list:
each names the page or slide, the words and where they sit.

Type size: poppler's word box is the font's ascent plus descent, times the font size. For DejaVu Sans (the
fonts Chromium and matplotlib use here) that is 1.164 em, so a word's size in points is its box height
divided by :data:`BOX_EM`. Fonts with a taller box (most others) read slightly larger, never smaller.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Height of poppler's word box in em for DejaVu Sans (ascent 0.928 + descent 0.236).
BOX_EM = 1.164
#: Two boxes overlap when they share more than this share of the smaller box's height (boxes include the
#: font's ascent and descent, so lines set as tight as 0.95 em touch without any ink meeting; wrapped lines
#: printed over each other, as the eligibility chart's reasons once were, share 30%) ...
OVERLAP_HEIGHT = 0.25
#: ... and more than this many points of width.
OVERLAP_WIDTH_PT = 1.0
MM_PER_PT = 25.4 / 72
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-pdf-header-footer")
PDF_TIMEOUT_S = 120


# -- words and pages ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    """One word of a printed page, its box in points from the top left of the page."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    line: int = 0  # index of its line on the page

    @property
    def size_pt(self) -> float:
        """Font size in points, from the box height (see :data:`BOX_EM`)."""
        return (self.y1 - self.y0) / BOX_EM

    @property
    def where(self) -> str:
        """``"'word' at 12 mm from the left, 40 mm from the top"``."""
        return (f"{self.text!r} at {self.x0 * MM_PER_PT:.0f} mm from the left, {self.y0 * MM_PER_PT:.0f} mm "
                "from the top")


@dataclass(frozen=True)
class Page:
    """One printed page (or slide): its number from 1, size in points, words in reading order."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...] = field(default=(), repr=False)

    def lines(self) -> list[list[Word]]:
        """The page's words grouped by line, in order."""
        grouped: dict[int, list[Word]] = {}
        for word in self.words:
            grouped.setdefault(word.line, []).append(word)
        return list(grouped.values())


def require_tools(*names: str) -> list[str]:
    """The command-line tools among ``names`` that are not on PATH (or, for chromium, not installed)."""
    missing = []
    for name in names:
        found = CHROMIUM.is_file() if name == "chromium" else shutil.which(name)
        if not found:
            missing.append(name)
    return missing


def read_pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its words and their boxes (``pdftotext -bbox-layout``)."""
    done = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=False, timeout=PDF_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"pdftotext could not read {pdf}: {done.stderr.strip()}")
    return parse_bbox_layout(done.stdout)


def parse_bbox_layout(xhtml: str) -> list[Page]:
    """Pages and words from the XHTML ``pdftotext -bbox-layout`` writes."""
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml, count=1))
    pages = []
    for number, page in enumerate(_named(root, "page"), start=1):
        words, line_index = [], 0
        for line in _named(page, "line"):
            for word in _named(line, "word"):
                words.append(Word(unicodedata.normalize("NFKC", word.text or ""),
                                  *(float(word.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")),
                                  line=line_index))
            line_index += 1
        pages.append(Page(number, float(page.attrib["width"]), float(page.attrib["height"]), tuple(words)))
    return pages


def _named(element: ET.Element, name: str) -> list[ET.Element]:
    """Descendants of ``element`` named ``name`` in any namespace."""
    return [e for e in element.iter() if e.tag.rsplit("}", 1)[-1] == name]


# -- making the PDFs ------------------------------------------------------------------------------------

def chromium_pdf(source: Path, pdf: Path) -> Path:
    """Print ``source`` (an HTML page, or a figure page from :func:`figure_page`) to ``pdf`` with
    Chromium's ``--print-to-pdf``: the paper size is the page's CSS ``@page`` size, without browser
    headers or footers."""
    with tempfile.TemporaryDirectory(prefix="reader-chromium-") as profile:
        command = [str(CHROMIUM), *CHROMIUM_ARGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                   source.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=PDF_TIMEOUT_S)
    if done.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"Chromium could not print {source}: {done.stderr.strip()[-2000:]}")
    return pdf


def browser_pdf(browser, source: Path, pdf: Path) -> Path:
    """Print ``source`` (an HTML page, or a figure page from :func:`figure_page`) to ``pdf`` with a running
    Chromium (a Playwright browser of the same binary as :func:`chromium_pdf`) as its ``--print-to-pdf``
    does: the paper size is the page's CSS ``@page`` size, without browser headers or footers or background
    graphics (a reader's default print). The words and their boxes are :func:`chromium_pdf`'s; a page costs
    half the time, since no browser starts for it."""
    page = browser.new_page()
    try:
        page.goto(source.resolve().as_uri(), wait_until="load", timeout=PDF_TIMEOUT_S * 1000)
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=False,
                 display_header_footer=False)
    finally:
        page.close()
    return pdf


def figure_page(svg: Path, page: Path) -> Path:
    """An HTML page that prints ``svg`` alone, at its own size (a figure's points stay points)."""
    head = svg.read_text(encoding="utf-8")[:2000]
    size = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"\s+height="([0-9.]+)pt"', head)
    if not size:
        raise ValueError(f"{svg} has no width and height in pt on its <svg> element")
    width, height = size.groups()
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><style>@page {{ size: {width}pt {height}pt; "
        f"margin: 0 }} html, body {{ margin: 0 }} img {{ display: block; width: {width}pt; "
        f"height: {height}pt }}"
        f"</style></head><body><img src='{svg.resolve().as_uri()}' alt=''></body></html>", encoding="utf-8")
    return page


def libreoffice_pdf(deck: Path, out_dir: Path) -> Path:
    """The deck rendered to PDF by LibreOffice Impress, headless, with a throw-away user profile."""
    with tempfile.TemporaryDirectory(prefix="reader-soffice-") as profile:
        command = ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(out_dir), str(deck)]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=PDF_TIMEOUT_S)
    pdf = out_dir / f"{deck.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"LibreOffice could not render {deck}: {done.stdout.strip()} "
                           f"{done.stderr.strip()}")
    return pdf


# -- the checks -----------------------------------------------------------------------------------------

#: Curation placeholders and empty values that must never reach a reader (whole phrases, any case).
PLACEHOLDER_PHRASES = ("not verified", "to complete", "<NA>")
#: Code tokens: snake_case words, and machine names turned into words ("post car t" for post_car_t).
SNAKE_CASE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$")
EMPTY_VALUES = {"nan", "NaN", "NA", "null", "undefined"}
DESNAKED = re.compile(r"\bcar t\b")
_URL = re.compile(r"://|www\.|[/?=&%#]|\.[a-z]{2,4}\b.*\.|^[\w-]+(\.[\w-]+)+$")
_EDGE = "()[]{}.,;:!?'\"“”‘’«»"


def _bare(text: str) -> str:
    return text.strip(_EDGE)


def is_url_part(text: str) -> bool:
    """Whether a printed word is (part of) a web address or file name, where underscores belong."""
    return bool(_URL.search(_bare(text)))


def placeholders(pages: Sequence[Page], ids: Iterable[str] = ()) -> list[str]:
    """Placeholders and code tokens in reader text: curation placeholders, empty values (``nan``,
    ``<NA>``, ``None`` not followed by a word), snake_case tokens, evidence ids (``ids``), and machine
    names turned into words ("post car t"). Web addresses are left alone."""
    id_set = {i for i in ids if i}
    found = []
    for page in pages:
        for line in page.lines():
            text = " ".join(w.text for w in line)
            lowered = text.lower()
            for phrase in PLACEHOLDER_PHRASES:
                if phrase.lower() in lowered:
                    found.append(f"page {page.number}: placeholder {phrase!r} in {_quote(text, phrase)} "
                                 f"({line[0].where})")
            if DESNAKED.search(text):
                found.append(f"page {page.number}: code token 'car t' in {_quote(text, 'car t')} "
                             f"({line[0].where})")
            for index, word in enumerate(line):
                problem = _token_problem(word, line[index + 1:index + 2], id_set)
                if problem:
                    found.append(f"page {page.number}: {problem} {word.where} in {_quote(text, word.text)}")
    return found


#: An evidence file named in reader text ("known_gaps.csv", "datapackage.json"): readers see plain words.
EVIDENCE_FILE = re.compile(r"\b[\w-]+\.csv\b|\bdatapackage\.json\b")
#: A count of zero said as a number of people ("0 in 10", "0 of 2"): readers see "none of 10".
ZERO_COUNT = re.compile(r"(?<![\w.,-])0 (?:in|of) (?:the )?\d+\b")


def wording_problems(pages: Sequence[Page]) -> list[str]:
    """Evidence file names (:data:`EVIDENCE_FILE`) and zero counts said as numbers (:data:`ZERO_COUNT`)
    in reader text, each named with its page, its words and where they sit."""
    found = []
    for page in pages:
        for line in page.lines():
            text = " ".join(w.text for w in line)
            for pattern, what in ((EVIDENCE_FILE, "evidence file name"), (ZERO_COUNT, "zero count")):
                for match in pattern.finditer(text):
                    found.append(f"page {page.number}: {what} {match.group(0)!r} in "
                                 f"{_quote(text, match.group(0))} ({line[0].where})")
    return found


#: A missing value as Python, pandas or JavaScript prints it, alone as a word (a trailing "%" too: "nan%").
PYTHON_EMPTY = re.compile(r"^(?:None|nan|NaN|NaT|<NA>|NA|null|undefined)%?$")
#: Brackets with nothing inside: an empty value put in brackets.
EMPTY_BRACKETS = re.compile(r"[(\[{]\s*[)\]}]")
_QUOTES = "'\"“”‘’«»"


def python_leaks(pages: Sequence[Page]) -> list[str]:
    """Missing values that reached a printed page as words ("None.", "'None counted'", "nan", "<NA>",
    "NaT") and empty brackets ("()", "[]"), each named with its page and where it sits. Every document is
    read, the analysts' audit too.

    "None" is English when a lower-case word follows it, unquoted and without punctuation between ("None
    of 10 people"); anywhere else (at the end of a sentence, quoted, before a capitalised word) it is a
    Python ``None``. The next word is read across line breaks.
    """
    found = []
    for page in pages:
        words = list(page.words)
        for index, word in enumerate(words):
            if is_url_part(word.text.rstrip("%")):  # a rate is not an address
                continue
            following = words[index + 1] if index + 1 < len(words) else None
            if _missing_value(word.text, following.text if following else None):
                found.append(f"page {page.number}: missing value {_bare(word.text)!r} {word.where} in "
                             f"{_line_text(page, word, 70)}")
        for line in page.lines():
            text = " ".join(w.text for w in line)
            for match in EMPTY_BRACKETS.finditer(text):
                found.append(f"page {page.number}: empty brackets {match.group(0)!r} in "
                             f"{_quote(text, match.group(0))} ({line[0].where})")
    return found


def _missing_value(word: str, following: str | None) -> bool:
    """Whether ``word`` is a missing value (:data:`PYTHON_EMPTY`), "None" read as English aside: unquoted,
    no punctuation after it, a lower-case word next."""
    if not PYTHON_EMPTY.match(_bare(word)):
        return False
    english = (word == "None" and following is not None and following[:1].islower()
               and following[:1] not in _QUOTES)
    return not english


#: Where an empty value was joined into page text: a comma, semicolon or full stop after a space ("a , b"),
#: empty brackets; and, inside one piece of text, two spaces in a row ("a  b", which a browser shows as one).
EMPTY_JOIN = re.compile(r"\s[,;](?=\s|$)|\s\.(?=\s|$)|[(\[{]\s*[)\]}]")
DOUBLE_SPACE = re.compile(r"\S {2,}\S")
#: Elements whose own text is page text (their nested blocks are read on their own).
TEXT_BLOCKS = ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "caption", "figcaption", "dt", "dd", "summary",
               "legend", "label", "blockquote")


def html_leaks(html: str) -> list[str]:
    """Missing values and empty values joined into the visible text of an HTML page (the text a browser
    shows, block by block; scripts, styles and preformatted text left out), with the text around each.
    Reads what :func:`python_leaks` cannot tell from a printed page: a space before a comma, two spaces."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "pre", "template"]):
        hidden.decompose()
    found = []
    for block in soup.find_all(TEXT_BLOCKS):
        if block.find(TEXT_BLOCKS):
            continue
        text = re.sub(r"\s+", " ", "".join(block.strings)).strip()
        words = text.split(" ")
        for word, following in zip(words, [*words[1:], None], strict=True):
            if not is_url_part(word.rstrip("%")) and _missing_value(word, following):
                found.append(f"<{block.name}>: missing value {_bare(word)!r} in {_quote(text, word)}")
        for match in EMPTY_JOIN.finditer(text):
            found.append(f"<{block.name}>: empty value joined into text ({match.group(0)!r}) in "
                         f"{_quote(text, match.group(0).strip())}")
        for piece in block.strings:
            for match in DOUBLE_SPACE.finditer(str(piece)):
                found.append(f"<{block.name}>: two spaces in a row ({match.group(0)!r}) in "
                             f"{_quote(text, match.group(0)[0])}")
    return found


def _token_problem(word: Word, following: Sequence[Word], ids: set[str]) -> str:
    bare = _bare(word.text)
    if not bare or is_url_part(word.text):
        return ""
    if bare in ids:
        return "evidence id"
    if SNAKE_CASE.match(bare):
        return "snake_case token"
    if bare in EMPTY_VALUES:
        return "empty value"
    if bare == "None" and not (following and following[0].text[:1].islower()):
        return "empty value"
    return ""


def _quote(text: str, around: str, width: int = 70) -> str:
    at = max(text.lower().find(around.lower()), 0)
    start = max(at - width // 2, 0)
    shown = ("…" if start else "") + text[start:start + width]
    return repr(shown + ("…" if start + width < len(text) else ""))


def overlapping_words(pages: Sequence[Page]) -> list[str]:
    """Pairs of words whose boxes overlap (see :data:`OVERLAP_HEIGHT`): text printed over text."""
    found = []
    for page in pages:
        words = sorted(page.words, key=lambda w: w.y0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                if _overlap(a, b):
                    found.append(f"page {page.number}: {a.where} overlaps {b.text!r} "
                                 f"({_line_text(page, a)} / {_line_text(page, b)})")
    return found


def _overlap(a: Word, b: Word) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > OVERLAP_WIDTH_PT and height > OVERLAP_HEIGHT * min(a.y1 - a.y0, b.y1 - b.y0)


def _line_text(page: Page, word: Word, width: int = 50) -> str:
    text = " ".join(w.text for w in page.words if w.line == word.line)
    return repr(text if len(text) <= width else text[:width] + "…")


def small_type(pages: Sequence[Page], minimum_pt: float) -> list[str]:
    """Lines with words printed under ``minimum_pt`` points (one finding per line, its smallest word)."""
    found = []
    for page in pages:
        for line in page.lines():
            small = [w for w in line if w.size_pt < minimum_pt - 0.05 and _bare(w.text)]
            if small:
                smallest = min(small, key=lambda w: w.size_pt)
                found.append(f"page {page.number}: {smallest.size_pt:.1f} pt < {minimum_pt:g} pt: "
                             f"{smallest.where} in {' '.join(w.text for w in line)[:70]!r}")
    return found


def near_blank_first_page(pages: Sequence[Page], share: float = 0.5) -> str:
    """A finding when the first of several pages ends with its text less than ``share`` of the way down
    (a heading and a sentence, then a page break); empty otherwise."""
    if len(pages) < 2:
        return ""
    first = pages[0]
    bottom = max((w.y1 for w in first.words), default=0.0)
    if bottom < share * first.height:
        last = max(first.words, key=lambda w: w.y1).text if first.words else "(no text)"
        return (f"page 1 of {len(pages)} is near-blank: its text ends {bottom / first.height:.0%} of the way "
                f"down ({len(first.words)} words, the last {last!r})")
    return ""


# -- legends in SVG -------------------------------------------------------------------------------------

_COLOUR = re.compile(r"(fill|stroke)\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")
_NOT_A_MARK = {"#ffffff", "#fff"}


def _colours(element: ET.Element) -> set[str]:
    """The fill and stroke colours of one SVG shape (a shape that names no fill is filled black)."""
    style = element.attrib.get("style", "")
    found = {m.group(2).lower() for m in _COLOUR.finditer(style)}
    for attribute in ("fill", "stroke"):
        value = element.attrib.get(attribute, "").lower()
        if value.startswith("#"):
            found.add(value)
    if "fill" not in element.attrib and not re.search(r"(^|;)\s*fill\s*:", style):
        found.add("#000000")
    return found - _NOT_A_MARK


def legend_colours_without_marks(svg: str) -> list[str]:
    """Legend keys (matplotlib ``legend_*`` groups) whose colour no mark in the chart uses. Marks are the
    shapes of the axes (bars, points, lines, bands), not their ticks, grid, text or legends."""
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    parents = {child: parent for parent in root.iter() for child in parent}

    def inside(element: ET.Element, prefix: str) -> bool:
        while element in parents:
            element = parents[element]
            if element.attrib.get("id", "").startswith(prefix):
                return True
        return False

    legend_keys: dict[str, str] = {}
    marks: set[str] = set()
    shapes = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("path", "use", "rect", "circle",
                                                                      "polygon", "polyline", "line")]
    for shape in shapes:
        if _in_defs(shape, parents):
            continue  # a marker's definition: the <use> that draws it carries the colours
        if inside(shape, "legend_"):
            if re.search(r"fill\s*:\s*#fff(fff)?\b", shape.attrib.get("style", "")):
                continue  # the legend's frame
            label = _legend_label(shape, parents)
            for colour in _colours(shape):
                legend_keys.setdefault(colour, label)
        elif inside(shape, "axes_") and not inside(shape, "matplotlib.axis"):
            marks |= _colours(shape)
    return [f"legend key {label!r} is {colour}, a colour no mark in the chart uses"
            for colour, label in legend_keys.items() if colour not in marks]


def _in_defs(element: ET.Element, parents: dict) -> bool:
    while element in parents:
        element = parents[element]
        if element.tag.endswith("defs"):
            return True
    return False


def _legend_label(shape: ET.Element, parents: dict) -> str:
    """The words of a legend key: the first text drawn after the key's group in its legend."""
    group = shape
    while group in parents and not parents[group].attrib.get("id", "").startswith("legend_"):
        group = parents[group]
    legend = parents.get(group)
    if legend is None:
        return "?"
    children = list(legend)
    for child in children[children.index(group) + 1:]:
        text = next((t for t in child.iter() if t.tag.endswith("text")), None)
        if text is not None:
            return "".join(text.itertext()).strip()
    return "?"
