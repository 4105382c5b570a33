"""The patient pages in a real browser: the decision aid and the patient profiles on a phone, at 200% text,
printed to A4 by Chromium, and checked with axe-core.

Headless Chromium from Debian's packages, driven by Playwright, as in :mod:`test_browser`; the pages are
built once into a temporary folder with the project's own ``build`` command. Screenshots of the aid at
1280 px and 390 px go to ``reports/screenshots/``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from helpers import AXE, CHROMIUM, ROOT, require_tool

from lymphoma_evidence.reports.html import typed_address

SCREENSHOTS = ROOT / "reports" / "screenshots"
PATIENT_PAGES = ("decision_aid", "patient_fit_with_donor", "patient_unfit", "patient_unknown_fitness")
MAX_PAGES = 6
PHONE, DESKTOP = 390, 1280


def _require(present: bool, reason: str) -> None:
    """Skip the module when a browser-test tool is missing; `make test` and CI fail instead (conftest)."""
    require_tool(present, reason, module=True)


_require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}: run `make tools`")
_require(AXE.is_file(), f"axe-core is missing at {AXE.relative_to(ROOT)}: run `make tools` (npm ci)")
_require(importlib.util.find_spec("playwright") is not None, "Playwright for Python is not installed")
pytestmark = pytest.mark.slow

#: Page-level horizontal overflow, and every table cell that is not fully inside the viewport.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const cells = Array.from(document.querySelectorAll('td, th')).filter(c => c.offsetParent !== null)
    .map(c => [c.getBoundingClientRect(), c.innerText.slice(0, 40)])
    .filter(([r, _]) => r.width > 0 && (r.left < -1 || r.right > width + 1))
    .map(([r, t]) => `${t} (${Math.round(r.left)}-${Math.round(r.right)} px)`);
  return {scroll: document.documentElement.scrollWidth, width: width, cells: cells};
}"""
#: Elements whose own content is cut off (overflow hidden or clipped with content wider or taller).
CLIPPED = """() => Array.from(document.querySelectorAll('main *')).filter(e => {
  const s = getComputedStyle(e);
  const hides = ['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY);
  return hides && e.innerText && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    && !e.closest('thead');
}).map(e => e.tagName + '.' + e.className + ': ' + e.innerText.slice(0, 40))"""
MAY_BREAK = """() => Array.from(document.querySelectorAll('img, table.aid-grid td p, tr.aid-caveat-row'))
  .filter(e => !['avoid', 'avoid-page'].includes(getComputedStyle(e).breakInside)).length"""
#: Text smaller than 9 pt (12 CSS px) in print: elements with their own visible text.
SMALL_TEXT = """() => Array.from(document.querySelectorAll('main *')).filter(e => {
  const own = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  const s = getComputedStyle(e);
  return own && s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.fontSize) < 11.99
    && !e.closest('a[href^="http"]');
}).map(e => `${e.tagName}.${e.className} ${getComputedStyle(e).fontSize}: ${e.textContent.slice(0, 30)}`)"""
#: Link addresses printed after each source link (CSS ::after content in print).
PRINTED_ADDRESSES = """() => Array.from(document.querySelectorAll('ol.aid-sources a[href^="http"]'))
  .map(a => [a.href, getComputedStyle(a, '::after').content, getComputedStyle(a, '::after').fontSize])"""
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `[${v.impact}] ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' '))}`)"""


def pages_in(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


@pytest.fixture(scope="module")
def built(built_reports: Path) -> Path:
    """The reports built once per test run (conftest), the patient pages among them."""
    return built_reports


def open_page(browser, path: Path, width: int, name: str = ""):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    return context, page


def test_the_aid_prints_on_at_most_six_a4_pages(browser, built: Path):
    context, page = open_page(browser, built / "decision_aid.html", DESKTOP)
    page.emulate_media(media="print")
    count = pages_in(page.pdf(format="A4", print_background=True))
    context.close()
    assert 1 < count <= MAX_PAGES, f"the aid prints on {count} A4 pages (at most {MAX_PAGES})"


def test_page_one_fits_one_a4_page_on_its_own(browser, built: Path):
    context, page = open_page(browser, built / "decision_aid.html", DESKTOP)
    page.emulate_media(media="print")
    kept = page.evaluate("""() => {
      const cells = Array.from(document.querySelectorAll('.jp-Cell'));
      const first = cells.findIndex(c => c.querySelector('#page-one'));
      cells.forEach((c, i) => { if (i > first) c.remove(); });
      document.querySelectorAll('footer').forEach(f => f.remove());
      return first >= 0;
    }""")
    count = pages_in(page.pdf(format="A4", print_background=True))
    context.close()
    assert kept and count == 1, f"page one alone prints on {count} A4 pages"


def test_printed_text_is_at_least_9_pt_and_sources_print_their_addresses(browser, built: Path):
    context, page = open_page(browser, built / "decision_aid.html", DESKTOP)
    page.emulate_media(media="print")
    small, addresses = page.evaluate(SMALL_TEXT), page.evaluate(PRINTED_ADDRESSES)
    first_page = page.evaluate("""() => { const f = document.querySelector('footer.le-report-footer');
      const r = f.getBoundingClientRect(); return [r.top + window.scrollY, f.innerText]; }""")
    gap = page.evaluate("""() => document.querySelector('header .le-kicker').getBoundingClientRect().top
      - document.querySelector('footer.le-report-footer').getBoundingClientRect().bottom""")
    context.close()
    assert not small, small[:10]
    # each address prints as a reader types it: pubmed.ncbi.nlm.nih.gov/123, not https://...123/
    assert addresses and all(after == f'"{typed_address(href)}"' and not after.startswith('"http')
                             and float(size[:-2]) >= 11.99 for href, after, size in addresses), addresses[:3]
    top, footer = first_page
    assert top < 200 and "not medical advice" in footer and "Made on" in footer, first_page
    assert gap >= 0, f"the date and disclaimer overlap the title by {-gap:.0f} px"


def test_printing_cuts_no_paragraph_number_or_picture(browser, built: Path):
    context, page = open_page(browser, built / "decision_aid.html", DESKTOP)
    page.emulate_media(media="print")
    may_break, clipped = page.evaluate(MAY_BREAK), page.evaluate(CLIPPED)
    context.close()
    assert may_break == 0 and not clipped, (may_break, clipped)


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_on_a_phone_nothing_scrolls_sideways_or_sits_off_screen(browser, built: Path, name: str):
    shot = f"{name}_{PHONE}" if name == "decision_aid" else ""
    context, page = open_page(browser, built / f"{name}.html", PHONE, shot)
    found = page.evaluate(OFF_SCREEN)
    context.close()
    assert found["scroll"] <= found["width"], f"{name}: the page is {found['scroll']} px wide at {PHONE} px"
    assert not found["cells"], f"{name}: cells off-screen: {found['cells'][:5]}"


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_text_at_200_percent_loses_nothing(browser, built: Path, width: int):
    context, page = open_page(browser, built / "decision_aid.html", width)
    page.evaluate("() => { document.documentElement.style.zoom = '200%'; }")
    found, clipped = page.evaluate(OFF_SCREEN), page.evaluate(CLIPPED)
    context.close()
    assert found["scroll"] <= found["width"] and not found["cells"], found
    assert not clipped, clipped


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_axe_finds_no_serious_or_critical_problem_in_the_aid(browser, built: Path, width: int):
    name = f"decision_aid_{width}" if width == DESKTOP else ""
    context, page = open_page(browser, built / "decision_aid.html", width, name)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN)
    context.close()
    assert not found, "\n".join(found)
