"""Regulatory status, derived from ``approvals.csv``: per agent and indication, never typed per class.

A class is ``approved`` when at least one of its agents has an approval, from any regulator, for a
disease that counts as the topic's (``diseases.csv``, ``approved_for_topic``); otherwise its kind says
(``class_kinds.csv``, ``without_approval``): ``standard`` for care that is not a licensed product,
``investigational`` for a product without such an approval.
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from ..data.shared import shared_by_reports
from .topic import approved_diseases, standard_kinds

CLASS_STATUS_COLUMNS = ["class_id", "status", "approved_agents"]
KIND_WORDS = {
    "full": "approval",
    "regular": "regular approval",
    "accelerated": "accelerated approval",
    "conditional": "conditional approval",
    "complete_response_letter": "complete response letter (not approved)",
    "refused": "refusal (not approved)",
    "withdrawn": "withdrawal",
}
#: Decisions that are not (or no longer) an approval: shown to readers, never counted as approved.
NOT_APPROVED = ("complete_response_letter", "refused", "withdrawn")
#: Words for a row whose kind the text seen did not state.
UNSTATED_KIND = "approval (kind not stated in the source seen)"


def given_approvals(approvals: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``approvals`` that approve (not a complete response letter, refusal or withdrawal)."""
    return approvals[~approvals["kind"].isin(NOT_APPROVED).fillna(False).astype(bool).to_numpy()]


NO_APPROVAL = "no approval recorded"


def approval_words(approval: pd.Series) -> str:
    """One approval in words, e.g. ``FDA accelerated approval 2023 (DLBCL, after two or more lines ...)``."""
    regulator = str(approval["regulator"]).replace("_", " ")
    year = "" if pd.isna(approval["date"]) else f" {pd.Timestamp(approval['date']).year}"
    return (
        f"{regulator} {_kind_words(approval['kind'])}{year} "
        f"({approval['disease']}, {approval['line_of_therapy']})"
    )


def _kind_words(kind: object) -> str:
    return UNSTATED_KIND if pd.isna(kind) or not str(kind) else KIND_WORDS.get(str(kind), str(kind))


def agent_status(evidence: Evidence) -> pd.Series:
    """Every agent's approvals in words (``"; "``-separated, oldest first), or ``"no approval recorded"``.

    Returns
    -------
    pandas.Series
        Indexed by ``agent_id``, in agents.csv order.
    """
    approvals = evidence.approvals.sort_values(["date", "approval_id"], kind="mergesort")
    words = (
        approvals.assign(words=[approval_words(r) for _, r in approvals.iterrows()])
        if len(approvals)
        else approvals.assign(words=pd.Series(dtype="string"))
    )
    joined = words.groupby("agent_id", sort=False)["words"].agg("; ".join)
    ids = evidence.agents["agent_id"]
    return pd.Series(
        [joined.get(a, NO_APPROVAL) for a in ids],
        index=pd.Index(ids, name="agent_id"),
        name="approvals",
        dtype="string",
    )


def approved_agent_ids(evidence: Evidence) -> set[str]:
    """The agents with an approval, from any regulator, for a disease that counts as the topic's."""
    approvals = given_approvals(evidence.approvals)
    for_topic = approvals["disease"].isin(approved_diseases(evidence)).fillna(False)
    return set(approvals.loc[for_topic, "agent_id"].dropna())


@shared_by_reports(pd.DataFrame)
def class_status(evidence: Evidence) -> pd.DataFrame:
    """Each class's status derived from its agents' approvals for the topic's diseases (see the module
    docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``class_id, status, approved_agents`` (agent names with an approval for the topic,
        ``"; "``), in therapy_classes.csv order.
    """
    approved = approved_agent_ids(evidence)
    standard = standard_kinds(evidence)
    agents = evidence.agents
    rows = []
    for _, cls in evidence.classes.iterrows():
        members = agents[agents["class_id"] == cls["class_id"]]
        licensed = members[members["agent_id"].isin(approved)]
        if len(licensed):
            status = "approved"
        elif cls["kind"] in standard:
            status = "standard"
        else:
            status = "investigational"
        rows.append(
            {"class_id": cls["class_id"], "status": status, "approved_agents": "; ".join(licensed["name"])}
        )
    return pd.DataFrame(rows, columns=CLASS_STATUS_COLUMNS).astype("string")
