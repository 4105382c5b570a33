"""Sections of the patient options report: which options fit one patient profile, and why."""

from __future__ import annotations

from ..analysis.eligibility import PatientProfile
from ..errors import ParameterError
from ..vocabulary import STATUS_COUNTS, STATUS_WORDS
from . import html as h
from .briefing import Briefing
from .context import figure

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


def _known(value: object, yes: str, no: str, what: str) -> str:
    return f"{what}: unknown" if value is None else (yes if value else no)


def describe(patient: PatientProfile) -> list[str]:
    """The profile in plain words, one fact per line, unknowns said as unknown."""
    lines = ["prior lines of treatment: unknown" if patient.prior_lines is None
             else f"prior lines of treatment: {patient.prior_lines}",
             _known(patient.prior_car_t, "has had CAR T-cell therapy", "has not had CAR T-cell therapy",
                    "CAR T-cell therapy before"),
             _known(patient.transplant_fit, "fit for a transplant", "not fit for a transplant",
                    "fitness for a transplant"),
             _known(patient.has_donor, "a stem-cell donor is available", "no stem-cell donor",
                    "stem-cell donor"),
             "ECOG performance status: unknown" if patient.ecog is None
             else f"ECOG performance status: {patient.ecog}"]
    antigens = [f"{name} {state}" for name, state in sorted(patient.antigens.items())]
    lines.append("markers on the lymphoma: " + (", ".join(antigens) if antigens else "unknown"))
    return lines


def profile(b: Briefing, patient: PatientProfile) -> h.Fragment:
    """The profile as given, every unknown shown as unknown."""
    return b.section("The patient profile", h.bullets([h.text(line) for line in describe(patient)]),
                     h.para(h.text("Unknown values are never guessed: an option that depends on one is "
                                   "marked 'check'.")))


def options(b: Briefing, patient: PatientProfile) -> h.Fragment:
    """Every option with its status and the reasons, then the overview figure."""
    from ..analysis.eligibility import eligible_options
    from ..figures.figureset import eligibility_figure

    table = eligible_options(b.evidence, patient)
    fmt = {"status": lambda r: h.tag("span", h.esc(STATUS_WORDS[r["status"]]),
                                     class_=f"status status-{r['status']}"),
           "reasons": lambda r: h.esc(r["reasons"]) + b.refs.cite(r["source_id"])}
    columns = [("Option", "name"), ("Kind", "scope_type"), ("Class", "class_name"), ("Status", "status"),
               ("Why", "reasons"), ("Basis", "basis")]
    counts = table["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {STATUS_COUNTS[s]}" for s in STATUS_COUNTS)
    return b.section("Options for this profile", h.para(h.text(f"{len(table)} options: {summary}.")),
                     figure(eligibility_figure(b.evidence, patient)),
                     h.table(table, columns, caption="Options by status", formatters=fmt))
