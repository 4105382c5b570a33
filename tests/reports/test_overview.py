"""The clinician overview and the summary of findings after CAR-T failure, on the real evidence."""

from __future__ import annotations

import re

from lymphoma_evidence.analysis.sof import summary_of_findings
from lymphoma_evidence.reports import overview
from lymphoma_evidence.reports.briefing import Briefing


def test_the_overview_has_a_row_per_option_and_each_link_reaches_its_findings(evidence):
    report = Briefing(evidence, audience="clinician")
    table, findings = str(overview.overview(report)), str(overview.findings(report))
    options = overview._options(report)
    assert "context" not in set(options["status"])
    assert table.count("<tr>") == len(options) + 1  # the header row, then one row per option
    links = re.findall(r'href="#(sof-[a-z0-9_]+)"', table)
    anchors = re.findall(r'id="(sof-[a-z0-9_]+)"', findings)
    assert links and set(links) == set(anchors)


def test_overview_numbers_are_the_summary_of_findings_numbers(evidence):
    report = Briefing(evidence, audience="clinician")
    table = str(overview.overview(report))
    sof = summary_of_findings(evidence)
    direct = sof[(sof["stratum"] == "post_car_t") & (sof["measure"] == "ORR")]
    assert len(direct)
    for row in direct.to_dict("records"):
        assert row["estimate"] in table.replace("&#8211;", "–")
        assert f"n = {row['patients']}" in table


def test_patients_get_neither_and_educators_only_the_findings(evidence):
    assert str(overview.overview(Briefing(evidence, audience="patient"))) == ""
    assert str(overview.findings(Briefing(evidence, audience="patient"))) == ""
    assert str(overview.overview(Briefing(evidence, audience="educator"))) == ""
    assert "Summary of findings" in str(overview.findings(Briefing(evidence, audience="educator")))


def test_the_overview_shows_the_measures_measures_csv_puts_in_its_columns(evidence):
    from dataclasses import replace

    measures = evidence.measures
    report = Briefing(evidence, audience="clinician")
    shown = str(overview.overview(report))
    harms = measures.loc[measures["overview"] == "harms", "heading"]
    assert any(heading in shown for heading in harms)
    moved = replace(evidence, measures=measures.assign(overview=None))
    table = str(overview.overview(Briefing(moved, audience="clinician")))
    benefits = measures.loc[measures["kind"] != "harm", "heading"]
    assert not any(heading in table for heading in benefits)
    cells = _cells(table)
    assert len(cells) == len(overview._options(report))
    assert all(row[1] == row[2] == "none counted" for row in cells.values())
    assert all(row[3] == "none counted" or row[3].startswith("Other side effect:") for row in cells.values())


def _cells(table: str) -> dict[str, list[str]]:
    """Option name -> the text of each cell of its row in an overview table."""
    from bs4 import BeautifulSoup

    rows = BeautifulSoup(table, "html.parser").find("tbody").find_all("tr")
    cells = [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in rows]
    return {row[0]: row for row in cells}


def _harm_cells(evidence) -> dict[str, str]:
    """Option name -> the text of its harms cell in the clinician overview."""
    table = str(overview.overview(Briefing(evidence, audience="clinician")))
    return {name: row[3] for name, row in _cells(table).items()}


def test_the_harms_column_is_never_empty_for_an_option_whose_side_effects_are_counted(evidence):
    """Antibody-drug conjugates have cytopenia rows but none of the overview's serious side effects: the
    column shows one of their counted side effects, not "none"."""
    from lymphoma_evidence.analysis.headline import headline_numbers
    from lymphoma_evidence.analysis.topic import measure_kinds

    numbers = headline_numbers(evidence)
    kinds = measure_kinds(evidence)
    counted = set(numbers.loc[numbers["measure"].map(kinds.get) == "harm", "class_id"])
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    cells = _harm_cells(evidence)
    assert "adcs" in counted and cells[names["adcs"]].startswith("Other side effect: Severe neutropenia")
    for class_id, name in names.items():
        if name in cells:
            assert (cells[name] == "none counted") == (class_id not in counted), (name, cells[name])


def test_the_legend_quotes_the_cell_words_as_cells_show_them(evidence):
    from bs4 import BeautifulSoup

    report = Briefing(evidence, audience="clinician")
    soup = BeautifulSoup(str(overview.overview(report)), "html.parser")
    cells = {td.get_text(" ").strip() for td in soup.find_all("td")}
    legend = soup.get_text(" ")
    assert "none counted" in cells
    assert "A cell saying 'none counted' means the evidence holds no figure with its count." in legend
    assert "'None" not in legend
