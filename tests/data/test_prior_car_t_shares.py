"""Prior-CAR-T shares and approval sources on the real evidence: every population states the share its
sources print, the trials that print none are named as a known gap, one cohort keeps one share across
results, outcomes and harms, and at most five approvals rest on press alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from helpers import find_line, set_cell

from lymphoma_evidence.analyst.audit import press_only_approvals
from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.data.validate import validate_evidence

#: Most approvals that may be cited from a press article only (refusals included).
MAX_PRESS_ONLY = 5


def _shares(evidence, source_ids: set[str]) -> set[float]:
    frames = (evidence.results, evidence.outcomes, evidence.harms)
    return {float(v) for f in frames for v in f.loc[f["source_id"].isin(source_ids), "prior_car_t_percent"]}


def _empty_share_trials(evidence) -> set[str]:
    """Trial names (before any bracket or 'phase') of result and harm rows whose share is empty."""
    names = set()
    for frame in (evidence.results, evidence.harms):
        empty = frame[frame["prior_car_t_percent"].isna() & frame["trial"].notna()]
        names |= {str(t).split(" (")[0].split(" phase")[0] for t in empty["trial"]}
    return names


def test_epcore_nhl1_states_one_share_in_every_table() -> None:
    evidence = load_evidence()
    sources = {"thieblemont2024_epcore_nhl1", "tepkinly_smpc_abbvie_uk_safety"}
    assert _shares(evidence, sources) == {38.9}
    outcomes = evidence.outcomes[evidence.outcomes["source_id"] == "thieblemont2024_epcore_nhl1"]
    assert len(outcomes) == 2 and (outcomes["prior_car_t_percent"] == 38.9).all()


def test_lotis2_states_no_share_its_paper_was_not_seen_and_says_why() -> None:
    """Its share was seen only in a news report of the paper: left out, in results and the label harm alike,
    and named as a known gap."""
    evidence = load_evidence()
    sources = {"caimi2024_lotis2", "zynlonta_uspi_lotis2_safety"}
    rows = [f.loc[f["source_id"].isin(sources), "prior_car_t_percent"]
            for f in (evidence.results, evidence.outcomes, evidence.harms)]
    assert sum(len(r) for r in rows) == 3 and all(r.isna().all() for r in rows)
    assert "LOTIS-2" in " ".join(evidence.known_gaps["missing"].fillna("").astype(str))


def test_every_trial_without_a_share_is_named_as_a_known_gap() -> None:
    evidence = load_evidence()
    gaps = " ".join(evidence.known_gaps["missing"].fillna("").astype(str))
    silent = _empty_share_trials(evidence)
    assert silent, "some trials print no share"
    assert {t for t in silent if t not in gaps} == set()


def test_a_share_written_in_one_table_only_is_a_mismatch(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "harms.csv", harm_id="epcoritamab_smpc_serious_ar")
    set_cell(evidence_copy, "harms.csv", line, "prior_car_t_percent", "")
    problems = validate_evidence(evidence_copy)
    assert [(p.line, p.column, p.code) for p in problems] == [(line, "prior_car_t_percent", "share-mismatch")]


def test_at_most_five_approvals_rest_on_press_and_the_audit_lists_each() -> None:
    evidence = load_evidence()
    kinds = evidence.sources.set_index("source_id")["source_type"]
    press = evidence.approvals[evidence.approvals["source_id"].map(kinds) == "article"]
    assert len(press) <= MAX_PRESS_ONLY
    listed = press_only_approvals(evidence)
    assert set(listed["approval_id"]) == set(press["approval_id"])


def test_a_press_only_approval_says_so_or_is_a_refusal() -> None:
    evidence = load_evidence()
    listed = press_only_approvals(evidence).merge(evidence.approvals, on=["approval_id", "agent_id"])
    for row in listed.itertuples():
        note = str(row.curator_note)
        assert row.kind == "complete_response_letter" or "PRESS ONLY" in note, row.approval_id


def test_the_2023_us_conversion_of_polatuzumab_is_a_regular_approval_after_the_accelerated_one() -> None:
    approvals = load_evidence().approvals
    pola = approvals[(approvals["agent_id"] == "polatuzumab_vedotin") & (approvals["regulator"] == "FDA")]
    pola = pola.sort_values("date")
    assert pola["kind"].tolist() == ["accelerated", "regular"]
    assert pd.Timestamp(pola["date"].iloc[1]) == pd.Timestamp("2023-04-19")


def test_guideline_eligibility_rows_cite_no_source_their_note_says_was_not_read() -> None:
    evidence = load_evidence()
    rows = evidence.eligibility[evidence.eligibility["basis"] == "guideline"]
    for row in rows.itertuples():
        note = str(row.curator_note).lower()
        assert "not read in this pass" not in note, row.scope_id
        assert not (row.source_id == "nccn_bcell"), f"{row.scope_id} cites a guideline that was not read"
