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
    assert not any(heading in table for heading in measures["heading"])
    assert table.count("none published") == 3 * len(overview._options(report))
