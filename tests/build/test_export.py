"""The report exporter: the project template, provenance and exactly one disclaimer per page."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup

from lymphoma_evidence.build.export import DISCLAIMER_TAG, Provenance, ReportExporter
from lymphoma_evidence.vocabulary import DISCLAIMER

PROVENANCE = Provenance("2026-01-02 03:04 UTC", "1.2.3", "ab" * 32, "0.1.0")


def _html_cell(html: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("section()", metadata={"tags": tags or []})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "x"})]
    return cell


def _page(cells: list[nbformat.NotebookNode]) -> BeautifulSoup:
    notebook = nbformat.v4.new_notebook(cells=cells)
    return BeautifulSoup(ReportExporter().export(notebook, "A title", PROVENANCE), "html.parser")


def test_the_disclaimer_appears_once_even_when_the_notebook_shows_it_too() -> None:
    page = _page([_html_cell("<p>Findings</p>"),
                  _html_cell(f'<section class="disclaimer"><p>{DISCLAIMER}</p></section>', [DISCLAIMER_TAG])])
    text = page.get_text(" ", strip=True)
    assert text.count(DISCLAIMER) == 1
    assert "Findings" in text
    assert page.select_one("header .le-disclaimer").get_text(strip=True) == DISCLAIMER


def test_a_notebook_without_a_disclaimer_cell_still_carries_it_once() -> None:
    assert _page([_html_cell("<p>Findings</p>")]).get_text(" ", strip=True).count(DISCLAIMER) == 1


def test_untagged_cells_are_all_kept() -> None:
    page = _page([_html_cell("<p>first</p>"), _html_cell("<p>second</p>", ["other-tag"])])
    assert [p.get_text() for p in page.select(".jp-OutputArea p")] == ["first", "second"]
