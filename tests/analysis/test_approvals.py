"""Approval decisions: a complete response letter is shown but never counted as an approval."""

from __future__ import annotations

import pandas as pd
from helpers import real_evidence

from lymphoma_evidence.analysis.approvals import agent_approvals, agent_status, class_status
from lymphoma_evidence.data.evidence import Evidence

TEMPLATE = Evidence.from_frames()


def typed(table: str, rows: list[dict]) -> pd.DataFrame:
    empty = getattr(TEMPLATE, table)
    return pd.DataFrame(rows, columns=empty.columns).astype(empty.dtypes.to_dict())


def bundle(*approvals: dict) -> Evidence:
    return Evidence.from_frames(
        classes=typed("classes", [{"class_id": "bsab", "name": "Bispecifics", "role": "option",
                                   "kind": "medicine", "display_order": 1}]),
        agents=typed("agents", [{"agent_id": "x", "name": "Drug X", "class_id": "bsab"}]),
        approvals=typed("approvals", [{"approval_id": f"a{i}", "agent_id": "x", "regulator": "FDA",
                                       "date": "2024-03-01", "disease": "DLBCL",
                                       "line_of_therapy": "after two or more lines", "source_id": "s"} | a
                                      for i, a in enumerate(approvals)]))


def test_a_complete_response_letter_is_shown_but_the_class_is_not_approved():
    evidence = bundle({"kind": "complete_response_letter"})
    assert agent_approvals(evidence)["x"] == ("FDA complete response letter (not approved) 2024 "
                                              "(DLBCL, after two or more lines)")
    assert class_status(evidence).set_index("class_id").loc["bsab", "status"] == "investigational"
    agents = agent_status(evidence).set_index("agent_id")
    assert not agents.loc["x", "approved_for_topic"]
    assert agents.loc["x", "approvals"] == agent_approvals(evidence)["x"]
    assert agents.loc["x", "source_ids"] == "s"


def test_an_approval_beside_a_refusal_still_counts():
    evidence = bundle({"kind": "refused", "regulator": "EMA"}, {"kind": "accelerated"})
    assert class_status(evidence).set_index("class_id").loc["bsab", "status"] == "approved"


def test_no_approval_prints_a_missing_value():
    evidence = bundle({"kind": None})
    assert "<NA>" not in agent_approvals(evidence)["x"]
    assert "kind not stated" in agent_approvals(evidence)["x"]
    assert not agent_approvals(real_evidence()).str.contains("<NA>").any()
    assert not agent_status(real_evidence())["approvals"].str.contains("<NA>").any()


def test_the_therapy_that_failed_is_shown_as_context_but_keeps_its_approval_status():
    evidence = bundle({"kind": "regular"})
    context = evidence.classes.assign(role=pd.array(["context"], dtype="string"))
    evidence = Evidence.from_frames(classes=context, agents=evidence.agents, approvals=evidence.approvals)
    row = class_status(evidence).set_index("class_id").loc["bsab"]
    assert (row["approval_status"], row["status"]) == ("approved", "context")


def test_one_path_gives_the_status_of_every_class_of_the_real_evidence():
    evidence = real_evidence()
    status = class_status(evidence).set_index("class_id")
    roles = evidence.classes.set_index("class_id")["role"]
    assert list(status.index) == list(evidence.classes["class_id"])
    for class_id, row in status.iterrows():
        expected = "context" if roles[class_id] == "context" else row["approval_status"]
        assert row["status"] == expected
        assert isinstance(row["words"], str) and row["words"]
    assert status.loc["cd19_car_t", "approval_status"] == "approved"
