"""A second topic builds with no code change: tests/fixtures/topic_fictional is a small, clearly fictional
evidence package (its own disease, classes, agents, measures and words). It validates, and the briefing, a
class profile, the figures and the deck built from it speak its words and none of the real topic's.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import EVIDENCE, FIXTURES, ROOT

from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.data.validate import validate_evidence
from lymphoma_evidence.reports import class_profile
from lymphoma_evidence.reports.briefing import Briefing

FICTIONAL = FIXTURES / "topic_fictional"
#: Words of the fictional topic every page about it must show.
FICTIONAL_WORDS = ("quillfever", "Moonbeam infusions", "Lunarimab", "MOONRISE-1")


def real_topic_words() -> set[str]:
    """Names of the real topic a fictional page must never show: its disease words, and the names of its
    classes, agents and trials."""
    words = {"lymphoma", "LBCL", "DLBCL", "B-cell"}
    for file, column in (("therapy_classes.csv", "name"), ("agents.csv", "name"), ("results.csv", "trial"),
                         ("harms.csv", "trial")):
        frame = pd.read_csv(EVIDENCE / file, dtype=str, keep_default_na=False)
        words |= {v for v in frame[column] if v}
    return words


def leaked(text: str) -> list[str]:
    """Real-topic words in ``text`` (whole words; the toolkit's own name lymphoma-evidence aside)."""
    text = text.replace("lymphoma-evidence", "")
    return sorted(w for w in real_topic_words()
                  if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, flags=re.IGNORECASE))


def test_the_fictional_topic_is_valid() -> None:
    assert validate_evidence(FICTIONAL) == []


def test_its_briefing_sections_speak_its_words_only() -> None:
    evidence = load_evidence(FICTIONAL)
    report = Briefing(evidence, audience="educator")
    html = "".join(str(part) for part in (report.lead(), report.takeaways(), report.teaching(),
                                           report.outlook(), report.options(), report.references()))
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    for word in ("quillfever", "Moonbeam infusions", "Lunarimab", "saw their quills settle",
                 "Approved for quillfever".lower()):
        assert word.lower() in text.lower(), word
    assert "Offer moonbeam studies early" in text
    assert not leaked(text), leaked(text)


def test_its_class_profile_sections_speak_its_words_only() -> None:
    report = Briefing(load_evidence(FICTIONAL), class_ids=["moonbeam_infusions"])
    html = "".join(str(f(report)) for f in (class_profile.overview, class_profile.findings,
                                             class_profile.outcomes))
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert "Quill response" in text and "Lunarimab" in text
    assert not leaked(text), leaked(text)


REPORTS = """\
[[report]]
name = "briefing_clinician"
notebook = "{briefing}"
[report.parameters]
title = "Quillfever after engineered cells: the evidence (fictional)"
audience = "clinician"
endpoint = "ORR"

[[report]]
name = "class_moonbeam_infusions"
notebook = "{profile}"
title = "Moonbeam infusions"
[report.parameters]
class_id = "moonbeam_infusions"
audience = "clinician"
"""


@pytest.mark.slow
def test_the_briefing_and_a_class_profile_build_from_the_fictional_topic(tmp_path: Path) -> None:
    evidence = shutil.copytree(FICTIONAL, tmp_path / "topic" / "evidence")
    notebooks = ROOT / "notebooks"
    reports = tmp_path / "reports.toml"
    reports.write_text(REPORTS.format(briefing=os.path.relpath(notebooks / "briefing.ipynb", tmp_path),
                                      profile=os.path.relpath(notebooks / "class_profile.ipynb", tmp_path)),
                       encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", "--evidence", str(evidence), "--reports", str(reports),
                                      "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    for page in ("briefing_clinician.html", "class_moonbeam_infusions.html"):
        text = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser").get_text(" ")
        for word in FICTIONAL_WORDS:
            assert word.lower() in text.lower(), (page, word)
        assert not leaked(text), (page, leaked(text))


def deck_text(path: Path) -> str:
    """Every text of a deck: slide text, table cells and speaker notes."""
    from pptx import Presentation

    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


@pytest.mark.slow
def test_the_figures_and_the_deck_build_from_the_fictional_topic(tmp_path: Path) -> None:
    runner = CliRunner()
    figures = runner.invoke(cli, ["figures", "--evidence", str(FICTIONAL),
                                  "--out", str(tmp_path / "figures")])
    assert figures.exit_code == 0, figures.output
    index = (tmp_path / "figures" / "figures.md").read_text(encoding="utf-8")
    assert "Lunarimab" in index and not leaked(index), leaked(index)
    deck = runner.invoke(cli, ["slides", "--evidence", str(FICTIONAL), "--out", str(tmp_path / "deck.pptx")])
    assert deck.exit_code == 0, deck.output
    text = deck_text(tmp_path / "deck.pptx")
    assert "What next when quillfever returns after engineered cells" in text
    assert "Starlight grafts" in text and "Approved (quillfever)" in text
    # the talk track and the closing title are the topic's texts.csv rows, not the real topic's sentences
    assert "Key takeaways: few invented numbers come from people after engineered cells" in text
    assert "moonbeam studies are a choice in their own right" in text
    assert "the invented bars come from separate registries" in text
    assert not leaked(text), leaked(text)
