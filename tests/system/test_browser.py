"""The HTML reports in a real browser: offline, accessible, readable, printable, and safe with hostile text.

Headless Chromium from Debian's packages (``/usr/bin/chromium``), driven by Playwright for Python; no
browser is downloaded. The reports are built once per session into a temporary folder; every page (each
report and the index) is then opened once, and everything the tests check is recorded on that visit.
axe-core comes from npm (``npm ci`` installs ``node_modules/axe-core``) and is injected into each page.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers import (
    AXE,
    CHROMIUM,
    EVIDENCE,
    ROOT,
    build_reports,
    cell,
    copy_evidence,
    find_line,
    require_tool,
    set_cell,
)

SCREENSHOTS = ROOT / "reports" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
#: axe rates landmark problems "moderate"; the reports are read with screen readers, so these block too.
LANDMARK_RULES = {"region", "landmark-one-main", "landmark-no-duplicate-main", "landmark-unique",
                  "landmark-banner-is-top-level", "landmark-contentinfo-is-top-level",
                  "landmark-main-is-top-level", "landmark-complementary-is-top-level"}
#: URL schemes a self-contained report may load from; anything else is a request leaving the file.
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "js_url": "javascript:alert(1)",
    "markdown": "[click me](javascript:alert(1)) <b onmouseover=alert(1)>bold</b>",
}


def _require(present: bool, reason: str) -> None:
    """Skip the module when a browser-test tool is missing; `make test` and CI fail instead (conftest)."""
    require_tool(present, reason, module=True)


_require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}: run `make tools` "
         "(apt-get install -y chromium) to run the browser tests")
_require(AXE.is_file(), f"axe-core is missing at {AXE.relative_to(ROOT)}: run `make tools` (npm ci)")
_require(importlib.util.find_spec("playwright") is not None,
         "Playwright for Python is not installed: run `make install`")

#: builds reports and drives Chromium
pytestmark = pytest.mark.slow

# -- building the reports ---------------------------------------------------------------------------


DEFINITIONS = ROOT / "notebooks" / "reports.toml"


@functools.cache
def report_names() -> dict[str, str]:
    """Every defined report's name, mapped to its notebook's stem (``briefing``, ``class_profile`` ...)."""
    from lymphoma_evidence.publish.definitions import load_definitions

    return {spec.name: spec.notebook.stem for spec in load_definitions(DEFINITIONS)}


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first report of each notebook, and the index, built from a copy of the evidence whose text
    fields carry markup and script (one report per notebook covers every section the reports use)."""
    evidence = tmp_path_factory.mktemp("hostile") / "evidence"
    copy_evidence(EVIDENCE, evidence)
    plant_hostile_text(evidence)
    first_of_each = {}
    for name, notebook in report_names().items():
        first_of_each.setdefault(notebook, name)
    return build_reports(tmp_path_factory.mktemp("hostile_reports"), evidence=evidence,
                         only=tuple(first_of_each.values()))


def plant_hostile_text(evidence: Path) -> None:
    """Put the :data:`HOSTILE` strings into text fields the briefing shows (plain words, citation, name)."""
    first = 2  # the first data line (the header is line 1)
    set_cell(evidence, "eligibility.csv", first, "plain_words", f"Eligible {HOSTILE['script']} adults")
    cited = cell(evidence, "eligibility.csv", first, "source_id")
    line = find_line(evidence, "sources.csv", source_id=cited)
    set_cell(evidence, "sources.csv", line, "citation",
             f"Hostile {HOSTILE['img']} citation, see {HOSTILE['js_url']}")
    set_cell(evidence, "therapy_classes.csv", first, "name", f"Class {HOSTILE['markdown']}")


# -- one visit per page -----------------------------------------------------------------------------


@dataclass
class Visit:
    """What one page did and showed when opened offline in Chromium."""

    name: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests_out: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    text: str = field(default="", repr=False)
    disclaimer_visible: bool = False
    version_visible: bool = False
    axe_violations: list[dict] = field(default_factory=list)
    print_rows_breakable: int = 0
    phone: dict = field(default_factory=dict)
    paper: dict = field(default_factory=dict)
    printed: bool = False


PAGE_FACTS = """() => ({
  images: Array.from(document.images).map(i => ({src: (i.getAttribute('src') || '').slice(0, 40),
      complete: i.complete, width: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim()})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => ({href: a.getAttribute('href')})),
  headings: Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1]),
  text: document.body.innerText,
})"""
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
ROWS_THAT_MAY_BREAK = """() => Array.from(document.querySelectorAll('tr'))
  .filter(tr => !['avoid', 'avoid-page'].includes(getComputedStyle(tr).breakInside)).length"""


