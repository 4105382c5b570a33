"""What the patient pages say and show, read from the evidence: the choices, their order and groups
(``aid_options.csv``), the sentences that are not about one choice (``aid_text.csv``) and which outcomes
belong to an early or a late relapse after CAR-T (``aid_timing.csv``).

The code knows only the parts of a page; the topic (which choices, in what words) is data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError

__all__ = ["RELAPSE_TIMINGS", "AidOption", "AidText", "aid_options", "check_relapse_timing", "timing_rows"]

#: The relapse_timing parameter: "early" (within about 3 months of CAR-T), "late", or "unknown" (show both).
RELAPSE_TIMINGS = ("early", "late", "unknown")


def _list(value: object) -> tuple[str, ...]:
    """A ';'-separated cell as a tuple (empty for a missing cell)."""
    if value is None or pd.isna(value):
        return ()
    return tuple(part.strip() for part in str(value).split(";") if part.strip())


def _words(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


@dataclass(frozen=True)
class AidOption:
    """One choice of the aid (a row of ``aid_options.csv``)."""

    class_id: str
    name: str
    summary: str
    group: str
    covers: tuple[str, ...]
    no_number: str
    outlook_measures: tuple[str, ...]
    everyone: bool
    who_can: str
    source_id: str

    @property
    def class_ids(self) -> tuple[str, ...]:
        """The classes shown under this choice: its own, then those it covers."""
        return (self.class_id, *self.covers)


def aid_options(evidence: Evidence) -> list[AidOption]:
    """The aid's choices in page order (``display_order``)."""
    table = evidence.aid_options.sort_values("display_order", kind="stable")
    return [AidOption(str(r["class_id"]), str(r["name"]), str(r["summary"]), str(r["grid_group"]),
                      _list(r["covers"]), _words(r["no_number"]), _list(r["outlook_measures"]),
                      bool(r["everyone"]), _words(r["who_can"]), str(r["source_id"]))
            for _, r in table.iterrows()]


def shown_as(options: list[AidOption]) -> dict[str, str]:
    """Class id -> the class id of the choice it is shown under (each choice maps to itself)."""
    return {covered: option.class_id for option in options for covered in option.class_ids}


@dataclass(frozen=True)
class AidText:
    """The sentences of ``aid_text.csv`` by part, in file order, each with its source (or "")."""

    table: pd.DataFrame

    def rows(self, part: str) -> list[tuple[str, str]]:
        """``(plain_words, source_id)`` of every row of ``part``; empty when the evidence has none."""
        rows = self.table[self.table["part"] == part]
        return [(str(r["plain_words"]), _words(r["source_id"])) for _, r in rows.iterrows()]

    def words(self, part: str) -> list[str]:
        """The plain words of every row of ``part``."""
        return [words for words, _ in self.rows(part)]

    def one(self, part: str) -> str:
        """The words of the one row of ``part`` (a heading or a question), or a :class:`ParameterError`
        saying which row to add to ``aid_text.csv``."""
        found = self.words(part)
        if len(found) != 1:
            raise ParameterError(f"aid_text.csv has {len(found)} rows of part {part!r}; the patient pages "
                                 f"need exactly one (add a row: {part},<the words>,).")
        return found[0]


def check_relapse_timing(value: str) -> str:
    """``value`` if it is a known relapse timing, else a :class:`ParameterError` naming the choices."""
    if value not in RELAPSE_TIMINGS:
        raise ParameterError(f"Invalid relapse_timing {value!r}. Expected one of: "
                             f"{', '.join(RELAPSE_TIMINGS)} (early: within about 3 months of CAR-T; "
                             "unknown shows both).")
    return value


def timing_rows(evidence: Evidence, timing: str) -> pd.DataFrame:
    """Published outcomes for one relapse timing ("early" or "late"), direct post-CAR-T evidence only, in
    ``aid_timing.csv`` order: the columns of :func:`~lymphoma_evidence.analysis.headline.relapse_numbers`
    (``value`` a proportion 0-1 or months) and ``window`` (plain words)."""
    from ..analysis.headline import relapse_numbers

    chosen = evidence.aid_timing[evidence.aid_timing["relapse_timing"] == check_relapse_timing(timing)]
    numbers = relapse_numbers(evidence)
    merged = chosen[["outcome_id", "window"]].merge(numbers, on="outcome_id", how="inner")
    return merged.reset_index(drop=True)
