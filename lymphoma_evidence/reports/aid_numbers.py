"""The numbers the decision aid shows, looked up in the library's headline table, and said in words.

Every number on the aid comes from :func:`headline` (the library's ``headline_numbers``), one row per
(class_id, stratum, measure), and is formatted by ``formatting.natural_frequency``. Sentences name the
group the number comes from in the same sentence, use natural frequencies out of 100 for every number
(benefits and harms alike, so they can be compared) and say how sure the number is in plain words. Which
measures a page shows and their words come from the topic tables (:func:`aid_measures`: measures.csv
``patient``, ``patient_other``, ``patient_who``, ``aid_order``; strata.csv ``patient``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analysis import topic
from ..analysis.frames import STRATA
from ..data.evidence import Evidence
from ..errors import ParameterError
from ..formatting import natural_frequency

__all__ = ["BENEFIT_DENOMINATOR", "DENOMINATOR", "HARM_DENOMINATOR", "AidMeasures", "Number", "Said",
           "aid_measures", "balance", "group_words", "harm_measures", "headline", "natural_frequency", "pick"]

#: Every number is said out of 100 people, benefits and harms alike, so choices compare on one scale.
DENOMINATOR = 100
BENEFIT_DENOMINATOR = DENOMINATOR
HARM_DENOMINATOR = DENOMINATOR
#: The stratum of direct evidence (everyone had had CAR-T before): strata are model, not topic.
DIRECT = STRATA[0]


@dataclass(frozen=True)
class Said:
    """One measure in patient words (measures.csv): what the counted people did (``did``; a median's with
    ``{months}`` where the number goes), what the others did (``other``) and, when the number is not about
    everyone given the choice, who it is about (``who``, else "")."""

    did: str
    other: str
    who: str

    def months(self, value: float) -> str:
        """``did`` with the months of a median filled in."""
        return self.did.replace("{months}", f"{value:g}")


@dataclass(frozen=True)
class AidMeasures:
    """The measures of the patient pages and their words, read from the topic tables.

    Attributes
    ----------
    said : dict
        Measure -> :class:`Said`, for every measure with patient words.
    kinds : dict
        Measure -> kind (``response``, ``survival``, ``median``, ``harm``).
    benefits : tuple of str
        The benefit measures a choice's column shows, in order (measures.csv ``aid_order``).
    harms : tuple of str
        The harm measures, most serious first: a column shows the first one found.
    groups : dict
        Stratum -> who its numbers come from, in patient words (strata.csv ``patient``).
    """

    said: dict[str, Said]
    kinds: dict[str, str]
    benefits: tuple[str, ...]
    harms: tuple[str, ...]
    groups: dict[str, str]

    def of(self, measure: str) -> Said:
        """The patient words of ``measure``, or a :class:`ParameterError` saying which cell to fill."""
        if measure not in self.said:
            raise ParameterError(f"measures.csv: measure {measure!r} has no patient words; fill its patient "
                                 "column (what the people counted did, in plain words).")
        return self.said[measure]

    def median(self, measure: str) -> bool:
        """True when ``measure`` is a median in months."""
        return self.kinds.get(measure) == "median"

    def survival(self) -> str | None:
        """The first survival measure among the benefits (the one the profile pages quote), or None."""
        return next((m for m in self.benefits if self.kinds.get(m) == "survival"), None)

    def not_direct(self, stratum: str) -> str:
        """The sentence saying who a number not from direct evidence comes from ("" for direct)."""
        if stratum == DIRECT or stratum not in self.groups:
            return ""
        return f"These numbers are from {self.groups[stratum]}."


def aid_measures(evidence: Evidence) -> AidMeasures:
    """The patient pages' measures and words (:class:`AidMeasures`) from measures.csv and strata.csv."""
    kinds = topic.measure_kinds(evidence)
    others = topic.measure_words(evidence, "patient_other")
    whos = topic.measure_words(evidence, "patient_who")
    said = {m: Said(did, others.get(m, "did not"), whos.get(m, ""))
            for m, did in topic.measure_words(evidence, "patient").items()}
    shown = topic.aid_measures(evidence)
    groups = topic.stratum_words(evidence, "patient")
    return AidMeasures(said, kinds, tuple(m for m in shown if kinds.get(m) in ("response", "survival")),
                       tuple(m for m in shown if kinds.get(m) == "harm"), groups)


