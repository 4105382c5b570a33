"""The `Evidence` bundle and `load_evidence`: validated, typed tables ready for analysis."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import EvidenceError
from .paths import SCHEMA_FILE, evidence_dir
from .schema import TABLE_ATTRIBUTES, load_package
from .validate import check_folder, empty_frame


@dataclass(frozen=True)
class Evidence:
    """An immutable bundle of the evidence tables as typed pandas DataFrames.

    Attributes ``sources``, ``classes`` (therapy_classes.csv), ``agents``, ``results``,
    ``reported_ranges``, ``eligibility``, ``trials``, ``questions`` (discussion_questions.csv) and
    ``outcomes`` hold one DataFrame each, rows in file order. Percentages are as in the CSVs (0-100);
    the analysis functions turn counts into proportions (0-1).
    """

    sources: pd.DataFrame
    classes: pd.DataFrame
    agents: pd.DataFrame
    results: pd.DataFrame
    reported_ranges: pd.DataFrame
    eligibility: pd.DataFrame
    trials: pd.DataFrame
    questions: pd.DataFrame
    outcomes: pd.DataFrame
    path: Path | None = None
    version: str = ""
    title: str = ""
    content_hash: str = field(default="", repr=False)

    @classmethod
    def from_frames(cls, evidence_path: Path | None = None, **tables: pd.DataFrame) -> Evidence:
        """Build a bundle from DataFrames (for tests and notebooks), without validation.

        Keyword names are the attribute names (``results=...``); a missing table becomes an empty
        frame with the schema's columns and dtypes. Frames are copied, never kept by reference.
        """
        package = load_package(evidence_path or evidence_dir())
        unknown = set(tables) - set(TABLE_ATTRIBUTES.values())
        if unknown:
            raise TypeError(f"unknown table(s): {', '.join(sorted(unknown))}")
        frames = {}
        for table in package.tables:
            attr = TABLE_ATTRIBUTES[table.name]
            given = tables.get(attr)
            frames[attr] = empty_frame(table) if given is None else given.copy()
        return cls(**frames, version=package.version, title=package.title)

    def __repr__(self) -> str:
        counts = ", ".join(f"{a}={len(getattr(self, a))}" for a in TABLE_ATTRIBUTES.values())
        return f"Evidence(version={self.version!r}, {counts})"


def content_hash(path: Path) -> str:
    """SHA-256 over the schema and every CSV in the evidence folder (names and bytes), hex encoded."""
    digest = hashlib.sha256()
    folder = Path(path)
    for file in [folder / SCHEMA_FILE, *sorted(folder.glob("*.csv"))]:
        digest.update(file.name.encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def load_evidence(path: Path | str | None = None) -> Evidence:
    """Load and validate the evidence at ``path`` (default: the project's ``evidence/``).

    Raises
    ------
    EvidenceError
        When anything is wrong; ``err.problems`` lists every problem with file, line and column.

    Examples
    --------
    >>> ev = load_evidence()                                  # doctest: +SKIP
    >>> ev.results[["result_id", "n", "responders"]].head(2)  # doctest: +SKIP
    """
    folder = Path(path) if path is not None else evidence_dir()
    package, frames, problems = check_folder(folder)
    if problems:
        raise EvidenceError(problems, folder)
    tables = {TABLE_ATTRIBUTES[name]: frame for name, frame in frames.items()}
    return Evidence(**tables, path=folder.resolve(), version=package.version, title=package.title,
                    content_hash=content_hash(folder))
