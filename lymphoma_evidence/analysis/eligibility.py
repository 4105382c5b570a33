"""Which treatment options a patient may qualify for, from ``eligibility.csv`` and a patient profile.

Each row of ``eligibility.csv`` (for an agent or a whole class) lists requirements. Each requirement
is met, not met, or cannot be decided because the patient's value is unknown. An option is
``not_eligible`` when any requirement is not met, else ``check`` when any cannot be decided, else
``eligible``. Unknown never counts as met: the function does not guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError
from ..formatting import natural_frequency, percent
from . import topic
from .frames import columns, lead_number

ANTIGEN_STATES = ("positive", "negative")

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"

class Finding(NamedTuple):
    """One requirement's outcome: MET, NOT_MET or UNKNOWN; what is required and the reason, in words;
    which kind of requirement it is (one of :data:`REQUIREMENTS`) and its value (a number of lines, an
    ECOG limit, a marker or markers joined by " or "; empty when the kind has none)."""

    outcome: str
    need: str
    reason: str
    requirement: str
    value: str = ""


#: The kinds of requirement the rules check, each read from one eligibility.csv column (or two values of
#: one column): patient pages word each from its own row of aid_text.csv (part ``need_<kind>``).
REQUIREMENTS = ("prior_lines", "transplant_fit", "transplant_unfit", "donor", "marker", "markers",
                "prior_car_t", "no_prior_car_t", "car_t_not_said", "ecog")


def _optional_int(name: str, value: object, low: int, high: int | None, hint: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
        raise ParameterError(
            f"{name}={value!r} is not usable; expected {hint}, or None when unknown"
        )
    number = int(value)
    if number < low or (high is not None and number > high):
        limit = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ParameterError(f"{name}={value!r} is out of range; expected {limit}")
    return number


def _optional_bool(name: str, value: object) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(
            f"{name}={value!r} is not usable; expected True or False, or None when unknown"
        )
    return bool(value)


def _clean_antigens(antigens: object) -> dict[str, str]:
    if not isinstance(antigens, Mapping):
        raise ParameterError(
            f"antigens={antigens!r} is not a mapping; expected e.g. {{'CD19': 'negative'}}"
        )
    cleaned = {}
    for antigen, state in antigens.items():
        if not isinstance(antigen, str) or state not in ANTIGEN_STATES:
            raise ParameterError(
                f"antigens[{antigen!r}]={state!r} is not usable; expected 'positive' or 'negative' "
                "for an antigen name such as 'CD19' (leave an unknown antigen out)"
            )
        cleaned[antigen.strip().upper()] = state
    return cleaned


@dataclass(frozen=True)
class PatientProfile:
    """What is known about a patient; every field may be ``None`` (unknown).

    Attributes
    ----------
    prior_lines : int or None
        Number of prior lines of systemic therapy (0 or more).
    prior_car_t : bool or None
        Whether the patient has had CAR T-cell therapy.
    transplant_fit : bool or None
        Whether the patient is fit for (allogeneic or autologous) transplant.
    has_donor : bool or None
        Whether a suitable stem-cell donor is available.
    ecog : int or None
        ECOG performance status, 0 (fully active) to 4 (bedbound).
    antigens : mapping of str to str
        Antigen on the lymphoma cells -> ``"positive"`` or ``"negative"``, e.g.
        ``{"CD19": "negative", "CD20": "positive"}``. Names are compared case-insensitively (kept
        upper-case); an antigen that is not listed is unknown. The mapping is copied.

    Raises
    ------
    ParameterError
        When a value has the wrong type or is out of range.

    Examples
    --------
    >>> PatientProfile(prior_lines=3, prior_car_t=True, antigens={"cd19": "negative"}).antigens
    {'CD19': 'negative'}
    >>> PatientProfile(ecog=5)
    Traceback (most recent call last):
    ...
    lymphoma_evidence.errors.ParameterError: ecog=5 is out of range; expected from 0 to 4
    """

    prior_lines: int | None = None
    prior_car_t: bool | None = None
    transplant_fit: bool | None = None
    has_donor: bool | None = None
    ecog: int | None = None
    antigens: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checked = {
            "prior_lines": _optional_int("prior_lines", self.prior_lines, 0, None,
                                         "a whole number of prior lines, e.g. 2"),
            "ecog": _optional_int("ecog", self.ecog, 0, 4, "an ECOG performance status 0-4"),
            "antigens": _clean_antigens(self.antigens),
        }
        for name in ("prior_car_t", "transplant_fit", "has_donor"):
            checked[name] = _optional_bool(name, getattr(self, name))
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def _finding(outcome: str, need: str, shown: str, requirement: str, value: object = "") -> Finding:
    return Finding(outcome, need, f"requires {need} (patient: {shown})", requirement, str(value))


def _decide(value: object, wanted: object) -> str:
    return UNKNOWN if value is None else (MET if value == wanted else NOT_MET)


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return "unknown" if value is None else (yes if value else no)


def _prior_lines(row, patient: PatientProfile) -> list[Finding]:
    if pd.isna(row.min_prior_lines):
        return []
    need, lines = int(row.min_prior_lines), patient.prior_lines
    outcome = _decide(None if lines is None else lines >= need, True)
    shown = "unknown" if lines is None else str(lines)
    return [_finding(outcome, f"at least {need} prior line{'s' * (need != 1)}", shown, "prior_lines", need)]


def _transplant(row, patient: PatientProfile) -> list[Finding]:
    if row.transplant not in ("fit", "unfit"):
        return []
    need = "fitness for transplant" if row.transplant == "fit" else "being unfit for transplant"
    fit = patient.transplant_fit
    return [_finding(_decide(fit, row.transplant == "fit"), need, _yes_no(fit, "fit", "unfit"),
                     f"transplant_{row.transplant}")]


def _donor(row, patient: PatientProfile) -> list[Finding]:
    if pd.isna(row.requires_donor) or not bool(row.requires_donor):
        return []
    donor = patient.has_donor
    return [_finding(_decide(donor, True), "a donor", _yes_no(donor, "has a donor", "none"), "donor")]


def _antigen(row, patient: PatientProfile) -> list[Finding]:
    """A target such as ``CD19``; ``CD19/CD20`` or ``CD19/CD20 or CD19/CD22`` needs any one."""
    if pd.isna(row.target_antigen) or not str(row.target_antigen).strip():
        return []
    parts = re.split(r"\s*(?:/|,|\bor\b)\s*", str(row.target_antigen).strip())
    names = list({part.upper(): part for part in parts if part}.values())
    states = [patient.antigens.get(name.upper()) for name in names]
    if "positive" in states:
        outcome = MET
    elif all(state == "negative" for state in states):
        outcome = NOT_MET
    else:
        outcome = UNKNOWN
    if len(names) == 1:
        return [_finding(outcome, f"{names[0]} expression", states[0] or "unknown", "marker", names[0])]
    shown = ", ".join(f"{n} {s or 'unknown'}" for n, s in zip(names, states, strict=True))
    either = " or ".join(names)
    return [_finding(outcome, f"expression of {either}", shown, "markers", either)]


def _prior_car_t(row, patient: PatientProfile) -> list[Finding]:
    had = patient.prior_car_t
    shown = _yes_no(had, "had CAR-T", "no CAR-T")
    if row.prior_car_t == "required":
        return [_finding(_decide(had, True), "prior CAR T-cell therapy", shown, "prior_car_t")]
    if row.prior_car_t == "excluded":
        return [_finding(_decide(had, False), "no prior CAR T-cell therapy", shown, "no_prior_car_t")]
    if row.prior_car_t == "unknown" and had is not False:
        reason = f"the source does not say whether patients after CAR-T qualify (patient: {shown})"
        return [Finding(UNKNOWN, "", reason, "car_t_not_said")]
    return []


def _ecog(row, patient: PatientProfile) -> list[Finding]:
    if pd.isna(row.max_ecog):
        return []
    limit, ecog = int(row.max_ecog), patient.ecog
    outcome = _decide(None if ecog is None else ecog <= limit, True)
    shown = "unknown" if ecog is None else str(ecog)
    return [_finding(outcome, f"ECOG performance status {limit} or lower", shown, "ecog", limit)]


RULES = (_prior_lines, _transplant, _donor, _antigen, _prior_car_t, _ecog)


def _assess(row, patient: PatientProfile) -> tuple[str, str]:
    """Status and plain-words reasons for one eligibility row (a namedtuple from itertuples)."""
    findings = [finding for rule in RULES for finding in rule(row, patient)]
    failed = [f.reason for f in findings if f.outcome == NOT_MET]
    unsure = [f.reason for f in findings if f.outcome == UNKNOWN]
    if failed:
        return "not_eligible", "; ".join(failed + unsure)
    if unsure:
        return "check", "; ".join(unsure)
    met = "; ".join(f.need for f in findings if f.need)
    return "eligible", f"meets every listed requirement ({met})" if met else "no requirements listed"


def _scopes(evidence: Evidence) -> pd.DataFrame:
    """scope_id -> scope_type, name, class_id, class_name, display_order for agents and classes."""
    classes = evidence.classes.rename(columns={"name": "class_name"})
    agents = evidence.agents.merge(classes[["class_id", "class_name"]], on="class_id", how="left")
    as_agents = agents.assign(scope_type="agent").rename(columns={"agent_id": "scope_id"})
    as_classes = classes.assign(scope_type="class", scope_id=classes["class_id"],
                                name=classes["class_name"])
    columns = ["scope_id", "scope_type", "name", "class_id", "class_name"]
    scopes = pd.concat([as_agents[columns], as_classes[columns]], ignore_index=True)
    order = classes[["class_id", "display_order"]]
    return scopes.merge(order, on="class_id", how="left").drop_duplicates("scope_id")


def eligible_options(evidence: Evidence, profile: PatientProfile) -> pd.DataFrame:
    """Every option in ``eligibility.csv`` with the patient's status and the reasons in plain words.

    Status per row: ``not_eligible`` when a requirement is not met, else ``check`` when the
    patient's value for a requirement is unknown, else ``eligible``. Requirements read from the
    row: at least ``min_prior_lines``; ``transplant`` fit or unfit (``any`` = none); a donor when
    ``requires_donor``; expression of ``target_antigen`` (``CD19/CD20``: any one of them; all
    negative = not met); ``prior_car_t`` ``required`` or ``excluded`` (``allowed`` = none;
    ``unknown``: met only for a patient known to have had no CAR-T, otherwise ``check``); ECOG at
    most ``max_ecog``. Only rows present are evaluated: an agent without its own row inherits
    nothing from its class's row.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle (``eligibility``, ``agents``, ``classes``).
    profile : PatientProfile
        What is known about the patient.

    Returns
    -------
    pandas.DataFrame
        One row per eligibility row, columns :class:`~.frames.EligibleOptions`; ``scope_type`` is ``agent``
        or ``class``; ``reasons`` is ``"; "``-joined, e.g. ``"requires at least 2 prior lines
        (patient: 1)"``. Ordered by class display order, then file order.

    Raises
    ------
    ParameterError
        When ``profile`` is not a PatientProfile.

    Examples
    --------
    >>> patient = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False,
    ...                          antigens={"CD19": "negative"})
    >>> options = eligible_options(load_evidence(), patient)       # doctest: +SKIP
    >>> options[["name", "status", "reasons"]]                        # doctest: +SKIP
    """
    if not isinstance(profile, PatientProfile):
        raise ParameterError(
            f"profile={profile!r} is not a PatientProfile; build one with "
            "PatientProfile(prior_lines=..., prior_car_t=..., ...)"
        )
    rows = evidence.eligibility.assign(_position=range(len(evidence.eligibility)))
    rows = rows.merge(_scopes(evidence), on="scope_id", how="left")
    assessed = [_assess(row, profile) for row in rows.itertuples(index=False)]
    rows = rows.assign(status=[a[0] for a in assessed], reasons=[a[1] for a in assessed])
    rows = rows.sort_values(["display_order", "_position"], na_position="last", kind="mergesort")
    return rows[columns("EligibleOptions")].reset_index(drop=True)


#: Columns of :func:`class_options`: those of :class:`~.frames.EligibleOptions`, then the agents beneath
#: each class and the caveat of an option that fits but may still be a poor choice.
CLASS_OPTION_COLUMNS = ["scope_id", "scope_type", "name", "class_id", "class_name", "status", "reasons",
                        "basis", "source_id", "agents", "caveat", "caveat_source_ids"]

_STATUS_RANK = {"eligible": 0, "check": 1, "not_eligible": 2}


def class_options(evidence: Evidence, profile: PatientProfile,
                  numbers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The options for a patient as therapy classes, with their agents beneath them (never both).

    A class's status is that of its own ``eligibility.csv`` row when it has one, else the best status
    among its agents' rows (the option fits when one of its agents does); the reasons are those of the
    row that decided. ``agents`` lists each agent with a row as ``"Name: status"`` ("; "). Classes that
    are the therapy that failed (``role`` context) are left out. ``caveat`` names, for a class that fits,
    the agents whose own rows do not fit (an agent's target antigen may be absent where the class row
    lists none), and says why an option that fits may still be a poor choice when the direct evidence says
    so: its number after CAR-T of a measure the topic names for it is below the topic's limit
    (measures.csv ``poor_choice_below``, :func:`~lymphoma_evidence.analysis.topic.poor_choice_limits`;
    the number from :func:`~lymphoma_evidence.analysis.headline.headline_numbers`, cited in
    ``caveat_source_ids``). ``numbers`` is that table when the caller already has it (it is computed
    otherwise).

    Returns
    -------
    pandas.DataFrame
        One row per class with eligibility criteria, columns :data:`CLASS_OPTION_COLUMNS`, in display
        order; ``scope_type`` is ``class``.
    """
    from .headline import headline_numbers

    rows = eligible_options(evidence, profile)
    classes = evidence.classes.sort_values("display_order")
    if "role" in classes.columns:
        classes = classes[classes["role"].astype("string").fillna("option") != "context"]
    numbers = headline_numbers(evidence) if numbers is None else numbers
    limits, headings = topic.poor_choice_limits(evidence), topic.measure_words(evidence, "heading")
    out = []
    for cls in classes.to_dict("records"):
        mine = rows[rows["class_id"] == cls["class_id"]]
        if mine.empty:
            continue
        own = mine[mine["scope_type"] == "class"]
        agents = mine[mine["scope_type"] == "agent"]
        decider = own.iloc[0] if len(own) else agents.assign(
            _r=agents["status"].map(_STATUS_RANK)).sort_values("_r", kind="stable").iloc[0]
        poor = _poor_choice(numbers, cls["class_id"], limits, headings)
        caveats = [_agents_caveat(agents) if decider["status"] == "eligible" else "", *poor.keys()]
        caveat = "; ".join(c for c in caveats if c)
        caveat_ids = "; ".join(dict.fromkeys(s for ids in poor.values() for s in ids.split("; ") if s))
        out.append({
            "scope_id": cls["class_id"], "scope_type": "class", "name": cls["name"],
            "class_id": cls["class_id"], "class_name": cls["name"], "status": decider["status"],
            "reasons": decider["reasons"], "basis": decider["basis"], "source_id": decider["source_id"],
            "agents": "; ".join(f"{a['name']}: {a['status'].replace('_', ' ')}"
                                for a in agents.to_dict("records")),
            "caveat": caveat, "caveat_source_ids": caveat_ids,
        })
    return pd.DataFrame(out, columns=CLASS_OPTION_COLUMNS)


