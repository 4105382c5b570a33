"""Sections of the patient options report: which options fit one patient profile, and why."""

from __future__ import annotations

from . import htmlfrag as h
from .briefing import Briefing, figure
from .eligibility import PatientProfile
from .errors import ParameterError

STATUS_WORDS = {"eligible": "Fits the listed criteria", "check": "Check with the care team",
                "not_eligible": "Does not fit the listed criteria"}


TRI_STATE = {"yes": True, "no": False, "unknown": None}


def _tri_state(name: str, value: str) -> bool | None:
    if value not in TRI_STATE:
        raise ParameterError(f"Invalid {name} {value!r}. Expected one of: yes, no, unknown.")
    return TRI_STATE[value]


def profile_from_parameters(prior_lines: int = -1, prior_car_t: str = "unknown",
                            transplant_fit: str = "unknown", has_donor: str = "unknown", ecog: int = -1,
                            antigens: dict[str, str] | None = None) -> PatientProfile:
    """A :class:`PatientProfile` from notebook parameters.

    Numbers use ``-1`` for unknown; yes/no questions take ``"yes"``, ``"no"`` or ``"unknown"``, so every
    parameter keeps one type (papermill checks parameter types against the notebook's defaults).
    """
    return PatientProfile(prior_lines=None if prior_lines < 0 else prior_lines,
                          prior_car_t=_tri_state("prior_car_t", prior_car_t),
                          transplant_fit=_tri_state("transplant_fit", transplant_fit),
                          has_donor=_tri_state("has_donor", has_donor),
                          ecog=None if ecog < 0 else ecog, antigens=dict(antigens or {}))


def profile(b: Briefing, patient: PatientProfile) -> h.Fragment:
    """The profile as given, every unknown shown as unknown."""
    from .plots import describe_profile

    return b.section("The patient profile", h.para(h.text(describe_profile(patient))),
                     h.para(h.text("Unknown values are never guessed: an option that depends on one is "
                                   "marked 'check'.")))


def options(b: Briefing, patient: PatientProfile) -> h.Fragment:
    """Every option with its status and the reasons, then the overview figure."""
    from .eligibility import eligible_options
    from .plots import eligibility_figure

    table = eligible_options(b.evidence, patient)
    fmt = {"status": lambda r: h.tag("span", h.esc(STATUS_WORDS[r["status"]]),
                                     class_=f"status status-{r['status']}"),
           "reasons": lambda r: h.esc(r["reasons"]) + b.refs.cite(r["source_id"])}
    columns = [("Option", "name"), ("Kind", "scope_type"), ("Class", "class_name"), ("Status", "status"),
               ("Why", "reasons"), ("Basis", "basis")]
    counts = table["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {STATUS_WORDS[s].lower()}" for s in STATUS_WORDS)
    return b.section("Options for this profile", h.para(h.text(f"{len(table)} options: {summary}.")),
                     figure(eligibility_figure(b.evidence, patient)),
                     h.table(table, columns, caption="Options by status", formatters=fmt))