def headline(evidence: Evidence) -> pd.DataFrame:
    """The library's headline numbers (:func:`lymphoma_evidence.analysis.headline.headline_numbers`)."""
    from ..analysis.headline import headline_numbers

    return headline_numbers(evidence)


def group_words(stratum: str, population: str) -> str:
    """Who a number comes from, for the middle of a sentence: the stratum in words (the trial names and
    counts after the colon of ``population`` are left to the citation and the certainty line)."""
    head = str(population).split(":")[0].strip()
    return head or stratum.replace("_", " ")


def harm_measures(table: pd.DataFrame, class_id: str, order: tuple[str, ...]) -> list[str]:
    """The harm measures of ``order`` the headline table has for ``class_id``, in that order."""
    have = set(table.loc[table["class_id"] == class_id, "measure"])
    return [m for m in order if m in have]


def balance(rate: float, denominator: int, did_not: str = "did not") -> str:
    """How many did not have the outcome, said to match :func:`natural_frequency`, e.g.
    ``balance(0.483, 10) -> "The other 5 did not."``. A survival rate names the rest plainly:
    ``did_not="had died"``. Nothing (``""``) when the rate is exactly 0 or 1: "none of 100" and "100 in 100"
    say it all, and "almost everyone" would be untrue."""
    count = round(rate * denominator)
    if rate in (0, 1):
        return ""
    if count == 0:
        return f"Almost everyone {did_not}."
    if count == denominator:
        return f"Almost no one {did_not}."
    return f"The other {denominator - count} {did_not}."


@dataclass(frozen=True)
class Number:
    """One headline row picked for the aid: its rate (0-1; months for a median), who it is about, and
    its sources."""

    class_id: str
    measure: str
    stratum: str
    rate: float
    n_studies: int
    n_patients: int | None
    population: str
    source_ids: tuple[str, ...]

    @property
    def direct(self) -> bool:
        """True when everyone behind the number had had CAR-T before."""
        return self.stratum == DIRECT

    def count(self, denominator: int) -> int:
        """The number of people out of ``denominator`` the frequency shows."""
        return round(self.rate * denominator)

    def certainty_words(self) -> str:
        """How sure the number is, in plain words, e.g. ``"From 1 small study of 60 people, so not sure."``"""
        people = f" of {self.n_patients} people" if self.n_patients else ""
        small = self.n_studies == 1 or (self.n_patients or 0) < 100
        size = "small " if small and self.n_studies == 1 else ""
        studies = f"1 {size}study" if self.n_studies == 1 else f"{self.n_studies} studies"
        caution = "so not sure" if small else "so a fair guide"
        return f"From {studies}{people}, {caution}."


def pick(table: pd.DataFrame, class_id: str, measure: str, direct_only: bool = True) -> Number | None:
    """The row for ``class_id`` and ``measure``: post-CAR-T first, then (unless ``direct_only``) other strata
    (evidence from people who had not had CAR-T, which the sentence then says plainly).

    Returns ``None`` when the table has no such row.
    """
    from ..analysis.headline import lead_number

    row = lead_number(table, class_id, measure, strata=STRATA[:1] if direct_only else STRATA)
    if row is None:
        return None
    n = row["n_patients"]
    return Number(class_id, measure, str(row["stratum"]), float(row["value"]), int(row["n_studies"]),
                  None if pd.isna(n) else int(n), group_words(str(row["stratum"]), row["population"]),
                  tuple(s.strip() for s in str(row["source_ids"]).split(";") if s.strip()))
