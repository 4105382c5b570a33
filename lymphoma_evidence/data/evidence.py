"""The `Evidence` bundle and `load_evidence`: validated, typed tables ready for analysis.

A report build validates the evidence once and saves the validated bundle as
``<cache folder>/evidence-<content hash>.pickle``, and gives its notebooks that folder (their
``evidence_cache`` parameter). ``load_evidence(path, cache=folder)`` then hashes the files it was asked to
load (bytes only) and reuses the bundle saved for exactly that hash; any other case validates as usual.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..errors import EvidenceError
from ..paths import cache_file, evidence_dir
from .derive import with_derived_columns
from .hashing import content_hash
from .schema import TABLE_ATTRIBUTES, load_package
from .validate import check_folder, empty_frame, read_package_frames

__all__ = ["Evidence", "cache_file", "content_hash", "load_evidence", "still_valid"]


@dataclass(frozen=True)
class Evidence:
    """An immutable bundle of the evidence tables as typed pandas DataFrames.

    Attributes ``sources``, ``classes`` (therapy_classes.csv), ``agents``, ``results``,
    ``reported_ranges``, ``eligibility``, ``trials``, ``questions`` (discussion_questions.csv),
    ``outcomes``, ``harms``, ``approvals``, ``certainty``, ``option_details``, ``clinical_questions``,
    ``comparisons`` (comparative effect estimates between two groups) and the patient pages'
    ``aid_options``, ``aid_text`` and ``aid_timing`` hold one DataFrame each, rows in file order.

    The topic's words and choices are tables too (``evidence/README.md``, "The topic"): ``measures``
    (every measure's words), ``class_statuses``, ``class_kinds``, ``diseases``, ``featured_classes``,
    ``glossary``, ``abbreviations``, ``texts``, ``known_gaps`` and ``strata`` (who each stratum's numbers
    come from); :mod:`lymphoma_evidence.analysis.topic`
    reads them. Percentages are as in the CSVs (0-100); the analysis functions turn counts into
    proportions (0-1).

    Derived columns (see :mod:`lymphoma_evidence.data.derive`): ``results`` and ``harms`` gain
    ``agent_id`` (missing when the row belongs to a class) and ``class_id``; ``prior_car_t_percent`` is
    100 wherever ``post_car_t`` is true and the CSV left it empty (results, outcomes, harms,
    comparisons).
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
    harms: pd.DataFrame
    approvals: pd.DataFrame
    certainty: pd.DataFrame
    option_details: pd.DataFrame
    clinical_questions: pd.DataFrame
    comparisons: pd.DataFrame
    measures: pd.DataFrame
    class_statuses: pd.DataFrame
    class_kinds: pd.DataFrame
    diseases: pd.DataFrame
    featured_classes: pd.DataFrame
    glossary: pd.DataFrame
    abbreviations: pd.DataFrame
    texts: pd.DataFrame
    known_gaps: pd.DataFrame
    strata: pd.DataFrame
    aid_options: pd.DataFrame
    aid_text: pd.DataFrame
    aid_timing: pd.DataFrame
    path: Path | None = None
    version: str = ""
    title: str = ""
    content_hash: str = field(default="", repr=False)

    @classmethod
    def from_frames(cls, evidence_path: Path | None = None, **tables: pd.DataFrame) -> Evidence:
        """Build a bundle from DataFrames (for tests and notebooks), without validation.

        Keyword names are the attribute names (``results=...``); a missing evidence table becomes an
        empty frame with the schema's columns and dtypes, a missing topic table (measures, glossary, ...)
        is read from the package folder, so hand-built evidence speaks the topic's words. Frames are
        copied, never kept by reference. The derived columns are added as :func:`load_evidence` adds them.
        """
        folder = Path(evidence_path or evidence_dir())
        package = load_package(folder)
        unknown = set(tables) - set(TABLE_ATTRIBUTES.values())
        if unknown:
            raise TypeError(f"unknown table(s): {', '.join(sorted(unknown))}")
        frames = {}
        for table in package.tables:
            attr = TABLE_ATTRIBUTES[table.name]
            given = tables.get(attr)
            frames[attr] = empty_frame(table) if given is None else given.copy()
        missing_topic = [t for t in package.tables if t.topic and TABLE_ATTRIBUTES[t.name] not in tables]
        if missing_topic:
            read, _, _ = read_package_frames(folder, replace(package, tables=tuple(missing_topic)))
            frames.update({TABLE_ATTRIBUTES[name]: frame for name, frame in read.items()})
        return cls(**with_derived_columns(frames), version=package.version, title=package.title)

    def __repr__(self) -> str:
        counts = ", ".join(f"{a}={len(getattr(self, a))}" for a in TABLE_ATTRIBUTES.values())
        return f"Evidence(version={self.version!r}, {counts})"


def _from_cache(folder: Path, cache_folder: Path) -> Evidence | None:
    """The validated bundle saved in ``cache_folder`` for ``folder``'s current content, or ``None`` (then
    validate).

    Only a bundle saved under the content hash of the files as they are now is used, so an edited CSV is
    always validated again. A missing, unreadable or corrupt cache file is not an error: it is ignored.
    The cache folder is trusted like the notebooks: only the report build writes it.
    """
    try:
        evidence_hash = content_hash(folder)
        with open(cache_file(cache_folder, evidence_hash), "rb") as handle:
            cached = pickle.load(handle)
    except Exception:  # any failure to read the cache means: validate instead
        return None
    if not isinstance(cached, Evidence) or cached.content_hash != evidence_hash:
        return None
    return replace(cached, path=folder.resolve())


def load_evidence(path: Path | str | None = None, *, cache: Path | str | None = None) -> Evidence:
    """Load and validate the evidence at ``path`` (default: the project's ``evidence/``).

    With ``cache`` (a report build gives its notebooks the folder where it saved the bundle it validated),
    that bundle is reused when the files' content hash equals the one it was validated under; otherwise
    the files are validated here.

    Parameters
    ----------
    path : Path or str, optional
        The evidence folder.
    cache : Path or str, optional
        A folder of validated bundles (``evidence-<content hash>.pickle``); None always validates.

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
    cached = _from_cache(folder, Path(cache)) if cache is not None else None
    if cached is not None:
        return cached
    package, frames, problems = check_folder(folder)
    if problems:
        raise EvidenceError(problems, folder)
    tables = with_derived_columns({TABLE_ATTRIBUTES[name]: frame for name, frame in frames.items()})
    return Evidence(**tables, path=folder.resolve(), version=package.version, title=package.title,
                    content_hash=content_hash(folder))


def still_valid(evidence: Evidence) -> bool:
    """Whether ``evidence`` was validated from files that are still exactly as they were.

    :func:`load_evidence` returns a bundle only when its files passed validation, and records their
    content hash; when the files still hash to it, validating them again would find nothing.
    ``False`` for bundles made with :meth:`Evidence.from_frames` (never validated).
    """
    if not evidence.content_hash or evidence.path is None:
        return False
    try:
        return content_hash(evidence.path) == evidence.content_hash
    except OSError:
        return False
