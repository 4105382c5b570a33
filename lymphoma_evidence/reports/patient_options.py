"""The patient profile pages (``notebooks/patient_options.ipynb``): which choices may fit one situation.

A patient document in the plain style of the decision aid: the situation in words, then each choice of
the aid under "may fit", "ask your care team" or "probably not", with the reasons in plain words. The
reasons come from the eligibility analysis (:func:`~lymphoma_evidence.analysis.eligibility.
requirement_findings`); curators' notes, codes and the basis of each rule are never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..analysis.eligibility import MET, NOT_MET, UNKNOWN, PatientProfile, requirement_findings
from ..data.evidence import Evidence
from ..errors import ParameterError
from . import html as h
from .decision_aid import STARTER_QUESTIONS
from .glossary import Glossary
from .option_grid import OPTIONS
from .plain_sources import PlainCitations

TRI_STATE = {"yes": True, "no": False, "unknown": None}

#: Therapy classes shown under another choice of the aid (newer CAR-T products are all "in a trial").
SHOWN_AS = {"dual_target_car_t": "cd22_car_t", "allogeneic_car_t": "cd22_car_t"}

#: Groups of choices, in the order shown: status, heading, what the group means.
GROUPS = (
    ("fits", "May fit", "The rules we found fit this situation."),
    ("ask", "Ask your care team", "We need to know more before we can say."),
    ("not", "Probably not", "A rule we found does not fit this situation."),
)


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


def _known(value: bool | None, yes: str, no: str, unknown: str) -> str:
    return unknown if value is None else (yes if value else no)


def describe(patient: PatientProfile) -> list[str]:
    """The situation in plain words, one fact per line; what is not known is said to be not known."""
    lines = ["We do not know how many treatments came before." if patient.prior_lines is None
             else f"{patient.prior_lines} earlier treatment{'s' * (patient.prior_lines != 1)}.",
             _known(patient.prior_car_t, "Has had CAR T-cell therapy.", "Has not had CAR T-cell therapy.",
                    "We do not know if CAR T-cell therapy came before."),
             _known(patient.transplant_fit, "Well enough for a transplant.",
                    "Not well enough for a transplant.", "Not yet known if well enough for a transplant."),
             _known(patient.has_donor, "A matching donor has been found.", "No matching donor.",
                    "Not yet known if there is a matching donor."),
             "Daily life score not known." if patient.ecog is None
             else f"Daily life score {patient.ecog}, on a scale from 0 (fully active) to 4 (in bed all day)."]
    markers = [f"{name} {state}" for name, state in sorted(patient.antigens.items())]
    lines.append("Markers on the lymphoma: " + (", ".join(markers) + "." if markers else "not known."))
    return lines


def plain_need(need: str) -> str:
    """A requirement from the eligibility analysis, in plain words."""
    rules = (
        (r"at least (\d+) prior lines?", lambda m: f"It is for people who have had at least {m[1]} earlier "
                                                   f"treatment{'s' * (m[1] != '1')}."),
        (r"fitness for transplant", lambda m: "It is for people well enough for a transplant."),
        (r"being unfit for transplant", lambda m: "It is for people who cannot have a transplant."),
        (r"a donor", lambda m: "It needs a matching donor."),
        (r"(\w+) expression", lambda m: f"It needs the marker {m[1]} on the lymphoma cells."),
        (r"expression of (.+)", lambda m: f"It needs one of the markers {m[1]} on the lymphoma cells."),
        (r"no prior CAR T-cell therapy", lambda m: "It is only for people who have not had CAR-T."),
        (r"prior CAR T-cell therapy", lambda m: "It is for people who have had CAR-T."),
        (r"ECOG performance status (\d) or lower",
         lambda m: f"It needs a daily life score of {m[1]} or lower."),
        (r"", lambda m: "We could not find if people who had CAR-T can have it."),
    )
    for pattern, words in rules:
        match = re.fullmatch(pattern, need)
        if match:
            return words(match)
    raise ParameterError(f"No plain words for the requirement {need!r}; add them to plain_need().")


def option_status(findings: pd.DataFrame) -> tuple[str, list[str], list[str]]:
    """Status of one choice from the findings of its rows: "fits" when some row has every requirement
    met, else "ask" when some row has none failed, else "not"; with the reasons and their sources."""
    if findings.empty:
        return "ask", ["We found no written rules about who this suits."], []
    by_row = findings.groupby("scope_id", sort=False)["outcome"]
    failed = by_row.apply(lambda o: (o == NOT_MET).any())
    unknown = by_row.apply(lambda o: (o == UNKNOWN).any())
    if (~failed & ~unknown).any():
        rows = failed.index[~failed & ~unknown]
        status, shown = "fits", findings[findings["scope_id"].isin(rows) & (findings["outcome"] == MET)]
    elif (~failed).any():
        rows = failed.index[~failed]
        status, shown = "ask", findings[findings["scope_id"].isin(rows) & (findings["outcome"] == UNKNOWN)]
    else:
        status, shown = "not", findings[findings["outcome"] == NOT_MET]
    reasons = list(dict.fromkeys(plain_need(n) for n in shown["need"]))
    sources = list(dict.fromkeys(shown["source_id"]))
    return status, reasons or ["Your situation fits the rules we found."], sources


@dataclass
class PatientPage:
    """The sections of one patient profile page.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    patient : PatientProfile
        The situation the page is about.
    """

    evidence: Evidence
    patient: PatientProfile
    words: Glossary = field(init=False)
    refs: PlainCitations = field(init=False)

    def __post_init__(self) -> None:
        self.words = Glossary.of(self.evidence)
        self.refs = PlainCitations(self.evidence.sources)

    def section(self, title: str, *body: str) -> h.Fragment:
        """A ``<section>`` with an h2 title."""
        return h.Fragment(f"<section>{h.heading(2, title)}{''.join(str(b) for b in body)}</section>")

    def lead(self) -> h.Fragment:
        """What the page is, in two sentences."""
        return h.para(self.words.link("This page is an example. It shows which choices after CAR T-cell "
                                      "therapy may fit one situation. Only your care team can say what "
                                      "fits you."), cls="lead")

    def situation(self) -> h.Fragment:
        """The situation the page is about."""
        return self.section("The situation on this page",
                            h.bullets([self.words.link(line) for line in describe(self.patient)]))

    def choices(self) -> h.Fragment:
        """Each choice of the aid under "may fit", "ask your care team" or "probably not"."""
        findings = requirement_findings(self.evidence, self.patient)
        findings = findings.assign(option=findings["class_id"].map(lambda c: SHOWN_AS.get(c, c)))
        caveats = self._caveats()
        grouped: dict[str, list[h.Fragment]] = {key: [] for key, _, _ in GROUPS}
        for class_id, name, _ in OPTIONS:
            status, reasons, sources = option_status(findings[findings["option"] == class_id])
            text = " ".join(reasons)
            grouped[status].append(h.Fragment(f"<strong>{self.words.link(name)}</strong>: "
                                              f"{self.words.link(text)}{self.refs.cite(*sources)}"
                                              f"{caveats.get(class_id, '')}"))
        body = [self.words.para("These groups come from rules in medicine labels, treatment guides and "
                                "trials. They are not a decision.")]
        for key, title, meaning in GROUPS:
            if grouped[key]:
                body += [h.heading(3, title), h.para(h.text(meaning)), h.bullets(grouped[key])]
        return self.section("Which choices may fit?", *body)

    def _caveats(self) -> dict[str, h.Fragment]:
        """For each choice the analysis flags as possibly poor although it fits (``class_options``
        caveat), the direct evidence in words: how many were alive 1 year later without growth."""
        from ..analysis.eligibility import class_options
        from ..formatting import natural_frequency
        from .aid_numbers import BENEFIT_DENOMINATOR, headline, pick
        from .option_grid import number_span

        flagged = class_options(self.evidence, self.patient)
        flagged = flagged[flagged["caveat"].astype("string").fillna("").str.len() > 0]
        numbers = headline(self.evidence) if len(flagged) else None
        out = {}
        for class_id in flagged["class_id"]:
            found = pick(numbers, class_id, "pfs_rate_12m")
            if found is None:
                continue
            said = natural_frequency(found.rate, BENEFIT_DENOMINATOR)
            text = (f" But only {said} people who had it after CAR-T were alive 1 year later without the "
                    "lymphoma growing.")
            out[SHOWN_AS.get(class_id, class_id)] = number_span(found, BENEFIT_DENOMINATOR,
                                                                self.words.link(text)) + \
                self.refs.cite(*found.source_ids)
        return out

    def next_steps(self) -> h.Fragment:
        """Where to read more, and three questions to start."""
        guide = h.tag("a", "the guide to your choices", href="decision_aid.html")
        return self.section(
            "What next?",
            h.para(h.Fragment(f"To learn what each choice is like, read {guide}. It shows how each is "
                              "given, the chances and the risks.")),
            h.bullets([h.text(q) for q in STARTER_QUESTIONS], ordered=True))

    def glossary(self) -> h.Fragment:
        """The words explained."""
        return self.section("Words explained", self.words.entries())

    def sources(self) -> h.Fragment:
        """The numbered sources in plain words."""
        return self.section("Where the rules come from", self.refs.source_list())
