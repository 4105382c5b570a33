"""Regulatory status, derived from ``approvals.csv``: per agent and indication, never typed per class.

A class's ``approval_status`` is ``approved`` when at least one of its agents has an approval, from any
regulator, for a disease that counts as the topic's (``diseases.csv``, ``approved_for_topic``); otherwise
its kind says (``class_kinds.csv``, ``without_approval``): ``standard`` for care that is not a licensed
product, ``investigational`` for a product without such an approval. The ``status`` readers see is the
same, except that the therapy that failed (classes whose ``role`` is ``context``) is shown as
``context`` rather than as an option; each status has its words (``class_statuses.csv``). Each agent's
approvals are given in words with their source ids for citation. This module is the only place where
either is derived.
"""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from ..data.shared import shared_by_reports
from .topic import approved_diseases, standard_kinds, status_words

CLASS_STATUS_COLUMNS = ["class_id", "approval_status", "status", "words", "approved_agents"]
AGENT_STATUS_COLUMNS = ["agent_id", "name", "class_id", "approved_for_topic", "approvals", "source_ids"]
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


def agent_approvals(evidence: Evidence) -> pd.Series:
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


def agent_status(evidence: Evidence) -> pd.DataFrame:
    """Per agent: its ``approvals`` in words (:func:`agent_approvals`), ``approved_for_topic`` (an approval
    for a disease that counts as the topic's) and the ``source_ids`` of its approvals (``"; "``).

    Returns
    -------
    pandas.DataFrame
        Columns ``agent_id, name, class_id, approved_for_topic, approvals, source_ids``, in agents.csv
        order.
    """
    words = agent_approvals(evidence)
    sources = evidence.approvals.groupby("agent_id")["source_id"].agg(
        lambda s: "; ".join(dict.fromkeys(s.astype(str))))
    agents = evidence.agents[["agent_id", "name", "class_id"]].copy()
    agents["approved_for_topic"] = agents["agent_id"].isin(approved_agent_ids(evidence))
    agents["approvals"] = agents["agent_id"].map(words).astype(str)
    agents["source_ids"] = agents["agent_id"].map(sources).fillna("")
    return agents[AGENT_STATUS_COLUMNS].reset_index(drop=True)


def approved_agent_ids(evidence: Evidence) -> set[str]:
    """The agents with an approval, from any regulator, for a disease that counts as the topic's."""
    approvals = given_approvals(evidence.approvals)
    for_topic = approvals["disease"].isin(approved_diseases(evidence)).fillna(False)
    return set(approvals.loc[for_topic, "agent_id"].dropna())


def _approval_status(cls: pd.Series, licensed: pd.DataFrame, standard: set[str]) -> str:
    if len(licensed):
        return "approved"
    return "standard" if cls["kind"] in standard else "investigational"


@shared_by_reports(pd.DataFrame)
def class_status(evidence: Evidence) -> pd.DataFrame:
    """Each class's status derived from its agents' approvals for the topic's diseases (see the module
    docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``class_id``, ``approval_status`` (approved | standard | investigational), ``status`` (what
        readers see: ``approval_status``, or ``context`` for the therapy that failed), ``words`` (the
        status in words) and ``approved_agents`` (agent names with an approval for the topic, ``"; "``),
        in therapy_classes.csv order.
    """
    approved = approved_agent_ids(evidence)
    standard = set(standard_kinds(evidence))
    words = status_words(evidence)
    agents = evidence.agents
    rows = []
    for _, cls in evidence.classes.iterrows():
        members = agents[agents["class_id"] == cls["class_id"]]
        licensed = members[members["agent_id"].isin(approved)]
        approval = _approval_status(cls, licensed, standard)
        shown = "context" if str(cls.get("role", "option")) == "context" else approval
        rows.append({"class_id": cls["class_id"], "approval_status": approval, "status": shown,
                     "words": words.get(shown), "approved_agents": "; ".join(licensed["name"])})
    return pd.DataFrame(rows, columns=CLASS_STATUS_COLUMNS).astype("string")
