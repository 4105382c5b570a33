"""The numbers the decision aid shows, looked up in the library's headline table, and said in words.

Every number on the aid comes from :func:`headline` (the library's ``headline_numbers``), one row per
(class_id, stratum, measure), and is formatted by ``formatting.natural_frequency``. Sentences name the
group the number comes from in the same sentence, use natural frequencies out of 100 for every number
(benefits and harms alike, so they can be compared) and say how sure the number is in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.evidence import Evidence
from ..formatting import natural_frequency

__all__ = ["BENEFIT_DENOMINATOR", "DENOMINATOR", "HARM_DENOMINATOR", "Number", "balance", "group_words",
           "harm_measures", "harm_words", "headline", "natural_frequency", "pick"]

#: Strata in the order the aid prefers them: direct post-CAR-T evidence first.
STRATA = ("post_car_t", "partly", "car_t_naive", "unknown")

#: Every number is said out of 100 people, benefits and harms alike, so choices compare on one scale.
DENOMINATOR = 100
BENEFIT_DENOMINATOR = DENOMINATOR
HARM_DENOMINATOR = DENOMINATOR

#: Side effects (harms.csv ``event``) in patient words: (any grade, severe: grade 3 or higher).
EVENT_WORDS = {
    "crs": ("had cytokine release syndrome", "had severe cytokine release syndrome"),
    "icans": ("had ICANS", "had severe ICANS"),
    "infection": ("had an infection", "had a severe infection"),
    "febrile_neutropenia": ("had a fever with very low white blood cells",
                            "had a fever with very low white blood cells"),
    "neutropenia": ("had very low white blood cells", "had severely low white blood cells"),
    "thrombocytopenia": ("had low platelets", "had severely low platelets"),
    "anaemia": ("had anaemia", "had severe anaemia"),
    "peripheral_neuropathy": ("had nerve damage", "had severe nerve damage"),
    "tumour_flare": ("had tumour flare", "had severe tumour flare"),
    "treatment_related_death": ("died because of the treatment", "died because of the treatment"),
}

#: Harm measures in the order the aid shows them: deaths first, then severe events, then any grade.
#: Events named only in a row's population text ("other") have no words here and are left out.
HARM_ORDER = ("non_relapse_mortality_rate_12m", "treatment_related_death/grade_5",
              "treatment_related_death/any", "infection/grade_3_plus", "crs/grade_3_plus",
              "icans/grade_3_plus", "febrile_neutropenia/grade_3_plus", "neutropenia/grade_3_plus",
              "thrombocytopenia/grade_3_plus", "anaemia/grade_3_plus", "peripheral_neuropathy/grade_3_plus",
              "tumour_flare/grade_3_plus", "crs/any", "icans/any", "infection/any",
              "peripheral_neuropathy/any", "febrile_neutropenia/any", "tumour_flare/any")

NRM_WORDS = "died within 1 year from the treatment or its problems, not from the lymphoma"


def headline(evidence: Evidence) -> pd.DataFrame:
    """The library's headline numbers (:func:`lymphoma_evidence.analysis.headline.headline_numbers`)."""
    from ..analysis.headline import headline_numbers

    return headline_numbers(evidence)


def group_words(stratum: str, population: str) -> str:
    """Who a number comes from, for the middle of a sentence: the stratum in words (the trial names and
    counts after the colon of ``population`` are left to the citation and the certainty line)."""
    head = str(population).split(":")[0].strip()
    return head or stratum.replace("_", " ")


def harm_words(measure: str) -> str:
    """What happened to the people a harm measure counts, e.g. ``"crs/grade_3_plus" -> "had severe
    cytokine release syndrome"``."""
    if measure == HARM_ORDER[0]:
        return NRM_WORDS
    event, grade = measure.split("/")
    return EVENT_WORDS[event][0 if grade == "any" else 1]


def harm_measures(table: pd.DataFrame, class_id: str) -> list[str]:
    """The harm measures the headline table has for ``class_id``, in :data:`HARM_ORDER`."""
    have = set(table.loc[table["class_id"] == class_id, "measure"])
    return [m for m in HARM_ORDER if m in have]


def balance(rate: float, denominator: int, did_not: str = "did not") -> str:
    """How many did not have the outcome, said to match :func:`natural_frequency`, e.g.
    ``balance(0.483, 10) -> "The other 5 did not."``. A survival rate names the rest plainly:
    ``did_not="had died"``."""
    count = round(rate * denominator)
    if rate == 0 or count == 0:
        return f"Almost everyone {did_not}."
    if rate == 1 or count == denominator:
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
        return self.stratum == "post_car_t"

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