def _poor_choice(numbers: pd.DataFrame, class_id: str, limits: dict[str, float],
                 headings: dict[str, str]) -> dict[str, str]:
    """Caveat -> its source ids, for each measure of ``limits`` whose number after CAR-T for the class is
    below its limit, e.g. ``"may still be a poor choice: about 1 in 10 (6%) alive without progression at
    12 months after CAR-T (<trial>)"``."""
    found = {}
    for measure, limit in limits.items():
        row = lead_number(numbers, class_id, measure, strata=("post_car_t",))
        if row is None or not float(row["rate"]) < limit:
            continue
        heading = headings.get(measure, measure)
        found[f"may still be a poor choice: {natural_frequency(float(row['rate']))} ({percent(row['rate'])}) "
              f"{heading[:1].lower() + heading[1:]} after CAR-T ({str(row['trials']).split(' (')[0]})"] = \
            str(row["source_ids"])
    return found


def _agents_caveat(agents: pd.DataFrame) -> str:
    """For a class that fits: the agents whose own rows do not (a target antigen the lymphoma lacks...),
    e.g. ``"not for every agent: Loncastuximab tesirine does not fit (requires CD19 expression ...)"``."""
    unfit = agents[agents["status"] == "not_eligible"]
    if unfit.empty:
        return ""
    named = "; ".join(f"{a['name']} does not fit ({a['reasons']})" for a in unfit.to_dict("records"))
    return f"not for every agent: {named}"


