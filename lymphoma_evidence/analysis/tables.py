"""The analysis tables a figure set or a teaching deck draws, computed once and handed down.

:func:`analysis_tables` runs every analysis the figures and the deck quote (the headline numbers once)
and returns them as one :class:`~lymphoma_evidence.analysis.frames.AnalysisTables`. The figure modules
draw what they are given and call no analysis. Inside a report build the analysis functions it calls
share their results with the build's other reports (:mod:`lymphoma_evidence.data.shared`).

The named patient profiles of the worked case (``figures --profile``, ``slides --profile``) are here too:
they are inputs of the eligibility analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..errors import UsageError
from .approvals import class_status
from .citations import reader_sources
from .eligibility import PatientProfile, class_options
from .frames import AnalysisTables, columns
from .headline import headline_numbers
from .selections import ranges_trials
from .strata import pool_within_strata, response_studies
from .summaries import check_reported_ranges
from .topic import topic_words
from .trial_status import trials_to_ask_about

if TYPE_CHECKING:
    from ..data.evidence import Evidence

__all__ = ["EXAMPLE_PROFILE", "PROFILES", "analysis_tables", "parse_profile"]

#: The illustrative patient of the eligibility overview in the educators' set.
EXAMPLE_PROFILE = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False)
#: Named patient profiles for the worked case (``figures --profile``, ``slides --profile``).
PROFILES: dict[str, PatientProfile] = {
    "example": EXAMPLE_PROFILE,
    "fit-with-donor": PatientProfile(prior_lines=2, prior_car_t=True, transplant_fit=True, has_donor=True),
    "fit-no-donor": PatientProfile(prior_lines=2, prior_car_t=True, transplant_fit=True, has_donor=False),
    "unfit-cd19-negative": PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False,
                                          antigens={"CD19": "negative"}),
}


def parse_profile(name: str | None) -> PatientProfile:
    """The profile named ``name`` in :data:`PROFILES` (None: the example patient).

    Raises
    ------
    UsageError
        For a name not in :data:`PROFILES` (a :class:`~lymphoma_evidence.errors.ParameterError`; the CLI
        exits 2).
    """
    if name is None:
        return EXAMPLE_PROFILE
    if name not in PROFILES:
        raise UsageError(f"unknown profile {name!r}; expected one of: {', '.join(PROFILES)}.")
    return PROFILES[name]


def analysis_tables(evidence: Evidence, profile: PatientProfile | None = EXAMPLE_PROFILE, *,
                    stated_ranges: bool = False) -> AnalysisTables:
    """The tables the figure set and the teaching deck draw, each computed once.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    profile : PatientProfile or None
        The patient of the eligibility overview and the worked case (default :data:`EXAMPLE_PROFILE`);
        None leaves the options out.
    stated_ranges : bool
        Also check the ranges that reviews state against the trials (the analysts' chart).

    Returns
    -------
    AnalysisTables
        Rates as proportions 0-1.
    """
    studies = response_studies(evidence)
    numbers = headline_numbers(evidence)
    options = None
    if profile is not None and len(evidence.eligibility):
        options = class_options(evidence, profile, numbers=numbers)
    checks = trials = None
    if stated_ranges:
        checks, trials = _ranges(evidence)
    return AnalysisTables(
        version=evidence.version, content_hash=evidence.content_hash, classes=evidence.classes,
        agents=evidence.agents, sources=reader_sources(evidence.sources), trials=evidence.trials,
        studies=studies,
        pooled=pool_within_strata(studies), numbers=numbers, status=class_status(evidence),
        words=topic_words(evidence),
        options=options, profile=profile, example_profile=profile == EXAMPLE_PROFILE,
        range_checks=checks, range_trials=trials, questions=evidence.questions,
        trials_offered=trials_to_ask_about(evidence.trials))


def _ranges(evidence: Evidence) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stated-range checks and the trials behind them; empty frames when no range is stated."""
    if not len(evidence.reported_ranges):
        return pd.DataFrame(columns=columns("RangeCheck")), pd.DataFrame()
    checks = check_reported_ranges(evidence)
    return checks, ranges_trials(evidence, checks)
