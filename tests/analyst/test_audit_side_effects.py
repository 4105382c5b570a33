"""The audit lists every option without side-effect figures, with the curators' reason."""

from __future__ import annotations

from pathlib import Path

from helpers import EVIDENCE, read_rows, write_rows

from lymphoma_evidence import load_evidence
from lymphoma_evidence.analyst.audit import audit_evidence, options_without_side_effects
from lymphoma_evidence.analyst.auditreport import render_text


def test_every_option_without_harms_is_listed_with_the_known_gaps_reason(evidence) -> None:
    missing = options_without_side_effects(evidence)
    with_harms = set(evidence.harms["class_id"])
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    assert set(missing["class_id"]) == options - with_harms
    assert "bispecific_antibodies" not in set(missing["class_id"]) and "adcs" not in set(missing["class_id"])
    assert not missing["why"].str.startswith("not listed").any()
    gaps = read_rows(EVIDENCE / "known_gaps.csv")
    reasons = {r[2]: r[4] for r in gaps[1:] if r[1] == "no_harm_figure"}
    assert dict(zip(missing["class_id"], missing["why"], strict=True)) == reasons
    assert "Options without side-effect figures, and why" in render_text(audit_evidence(evidence))


def test_an_unlisted_gap_says_so(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "harms.csv")
    kept = [rows[0]] + [r for r in rows[1:] if r[1] not in {"polatuzumab_vedotin", "loncastuximab_tesirine"}]
    write_rows(evidence_copy / "harms.csv", kept)
    missing = options_without_side_effects(load_evidence(evidence_copy)).set_index("class_id")
    assert missing.loc["adcs", "why"] == "not listed in known_gaps.csv (kind no_harm_figure)"
