"""Approval decisions: a complete response letter is shown but never counted as an approval."""

from __future__ import annotations

import pandas as pd
from helpers import real_evidence

from lymphoma_evidence.analysis.approvals import agent_status, class_status
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
    assert agent_status(evidence)["x"] == ("FDA complete response letter (not approved) 2024 "
                                           "(DLBCL, after two or more lines)")
    assert class_status(evidence).set_index("class_id").loc["bsab", "status"] == "investigational"


def test_an_approval_beside_a_refusal_still_counts():
    evidence = bundle({"kind": "refused", "regulator": "EMA"}, {"kind": "accelerated"})
    assert class_status(evidence).set_index("class_id").loc["bsab", "status"] == "approved"


def test_no_approval_prints_a_missing_value():
    evidence = bundle({"kind": None})
    assert "<NA>" not in agent_status(evidence)["x"]
    assert "kind not stated" in agent_status(evidence)["x"]
    assert not agent_status(real_evidence()).str.contains("<NA>").any()
