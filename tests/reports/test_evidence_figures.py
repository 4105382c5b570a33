"""The one-step figure helpers for notebooks and the public API (reports.evidence_figures)."""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation

from lymphoma_evidence.analysis import topic
from lymphoma_evidence.reports.evidence_figures import write_deck


def test_the_deck_from_evidence_is_titled_in_the_topics_words_unless_given_a_title(evidence,
                                                                                   tmp_path: Path) -> None:
    default = write_deck(evidence, tmp_path / "default.pptx", profile=None)
    assert Presentation(str(default)).slides[0].shapes.title.text == topic.text(evidence, "deck_title")
    assert topic.text(evidence, "deck_title")
    given = write_deck(evidence, tmp_path / "given.pptx", title="A title of our own", profile=None)
    assert Presentation(str(given)).slides[0].shapes.title.text == "A title of our own"
