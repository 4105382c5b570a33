"""The project's fixed words: audiences, eligibility statuses, and the one disclaimer.

The topic's words and choices (its endpoints and what each measure is called, what a class status says,
titles, glossary) are not here: they are tables of the evidence package, read by
:mod:`lymphoma_evidence.analysis.topic` (which checks a report's endpoint against measures.csv).

Each fact is defined here once and imported everywhere else (validation messages, charts, reports, slides,
the CLI's choices, the build template).

Part of the foundation layer: imports only :mod:`lymphoma_evidence.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from .errors import ParameterError


class Audience(StrEnum):
    """Who a report is written for: words and statistical detail change, numbers never."""

    CLINICIAN = "clinician"
    EDUCATOR = "educator"
    PATIENT = "patient"


class EligibilityStatus(StrEnum):
    """How one option fits a patient profile (see :mod:`lymphoma_evidence.analysis.eligibility`)."""

    ELIGIBLE = "eligible"
    CHECK = "check"
    NOT_ELIGIBLE = "not_eligible"


#: The audience names, in display order.
AUDIENCES: tuple[str, ...] = tuple(a.value for a in Audience)


#: Kinds of known gap (``known_gaps.csv``) that readers are told about: an option without a direct figure,
#: and an option without side-effect figures. Pages show such a gap's ``reader_note`` (plain words for a
#: clinician), never its ``reason`` (the curators' account, for the evidence audit); validation requires the
#: note for these kinds.
READER_GAP_KINDS: tuple[str, ...] = ("no_direct_figure", "no_harm_figure")


#: Eligibility statuses, most favourable first (chart order).
STATUS_ORDER: tuple[str, ...] = tuple(s.value for s in EligibilityStatus)
#: Eligibility status -> chart legend label.
STATUS_NAMES: dict[str, str] = {EligibilityStatus.ELIGIBLE: "Eligible",
                                EligibilityStatus.CHECK: "Check with team",
                                EligibilityStatus.NOT_ELIGIBLE: "Not eligible"}
#: Eligibility status -> words for a patient (the patient options report).
STATUS_WORDS: dict[str, str] = {EligibilityStatus.ELIGIBLE: "Fits the listed criteria",
                                EligibilityStatus.CHECK: "Check with the care team",
                                EligibilityStatus.NOT_ELIGIBLE: "Does not fit the listed criteria"}
#: Eligibility status -> words after a count ("3 fit the listed criteria").
STATUS_COUNTS: dict[str, str] = {EligibilityStatus.ELIGIBLE: "fit the listed criteria",
                                 EligibilityStatus.CHECK: "to check with the care team",
                                 EligibilityStatus.NOT_ELIGIBLE: "do not fit"}

#: The one disclaimer: every built page, the notebooks and the slide deck show this text.
DISCLAIMER = (
    "This is educational material, not medical advice. It summarises published studies for teaching and "
    "discussion and cannot say which treatment is right for any person: treatment decisions belong to "
    "patients and their care team, who know the full situation. Response rates from different trials are "
    "not directly comparable: the patients, follow-up and assessment differ."
)


def check_choice(name: str, value: object, allowed: Iterable[object], hint: str = "") -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``.

    The message names the parameter, the value given, the values expected and a hint, e.g.
    ``audience='press' is not allowed; expected one of: 'clinician', 'educator', 'patient'. ...``.
    """
    allowed = [a.value if isinstance(a, StrEnum) else a for a in allowed]
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"{name}={value!r} is not allowed; expected one of: {shown}. {hint}".rstrip())


def check_audience(audience: str) -> str:
    """Return ``audience`` when it is one of :data:`AUDIENCES`, else raise :class:`ParameterError`."""
    check_choice("audience", audience, AUDIENCES, "The audience changes words and detail, never numbers.")
    return audience

#: The one disclaimer of every patient document (the page frame prints it once, at the foot).
PATIENT_DISCLAIMER = ("This guide gives information. It is not medical advice. It cannot tell you which "
                      "choice is right for you. Please talk about it with your care team.")
