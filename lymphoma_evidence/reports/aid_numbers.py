"""The numbers the decision aid shows, looked up in the library's headline table, and said in words.

Every number on the aid comes from :func:`headline`, one row per (class_id, stratum, measure) in the
columns of :data:`HEADLINE_COLUMNS`. Sentences name the group the number comes from in the same
sentence, use natural frequencies with one denominator per kind of number (10 for benefits, 100 for
harms) and say how sure the number is in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.evidence import Evidence

HEADLINE_COLUMNS = ["class_id", "stratum", "measure", "n_studies", "n_patients", "rate", "ci_low", "ci_high",
                    "approximate", "single_study", "population", "source_ids", "result_ids"]

#: Strata in the order the aid prefers them: direct post-CAR-T evidence first.
STRATA = ("post_car_t", "partly", "car_t_naive")

#: Plain words for the group behind a post-CAR-T number when the table gives none.
POST_CAR_T_PEOPLE = "people whose lymphoma came back after CAR-T"

#: Benefit measures use 10 figures; harms use 100, so every option is shown on the same scale.
BENEFIT_DENOMINATOR = 10
HARM_DENOMINATOR = 100


def natural_frequency(rate: float, denominator: int = 10) -> str:
    """A proportion (0-1) as a natural frequency: ``0.483 -> "about 5 out of 10"``.

    Parameters
    ----------
    rate : float
        Proportion from 0 to 1.
    denominator : int
        Number of people the frequency is said out of (10 or 100).
    """
    count = round(rate * denominator)
    return f"about {count} out of {denominator}"


def _class_of(evidence: Evidence, scope_id: str) -> str:
    agents = evidence.agents.set_index("agent_id")["class_id"]
    return str(agents.get(scope_id, scope_id))


def headline(evidence: Evidence) -> pd.DataFrame:
    """The headline numbers: responses and 12-month outcomes per class and stratum.

    Interim producer with the columns of :data:`HEADLINE_COLUMNS`, built from the post-CAR-T results
    (responders over patients, summed over the studies of a class) and the post-CAR-T outcomes (a
    published rate, one study each).

    Returns
    -------
    pandas.DataFrame
        Rates are proportions 0-1; ``measure`` is ``ORR``, ``CR``, ``os_rate_12m``, ``pfs_rate_12m`` or
        ``non_relapse_mortality_rate_12m``.
    """
    rows = []
    results = evidence.results[evidence.results["post_car_t"].astype(bool)]
    results = results.assign(class_id=[_class_of(evidence, a) for a in results["agent_id"]])
    for (class_id, endpoint), group in results.groupby(["class_id", "endpoint"], sort=True):
        n, responders = int(group["n"].sum()), int(group["responders"].sum())
        rows.append({"class_id": class_id, "stratum": "post_car_t", "measure": endpoint,
                     "n_studies": group["trial"].nunique(), "n_patients": n, "rate": responders / n,
                     "ci_low": float("nan"), "ci_high": float("nan"), "approximate": False,
                     "single_study": group["trial"].nunique() == 1, "population": POST_CAR_T_PEOPLE,
                     "source_ids": "; ".join(dict.fromkeys(group["source_id"])),
                     "result_ids": "; ".join(group["result_id"])})
    outcomes = evidence.outcomes
    wanted = outcomes["post_car_t"].astype(bool) & (outcomes["timepoint_months"] == 12) & \
        outcomes["measure"].isin(["os_rate", "pfs_rate", "non_relapse_mortality_rate"])
    for _, row in outcomes[wanted].iterrows():
        rows.append({"class_id": _class_of(evidence, row["scope_id"]), "stratum": "post_car_t",
                     "measure": f"{row['measure']}_12m", "n_studies": 1,
                     "n_patients": row["n"] if pd.notna(row["n"]) else pd.NA,
                     "rate": float(row["value"]) / 100, "ci_low": float("nan"), "ci_high": float("nan"),
                     "approximate": False, "single_study": True, "population": POST_CAR_T_PEOPLE,
                     "source_ids": row["source_id"], "result_ids": row["outcome_id"]})
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


@dataclass(frozen=True)
class Number:
    """One headline row picked for the aid: its rate, who it is about, and its sources."""

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
    """The row for ``class_id`` and ``measure``: post-CAR-T first, then (unless ``direct_only``) other strata.

    Returns ``None`` when the table has no such row.
    """
    strata = STRATA[:1] if direct_only else STRATA
    for stratum in strata:
        found = table[(table["class_id"] == class_id) & (table["measure"] == measure)
                      & (table["stratum"] == stratum)]
        if not found.empty:
            row = found.iloc[0]
            n = row["n_patients"]
            return Number(class_id, measure, stratum, float(row["rate"]), int(row["n_studies"]),
                          None if pd.isna(n) else int(n), str(row["population"] or POST_CAR_T_PEOPLE),
                          tuple(s.strip() for s in str(row["source_ids"]).split(";") if s.strip()))
    return None
