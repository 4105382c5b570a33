"""Columns the loader adds to the validated tables; never written back to the CSVs.

- ``results`` and ``harms``: ``agent_id`` (the ``scope_id`` when it is an agent, else missing) and
  ``class_id`` (the agent's class, or the ``scope_id`` when it is a class), placed after ``scope_id``.
- ``results``, ``outcomes``, ``harms`` and ``comparisons``: ``prior_car_t_percent`` is 100 where
  ``post_car_t`` is true and the percentage was left empty (post_car_t means every patient had CAR T-cell
  therapy).
"""

from __future__ import annotations

import pandas as pd

#: Tables whose rows belong to an agent or a class through ``scope_id``.
SCOPED_TABLES = ("results", "harms")
#: Tables with ``post_car_t`` and ``prior_car_t_percent``.
DIRECTNESS_TABLES = ("results", "outcomes", "harms", "comparisons")
#: Columns the loader adds; the analyst tools never write them.
DERIVED_COLUMNS = {"results": ("agent_id", "class_id"), "harms": ("agent_id", "class_id")}


def _scoped(frame: pd.DataFrame, agents: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in ("agent_id", "class_id") if c in frame])
    class_of = dict(zip(agents["agent_id"], agents["class_id"], strict=True))
    scope = frame["scope_id"].astype("string")
    is_agent = scope.isin(list(class_of)).fillna(False).astype(bool)
    is_class = scope.isin(list(classes["class_id"])).fillna(False).astype(bool)
    agent_id = scope.where(is_agent).astype("string")
    class_id = scope.map(class_of).where(is_agent, scope.where(is_class)).astype("string")
    at = frame.columns.get_loc("scope_id") + 1
    frame.insert(at, "agent_id", agent_id)
    frame.insert(at + 1, "class_id", class_id)
    return frame


def _fill_percent(frame: pd.DataFrame) -> pd.DataFrame:
    post = frame["post_car_t"].fillna(False).astype(bool)
    return frame.assign(
        prior_car_t_percent=frame["prior_car_t_percent"]
        .mask(post & frame["prior_car_t_percent"].isna(), 100.0)
        .astype("float64")
    )


def with_derived_columns(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables (keyed by attribute name, as on ``Evidence``) with the derived columns added.

    The frames given are not changed. In a ``results`` or ``harms`` frame made by hand (a test or
    notebook) that has ``agent_id``, an empty or missing ``scope_id`` is taken from ``agent_id`` first.
    """
    out = dict(tables)
    agents, classes = out["agents"], out["classes"]
    for name in SCOPED_TABLES:
        frame = out[name].copy()
        if "scope_id" not in frame and "agent_id" in frame:
            frame.insert(frame.columns.get_loc("agent_id"), "scope_id", frame["agent_id"])
        elif "scope_id" in frame and "agent_id" in frame:
            frame["scope_id"] = frame["scope_id"].astype("string").fillna(frame["agent_id"].astype("string"))
        if "scope_id" in frame:
            frame = _scoped(frame, agents, classes)
        out[name] = frame
    for name in DIRECTNESS_TABLES:
        frame = out[name]
        if {"post_car_t", "prior_car_t_percent"} <= set(frame.columns):
            out[name] = _fill_percent(frame)
    return out
