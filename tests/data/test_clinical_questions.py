"""clinical_questions.csv is checked like the other tables: its counts, its source and its class."""

from __future__ import annotations

from pathlib import Path

from helpers import read_rows, write_rows

from lymphoma_evidence.data.validate import validate_evidence


def _add_question(folder: Path, **values: str) -> int:
    rows = read_rows(folder / "clinical_questions.csv")
    base = dict(zip(rows[0], rows[1], strict=True))
    rows.append([values.get(c, base[c]) if c != "question_id" else values.get(c, "a_new_question")
                 for c in rows[0]])
    write_rows(folder / "clinical_questions.csv", rows)
    return len(rows)


def _messages(folder: Path) -> list[str]:
    return [str(p) for p in validate_evidence(folder)]


def test_more_events_than_patients_is_refused(evidence_copy: Path) -> None:
    line = _add_question(evidence_copy, n="16", events="17")
    assert _messages(evidence_copy) == [f"clinical_questions.csv:{line}:events: 17 events exceed n = 16; "
                                        "events must be at most n"]


def test_an_unknown_source_or_class_is_refused(evidence_copy: Path) -> None:
    line = _add_question(evidence_copy, source_id="nowhere2026", class_id="no_such_class")
    found = _messages(evidence_copy)
    assert any(m.startswith(f"clinical_questions.csv:{line}:source_id: 'nowhere2026' is not a known")
               for m in found)
    assert any(m.startswith(f"clinical_questions.csv:{line}:class_id: 'no_such_class' is not a known")
               for m in found)


def test_an_unknown_topic_is_refused(evidence_copy: Path) -> None:
    line = _add_question(evidence_copy, topic="dosing")
    assert any(m.startswith(f"clinical_questions.csv:{line}:topic: 'dosing' is not an allowed value")
               for m in _messages(evidence_copy))
