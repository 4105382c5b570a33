"""The report exporter: the project template, provenance and exactly one disclaimer per page."""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup

from lymphoma_evidence.publish.export import DISCLAIMER_TAG, Provenance, ReportExporter
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


def _png_cell() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("plt.show()")
    data = {"image/png": "iVBORw0KGgo=", "text/plain": "x"}
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    return cell

def test_every_output_area_takes_keyboard_focus_as_with_nbconvert() -> None:
    page = _page([_html_cell("<p>first</p>"), _html_cell("<table><tr><td>wide</td></tr></table>")])
    outputs = page.select(".jp-Notebook div.jp-OutputArea-output")
    assert len(outputs) == 2
    assert all(div.get("tabindex") == "0" for div in outputs)


def test_html_an_output_shows_is_kept_as_written_not_re_serialised() -> None:
    written = '<p title="a &amp; b">x&nbsp;y <img alt="chart" src="data:image/png;base64,AA=="></p>'
    notebook = nbformat.v4.new_notebook(cells=[_html_cell(written)])
    assert written in ReportExporter().export(notebook, "A title", PROVENANCE)


def test_an_image_without_alternative_text_says_so_and_one_with_it_keeps_it() -> None:
    figure = '<img src="data:image/png;base64,AA==" alt="Forest plot of response rates">'
    page = _page([_png_cell(), _html_cell(figure)])
    assert [img.get("alt") for img in page.select(".jp-OutputArea-output img")] == [
        "No description has been provided for this image", "Forest plot of response rates"]


def test_a_page_is_validated_once_after_the_preprocessors_and_an_invalid_one_is_still_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from nbconvert.exporters import exporter as nbconvert_exporter

    notebook = nbformat.v4.new_notebook(cells=[_html_cell("<p>Findings</p>")])
    broken = nbformat.v4.new_notebook(cells=[_html_cell("<p>Findings</p>")])
    broken.cells[0].outputs[0]["output_type"] = "no_such_output"
    calls = []
    validate = nbconvert_exporter.nbformat.validate
    monkeypatch.setattr(nbconvert_exporter.nbformat, "validate",
                        lambda nb, *args, **kwargs: calls.append(1) or validate(nb, *args, **kwargs))
    exporter = ReportExporter()
    exporter.export(notebook, "A title", PROVENANCE)
    assert len(calls) == 1

    with pytest.raises(nbformat.ValidationError):
        exporter.export(broken, "A title", PROVENANCE)


def test_contents_lists_the_section_headings_on_the_page_in_order():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from lymphoma_evidence.publish.export import contents
    from lymphoma_evidence.reports import html as h

    def cell(*titles: str, tags: tuple[str, ...] = ()):
        html = "".join(str(h.heading(2, t)) + "<p>text</p>" for t in titles)
        return new_code_cell(metadata={"tags": list(tags)},
                             outputs=[new_output("execute_result", data={"text/html": html})])

    notebook = new_notebook(cells=[cell("Key takeaways", "Options & risks"), cell("References"),
                                   cell("Trials"), cell("About this briefing", tags=("disclaimer",))])
    assert contents(notebook) == [{"id": "s-key-takeaways", "title": "Key takeaways"},
                                  {"id": "s-options-risks", "title": "Options &amp; risks"},
                                  {"id": "s-references", "title": "References"},
                                  {"id": "s-trials", "title": "Trials"}]
    assert contents(new_notebook(cells=[cell("One", "Two")])) == []  # too few sections for contents
