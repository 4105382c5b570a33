"""What reports say about regulatory status: :mod:`lymphoma_evidence.analysis.approvals` in reader's words.

The status itself is derived once, in :mod:`~lymphoma_evidence.analysis.approvals` (per agent and indication,
from ``approvals.csv``; never typed per class). This module adds what the clinician and educator outputs
need beside it: the therapy that failed (classes whose ``role`` is ``context``, i.e. CD19 CAR-T products)
is shown as ``context`` rather than as an option, each status has its plain words, and each agent's
approvals carry their source ids for citation.
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from . import approvals

__all__ = ["STATUS_WORDS", "agent_status", "class_status"]

#: Plain words per class status.
STATUS_WORDS = {
    "approved": "approved for large B-cell lymphoma (at least one agent; see each agent)",
    "standard": "established care (a procedure or chemotherapy, not a licensed product)",
    "investigational": "investigational: available in clinical trials",
    "context": "the therapy that failed (shown for context, not an option after CAR-T)",
}


def agent_status(evidence: Evidence) -> pd.DataFrame:
    """Per agent: ``approvals`` in words (from :func:`approvals.agent_status`), ``approved_lbcl`` (an
    approval for LBCL or DLBCL) and the ``source_ids`` of its approvals ("; ")."""
    words = approvals.agent_status(evidence)
    table = evidence.approvals
    given = approvals.given_approvals(table)
    lbcl = set(given.loc[given["disease"].isin(approvals.LBCL_DISEASES).fillna(False), "agent_id"])
    sources = table.groupby("agent_id")["source_id"].agg(lambda s: "; ".join(dict.fromkeys(s.astype(str))))
    agents = evidence.agents[["agent_id", "name", "class_id"]].copy()
    agents["approved_lbcl"] = agents["agent_id"].isin(lbcl)
    agents["approvals"] = agents["agent_id"].map(words).astype(str)
    agents["source_ids"] = agents["agent_id"].map(sources).fillna("")
    return agents.reset_index(drop=True)


def class_status(evidence: Evidence) -> pd.DataFrame:
    """Per class: ``status`` (approved | standard | investigational from :func:`approvals.class_status`,
    or ``context`` for the therapy that failed), its plain ``words`` and the ``approved_agents``."""
    status = approvals.class_status(evidence).astype(object)
    roles = evidence.classes.set_index("class_id")["role"] if "role" in evidence.classes.columns else {}
    status["status"] = [("context" if str(roles.get(c, "option")) == "context" else s)
                        for c, s in zip(status["class_id"], status["status"], strict=True)]
    status["words"] = status["status"].map(STATUS_WORDS)
    return status[["class_id", "status", "words", "approved_agents"]]