FINDING_COLUMNS = ["scope_id", "class_id", "outcome", "need", "requirement", "value", "source_id"]


def requirement_findings(evidence: Evidence, profile: PatientProfile) -> pd.DataFrame:
    """One row per requirement of each eligibility row, for readers who need the pieces, not a sentence.

    The same rules as :func:`eligible_options`, kept apart: ``outcome`` is ``met``, ``not_met`` or
    ``unknown``; ``need`` is what the row requires in the words of :func:`eligible_options` ("at least 2
    prior lines", "fitness for transplant", "a donor", "CD20 expression", "expression of CD19 or CD20",
    "prior CAR T-cell therapy", "no prior CAR T-cell therapy", "ECOG performance status 2 or lower"), or
    empty when the source does not say whether people after CAR-T qualify; ``requirement`` is its kind
    (:data:`REQUIREMENTS`) and ``value`` its number or marker(s), for pages that word it themselves.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle (``eligibility``, ``agents``, ``classes``).
    profile : PatientProfile
        What is known about the patient.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FINDING_COLUMNS`, in the order of ``eligibility.csv``, then of the rules.
    """
    if not isinstance(profile, PatientProfile):
        raise ParameterError(f"profile={profile!r} is not a PatientProfile")
    rows = evidence.eligibility.merge(_scopes(evidence)[["scope_id", "class_id"]], on="scope_id", how="left")
    found = [(row.scope_id, row.class_id, f.outcome, f.need, f.requirement, f.value, row.source_id)
             for row in rows.itertuples(index=False) for rule in RULES for f in rule(row, profile)]
    return pd.DataFrame(found, columns=FINDING_COLUMNS)