def visit(browser, path: Path, version: str, axe_source: str = "", print_css: bool = False) -> Visit:
    """Open ``path`` offline and record what happens; with ``axe_source``, also audit it with axe-core and
    save a full-page screenshot (JPEG: a long page encodes in half the time of a PNG); with ``print_css``,
    also count the table rows printing could cut (printing every page to PDF is the reader-output
    check's). Every page is also laid out on A4 paper and on a 390 px phone (:func:`on_paper`,
    :func:`on_a_phone`)."""
    seen = Visit(path.stem)
    context = browser.new_context()
    context.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())  # logged below
    page = context.new_page()
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda err: seen.page_errors.append(str(err)))
    page.on("request", lambda r: seen.requests_out.append(r.url)
            if urlsplit(r.url).scheme not in LOCAL_SCHEMES else None)
    page.on("dialog", lambda d: (seen.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    facts = page.evaluate(PAGE_FACTS)
    seen.images, seen.links, seen.headings, seen.text = (facts["images"], facts["links"], facts["headings"],
                                                          facts["text"])
    seen.disclaimer_visible = page.get_by_text(re.compile("not medical advice", re.I)).first.is_visible()
    seen.version_visible = page.get_by_text(re.compile(rf"version {re.escape(version)}\b", re.I)) \
        .first.is_visible()
    if axe_source:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{path.stem}.jpg", full_page=True, type="jpeg", quality=85)
        page.add_script_tag(content=axe_source)
        seen.axe_violations = page.evaluate(AXE_RUN)
    if print_css:
        page.emulate_media(media="print")
        seen.print_rows_breakable = page.evaluate(ROWS_THAT_MAY_BREAK)
        seen.printed = True
    seen.paper = on_paper(page)
    context.close()
    seen.phone = on_a_phone(browser, path)
    return seen


#: A phone held upright (CSS pixels), and the printable width of A4 (210 mm less 12 mm margins, at 96 px/in).
PHONE = {"width": 390, "height": 844}
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)
#: Elements wider than the page (at 390 px: the page scrolls sideways; on paper: cut at the paper edge)
#: and elements whose content a scrolling or hidden overflow cuts off (on paper: clipped by a container).
LAYOUT_FACTS = """() => {
  const width = window.innerWidth;
  const describe = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
      ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '') + ' "'
      + (e.innerText || '').trim().slice(0, 40).replace(/\\s+/g, ' ') + '"';
  const all = Array.from(document.querySelectorAll('body *')).filter(e => e.getClientRects().length);
  const beyond = all.filter(e => e.getBoundingClientRect().right > width + 1
      && !e.closest('thead') && getComputedStyle(e).position !== 'fixed');
  const clipped = all.filter(e => ['hidden', 'auto', 'scroll', 'clip'].includes(getComputedStyle(e).overflowX)
      && e.scrollWidth > e.clientWidth + 1);
  const cells = Array.from(document.querySelectorAll('.table-wrap td'));
  return {page_width: document.documentElement.scrollWidth, width: width,
          beyond: beyond.slice(0, 5).map(describe), clipped: clipped.slice(0, 5).map(describe),
          cells: cells.length,
          stacked: cells.filter(c => ['block', 'none'].includes(getComputedStyle(c).display)).length,
          labelled: cells.filter(c => c.dataset.label).length};
}"""
ZOOM = """() => {
  const button = document.querySelector('button.le-zoom');
  if (!button) { return null; }
  const img = button.querySelector('img');
  const before = img.getBoundingClientRect().width;
  button.click();
  const open = {fixed: getComputedStyle(button).position === 'fixed',
                width: img.getBoundingClientRect().width, natural: img.naturalWidth,
                expanded: button.getAttribute('aria-expanded')};
  button.click();
  return {before: before, open: open, closed: getComputedStyle(button).position !== 'fixed'};
}"""


def on_a_phone(browser, path: Path) -> dict:
    """How the page lays out on a 390 px phone: page width, elements beyond it, tables, figure zoom."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    facts = page.evaluate(LAYOUT_FACTS)
    facts["zoom"] = page.evaluate(ZOOM)
    facts["images"] = page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output img').length")
    facts["zoomable"] = page.evaluate("() => document.querySelectorAll('button.le-zoom > img').length")
    context.close()
    return facts


def on_paper(page) -> dict:
    """How the page lays out when Chromium prints it on A4: at the printable width, with print CSS."""
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1123})
    page.emulate_media(media="print")
    facts = page.evaluate(LAYOUT_FACTS)
    page.emulate_media(media="screen")
    return facts


@pytest.fixture(scope="session")
def evidence_version() -> str:
    """The evidence version from ``evidence/datapackage.json``."""
    return json.loads((EVIDENCE / "datapackage.json").read_text(encoding="utf-8"))["version"]


@pytest.fixture(scope="session")
def visits(browser, report_dir: Path, evidence_version: str) -> dict[str, Visit]:
    """Every page of the build (reports and index), each visited once."""
    axe_source = AXE.read_text(encoding="utf-8")
    pages = sorted(report_dir.glob("*.html"))
    # screenshots of reports no longer defined would mislead
    for old in [*SCREENSHOTS.glob("*.png"), *SCREENSHOTS.glob("*.jpg")]:
        old.unlink()
    briefings = {name for name, notebook in report_names().items() if notebook == "briefing"}
    return {p.stem: visit(browser, p, evidence_version, axe_source, print_css=p.stem in briefings)
            for p in pages}


def problems(visits: dict[str, Visit], check) -> list[str]:
    """``"page: problem"`` for every problem ``check(visit)`` returns, over all pages."""
    return [f"{name}: {problem}" for name, seen in visits.items() for problem in check(seen)]


# -- the checks ---------------------------------------------------------------------------------------


def test_build_has_every_defined_report_and_the_index(visits: dict[str, Visit]):
    assert set(visits) == set(report_names()) | {"index"}


def test_pages_load_without_console_errors(visits: dict[str, Visit]):
    found = problems(visits, lambda v: v.console_errors + v.page_errors)
    assert not found, "\n".join(found)


def test_no_request_leaves_the_file(visits: dict[str, Visit]):
    found = problems(visits, lambda v: v.requests_out)
    assert not found, "pages requested network resources:\n" + "\n".join(found)


def test_every_image_loaded_and_has_alt_text(visits: dict[str, Visit]):
    def bad_images(seen: Visit) -> list[str]:
        return [f"image {i['src']}... {'not loaded' if not i['width'] else 'has no alt text'}"
                for i in seen.images if not (i["complete"] and i["width"] > 0 and i["alt"])]

    found = problems(visits, bad_images)
    assert not found, "\n".join(found)
    assert all(visits[name].images for name, notebook in report_names().items() if notebook == "briefing"), \
        "every briefing should show its figures"


def test_every_internal_link_resolves(visits: dict[str, Visit], report_dir: Path):
    found = problems(visits, lambda v: broken_links(v, report_dir))
    assert not found, "\n".join(found)


def broken_links(seen: Visit, folder: Path) -> list[str]:
    """Links to a missing file or a missing ``#id``; and any link with a scheme other than http(s)."""
    broken = []
    for link in seen.links:
        parts = urlsplit(link["href"])
        if parts.scheme in ("http", "https", "mailto"):
            continue
        if parts.scheme or parts.netloc:
            broken.append(f"link {link['href']!r} uses a scheme a report must not link")
            continue
        target = folder / unquote(parts.path) if parts.path else folder / f"{seen.name}.html"
        if not target.is_file():
            broken.append(f"link {link['href']!r}: no file {target.name}")
        elif parts.fragment and not _has_id(target, unquote(parts.fragment)):
            broken.append(f"link {link['href']!r}: no element with id {parts.fragment!r}")
    return broken


def _has_id(page: Path, element_id: str) -> bool:
    return element_id in _ids(page)


@functools.cache
def _ids(page: Path) -> frozenset[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return frozenset(tag["id"] for tag in soup.find_all(id=True))


def test_disclaimer_and_evidence_version_are_visible(visits: dict[str, Visit], evidence_version: str):
    def missing(seen: Visit) -> list[str]:
        return ([] if seen.disclaimer_visible else ["disclaimer ('not medical advice') not visible"]) + \
            ([] if seen.version_visible else [f"evidence version {evidence_version} not visible"])

    found = problems(visits, missing)
    assert not found, "\n".join(found)


def test_each_page_has_one_h1_and_ordered_headings(visits: dict[str, Visit]):
    def heading_problems(seen: Visit) -> list[str]:
        levels = seen.headings
        found = [] if levels.count(1) == 1 and levels[:1] == [1] else [f"h1 count/order wrong: {levels}"]
        found += [f"h{a} followed by h{b} (skips a level)" for a, b in zip(levels, levels[1:], strict=False)
                  if b > a + 1]
        return found

    found = problems(visits, heading_problems)
    assert not found, "\n".join(found)


def test_axe_finds_no_serious_critical_or_landmark_violation(visits: dict[str, Visit]):
    def blocking(seen: Visit) -> list[str]:
        return [f"[{v['impact']}] {v['id']}: {v['help']} at {v['nodes']}" for v in seen.axe_violations
                if v["impact"] in BLOCKING_IMPACTS or v["id"] in LANDMARK_RULES]

    found = problems(visits, blocking)
    assert not found, "axe-core accessibility violations:\n" + "\n".join(found)


def test_full_page_screenshot_saved_for_every_page(visits: dict[str, Visit]):
    for name in visits:
        shot = SCREENSHOTS / f"{name}.jpg"
        assert shot.read_bytes()[:3] == b"\xff\xd8\xff", f"no screenshot for {name}"


def test_briefings_print_without_table_rows_cut(visits: dict[str, Visit]):
    printed = {name: seen for name, seen in visits.items() if seen.printed}
    assert set(printed) == {name for name, notebook in report_names().items() if notebook == "briefing"}
    for name, seen in printed.items():
        assert seen.print_rows_breakable == 0, (f"{name}: {seen.print_rows_breakable} table rows may be cut "
                                                "across printed pages (print CSS needs break-inside: avoid)")


# -- hostile text -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hostile_visits(browser, hostile_dir: Path, evidence_version: str) -> dict[str, tuple[Visit, object]]:
    """Every hostile page, opened once: the visit and the parsed HTML."""
    from bs4 import BeautifulSoup

    return {page.stem: (visit(browser, page, evidence_version),
                        BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"))
            for page in sorted(hostile_dir.glob("*.html"))}


def test_hostile_text_opens_no_dialog_and_runs_no_script(hostile_visits):
    found = {name: seen.dialogs + seen.page_errors + seen.console_errors + seen.requests_out
             for name, (seen, _) in hostile_visits.items()}
    assert found and not any(found.values()), found


def test_hostile_text_adds_no_element_attribute_or_link(hostile_visits):
    for name, (_, soup) in hostile_visits.items():
        assert not soup.find("img", src="x"), name
        assert not [s for s in soup.find_all("script") if "alert(1)" in s.get_text()], name
        assert not soup.find(attrs={"onerror": True}) and not soup.find(attrs={"onmouseover": True}), name
        hrefs = [a["href"].strip().lower() for a in soup.find_all("a", href=True)]
        assert not [href for href in hrefs if href.startswith("javascript:")], name


def test_hostile_text_is_shown_literally_in_the_briefing(hostile_visits):
    briefing = next(name for name in hostile_visits if report_names().get(name) == "briefing")
    seen, _ = hostile_visits[briefing]
    for payload in HOSTILE.values():
        assert payload in seen.text, f"{payload!r} is not shown as text in {briefing}"


# -- phone and paper ----------------------------------------------------------------------------------


def test_no_page_scrolls_sideways_on_a_390px_phone(visits: dict[str, Visit]):
    def sideways(seen: Visit) -> list[str]:
        phone = seen.phone
        if phone["page_width"] <= phone["width"] and not phone["beyond"]:
            return []
        return [f"page is {phone['page_width']} px wide at {phone['width']} px; beyond the screen: "
                f"{phone['beyond']}"]

    found = problems(visits, sideways)
    assert not found, "\n".join(found)


def test_tables_become_stacked_labelled_rows_on_a_phone(visits: dict[str, Visit]):
    def not_stacked(seen: Visit) -> list[str]:
        phone = seen.phone
        if phone["stacked"] == phone["cells"] == phone["labelled"]:
            return []
        return [f"{phone['cells']} table cells: {phone['stacked']} stacked, {phone['labelled']} labelled"]

    assert sum(seen.phone["cells"] for seen in visits.values()) > 0, "the reports should have tables"
    found = problems(visits, not_stacked)
    assert not found, "\n".join(found)


def test_every_figure_opens_full_size_on_tap(visits: dict[str, Visit]):
    def not_zoomable(seen: Visit) -> list[str]:
        phone = seen.phone
        if not phone["images"]:
            return []
        found = [] if phone["zoomable"] == phone["images"] else [
            f"{phone['images'] - phone['zoomable']} of {phone['images']} figures cannot be opened full size"]
        zoom = phone["zoom"]
        opened = zoom["open"]
        if not (opened["fixed"] and opened["expanded"] == "true" and zoom["closed"]
                and opened["width"] >= min(opened["natural"], 2 * zoom["before"]) - 1):
            found.append(f"tapping the first figure does not open it full size: {zoom}")
        return found

    assert any(seen.phone["images"] for seen in visits.values()), "the reports should have figures"
    found = problems(visits, not_zoomable)
    assert not found, "\n".join(found)


def test_nothing_is_clipped_when_printed_on_a4(visits: dict[str, Visit]):
    def clipped(seen: Visit) -> list[str]:
        paper = seen.paper
        found = [f"wider than A4 ({paper['page_width']} px > {paper['width']} px): {paper['beyond']}"] \
            if paper["page_width"] > paper["width"] or paper["beyond"] else []
        found += [f"cut by its container: {element}" for element in paper["clipped"]]
        return found

    found = problems(visits, clipped)
    assert not found, "\n".join(found)
