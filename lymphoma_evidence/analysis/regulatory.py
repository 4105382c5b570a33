"""Regulatory status derived from the approvals table, per agent and indication; never typed per class.

An agent is approved for large B-cell lymphoma when ``approvals.csv`` has a row for it with disease LBCL or
DLBCL (any regulator, any kind: full, accelerated, conditional). A class's status follows from its agents
and its kind: a class with an agent approved for LBCL is ``approved``; a procedure or chemotherapy
(``kind`` chemotherapy, transplant, radiotherapy, supportive_care) is ``standard`` care, not a licensed
product; a class of agents none of which is approved for LBCL is ``investigational``; CD19 CAR-T products
(``role`` context) are the therapy that failed, ``context``. Evidence without an approvals table (an
older schema) falls back to the class's ``status`` column.
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence

__all__ = ["LBCL_DISEASES", "STATUS_WORDS", "agent_status", "class_status"]

LBCL_DISEASES = ("LBCL", "DLBCL")
_STANDARD_KINDS = ("chemotherapy", "transplant", "radiotherapy", "supportive_care")

#: Plain words per class status.
STATUS_WORDS = {
    "approved": "approved for large B-cell lymphoma (at least one agent; see each agent)",
    "standard": "established care (a procedure or chemotherapy, not a licensed product)",
    "investigational": "investigational: available in clinical trials",
    "context": "the therapy that failed (shown for context, not an option)",
}


def _approvals(evidence: Evidence) -> pd.DataFrame | None:
    approvals = getattr(evidence, "approvals", None)
    return approvals if isinstance(approvals, pd.DataFrame) else None


def agent_status(evidence: Evidence) -> pd.DataFrame:
    """Per agent: ``approved_lbcl`` (bool), ``approvals`` in words (e.g. "FDA 2023-05 accelerated, LBCL,
    after two or more lines of systemic therapy; EMA ...") and ``source_ids`` ("; ").

    Agents without an LBCL approval say which other approvals they have, or "no approval listed".
    """
    agents = evidence.agents[["agent_id", "name", "class_id"]].copy()
    approvals = _approvals(evidence)
    rows = []
    for agent in agents.to_dict("records"):
        mine = pd.DataFrame() if approvals is None else approvals[approvals["agent_id"] == agent["agent_id"]]
        lbcl = mine[mine["disease"].isin(LBCL_DISEASES)] if len(mine) else mine
        words = "; ".join(_approval_words(r) for r in mine.to_dict("records")) if len(mine) else ""
        rows.append(agent | {
            "approved_lbcl": bool(len(lbcl)),
            "approvals": words or "no approval listed in the evidence",
            "source_ids": "; ".join(dict.fromkeys(mine["source_id"].astype(str))) if len(mine) else "",
        })
    return pd.DataFrame(rows, columns=["agent_id", "name", "class_id", "approved_lbcl", "approvals",
                                       "source_ids"])


def _approval_words(row: dict) -> str:
    date = pd.Timestamp(row["date"]).strftime("%Y") if pd.notna(row.get("date")) else "date not stated"
    kind = f" {row['kind']}" if isinstance(row.get("kind"), str) and row["kind"] != "full" else ""
    line = f", {row['line_of_therapy']}" if isinstance(row.get("line_of_therapy"), str) else ""
    return f"{row['regulator'].replace('_', ' ')} {date}{kind}, {row['disease']}{line}"


def class_status(evidence: Evidence) -> pd.DataFrame:
    """Per class: ``status`` (approved | standard | investigational | context), its ``words`` and the
    approved agents (``approved_agents``, names joined by ", ")."""
    classes = evidence.classes
    approvals = _approvals(evidence)
    agents = agent_status(evidence)
    rows = []
    for cls in classes.to_dict("records"):
        approved = agents[(agents["class_id"] == cls["class_id"]) & agents["approved_lbcl"]]
        if approvals is None and "status" in classes.columns:
            status = str(cls["status"])
        elif str(cls.get("role", "option")) == "context":
            status = "context"
        elif len(approved):
            status = "approved"
        elif str(cls.get("kind", "")) in _STANDARD_KINDS:
            status = "standard"
        else:
            status = "investigational"
        rows.append({"class_id": cls["class_id"], "status": status,
                     "words": STATUS_WORDS.get(status, status),
                     "approved_agents": ", ".join(approved["name"])})
    return pd.DataFrame(rows, columns=["class_id", "status", "words", "approved_agents"])
