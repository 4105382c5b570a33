"""The patient profile pages (``notebooks/patient_options.ipynb``): which choices may fit one situation.

A patient document in the plain style of the decision aid, built from the same rows: the situation in
words, each choice of the aid (``aid_options.csv``) under "may fit", "ask your care team" or "probably
not" with the reasons of one rule in plain words, the outlook for the reader's relapse timing
(``relapse_timing``), the path of no further treatment and where to find support. The reasons come from
the eligibility analysis (:func:`~lymphoma_evidence.analysis.eligibility.requirement_findings`); curators'
notes, codes and the basis of each rule are never shown. A choice anyone can have (``everyone``) is said
to fit everyone; a choice with no rules says who can have it (``who_can``) or that no rules were found.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analysis.eligibility import MET, NOT_MET, UNKNOWN, PatientProfile, requirement_findings
from ..errors import ParameterError
from . import html as h
from .aid_content import AidOption, AidText, shown_as
from .aid_page import PatientWriter, aid_stylesheet

TRI_STATE = {"yes": True, "no": False, "unknown": None}

#: The page's groups of choices, in the order shown: status, heading, what the group means.
STATUSES = (
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


def plain_need(text: AidText, requirement: str, value: str = "") -> str:
    """A requirement of the eligibility analysis in plain words: the ``need_<requirement>`` row of
    ``aid_text.csv`` (:data:`~lymphoma_evidence.analysis.eligibility.REQUIREMENTS`), with ``{value}``
    replaced by the requirement's number or marker(s)."""
    words = text.one(f"need_{requirement}")
    return words.replace("{value}", value) if "{value}" in words else words


#: A requirement that, when it alone fails, leaves a choice to the care team: the profile's fitness is for
#: a donor transplant, while this rule is about a transplant of one's own stem cells.
OWN_CELLS_ONLY = "transplant_unfit"


def option_status(findings: pd.DataFrame, text: AidText) -> tuple[str, list[str], list[str]]:
    """Status of one choice from the findings of its rows: "fits" when some row has every requirement
    met, else "ask" when some row has none failed (or fails only on a rule about a transplant of one's
    own cells), else "not"; with the reasons of that one row (so rules of different trials are never run
    together) and their sources. Empty findings give "ask" with no reasons (the caller words them)."""
    if findings.empty:
        return "ask", [], []
    by_row = findings.groupby("scope_id", sort=False)
    failed = by_row["outcome"].apply(lambda o: (o == NOT_MET).any())
    unknown = by_row["outcome"].apply(lambda o: (o == UNKNOWN).any())
    failing = findings[findings["outcome"] == NOT_MET].groupby("scope_id", sort=False)["requirement"].agg(set)
    own_cells = failed.index.to_series().map(lambda row: failing.get(row, set()) == {OWN_CELLS_ONLY})
    if (~failed & ~unknown).any():
        row, status, shown = failed.index[~failed & ~unknown][0], "fits", (MET,)
    elif (~failed).any():
        row, status, shown = failed.index[~failed][0], "ask", (UNKNOWN,)
    elif own_cells.any():
        row, status, shown = own_cells.index[own_cells][0], "ask", (NOT_MET,)
    else:
        row, status, shown = failed.index[0], "not", (NOT_MET,)
    chosen = findings[(findings["scope_id"] == row) & findings["outcome"].isin(shown)]
    pairs = zip(chosen["requirement"], chosen["value"], strict=True)
    reasons = list(dict.fromkeys(plain_need(text, kind, value) for kind, value in pairs))
    sources = list(dict.fromkeys(findings.loc[findings["scope_id"] == row, "source_id"]))
    return status, reasons or ["Your situation fits the rules we found."], sources


@dataclass
class PatientPage(PatientWriter):
    """The sections of one patient profile page.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    patient : PatientProfile
        The situation the page is about.
    relapse_timing : str
        "early" (within about 3 months of CAR-T), "late" or "unknown" (show both).
    """

    patient: PatientProfile | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.patient, PatientProfile):
            raise ParameterError(f"patient={self.patient!r} is not a PatientProfile; build one with "
                                 "profile_from_parameters().")
        super().__post_init__()

    def lead(self) -> h.Fragment:
        """What the page is, in two sentences."""
        return h.Fragment(str(aid_stylesheet()) + str(h.para(self.words.link(
            "This page is an example. It shows which choices after CAR T-cell therapy may fit one "
            "situation. Only your care team can say what fits you."), cls="lead")))

    def situation(self) -> h.Fragment:
        """The situation the page is about."""
        assert self.patient is not None
        lines = [*describe(self.patient), *self.text.words(f"situation_{self.relapse_timing}")]
        return self.section("The situation on this page",
                            h.bullets([self.words.link(line) for line in lines]))

    def choices(self) -> h.Fragment:
        """Each choice of the aid under "may fit", "ask your care team" or "probably not"."""
        assert self.patient is not None
        findings = requirement_findings(self.evidence, self.patient)
        findings = findings.assign(option=findings["class_id"].map(shown_as(self.options)))
        numbers = self._numbers()
        grouped: dict[str, list[h.Fragment]] = {key: [] for key, _, _ in STATUSES}
        for option in self.options:
            status, reasons, sources = self._status(option, findings[findings["option"] == option.class_id])
            said = self.words.link(" ".join(reasons))
            grouped[status].append(h.Fragment(f"<strong>{self.words.link(option.name)}</strong>: "
                                              f"{self.words.link(option.summary)} {said}"
                                              f"{self.refs.cite(*sources)}"
                                              f"{numbers.get(option.class_id, '')}"))
        body = [self.words.para("These groups come from rules in medicine labels, treatment guides and "
                                "trials. They are not a decision."),
                *[self.say(w) for w in self.text.words("row_caveat")]]
        for key, title, meaning in STATUSES:
            if grouped[key]:
                body += [h.heading(3, title), h.para(h.text(meaning)), h.bullets(grouped[key])]
        return self.section("Which choices may fit?", *body)

    def _status(self, option: AidOption, findings: pd.DataFrame) -> tuple[str, list[str], list[str]]:
        """The status, reasons and sources of one choice: everyone's choice, its rules, or who can have it."""
        if option.everyone:
            return "fits", [option.who_can], [option.source_id]
        if findings.empty:
            if option.who_can:
                return "ask", [option.who_can], [option.source_id]
            return "ask", self.text.words("no_rules"), []
        own_first = findings.assign(_own=findings["class_id"] != option.class_id)
        return option_status(own_first.sort_values("_own", kind="stable").drop(columns="_own"), self.text)

    def _numbers(self) -> dict[str, h.Fragment]:
        """Each choice's survival after CAR-T as the aid says it (the first survival measure of measures.csv
        ``aid_order``): who it is about, how many lived and how many did not."""
        from .aid_numbers import DENOMINATOR, balance, natural_frequency, pick
        from .option_grid import number_span

        measure = self.measures.survival()
        if measure is None:
            return {}
        words = self.measures.of(measure)
        out = {}
        for option in self.options:
            found = pick(self.numbers, option.class_id, measure)
            if found is None:
                continue
            said = natural_frequency(found.rate, DENOMINATOR)
            text = (f" {said[0].upper()}{said[1:]} people who were given this after CAR-T {words.did}. "
                    f"{balance(found.rate, DENOMINATOR, words.other)}")
            out[option.class_id] = number_span(found, DENOMINATOR, self.words.link(text)) + \
                self.refs.cite(*found.source_ids)
        return out

    def next_steps(self) -> h.Fragment:
        """Where to read more, and three questions to start."""
        guide = h.tag("a", "the guide to your choices", href="decision_aid.html")
        return self.section(
            "What next?",
            h.para(h.Fragment(f"To learn what each choice is like, read {guide}. It shows how each is "
                              "given, the chances and the risks.")),
            h.bullets([h.text(q) for q in self.text.words("starter_question")], ordered=True))

    def sources(self) -> h.Fragment:
        """The numbered sources in plain words."""
        return self.section("Where the facts come from", self.refs.source_list(), cls="aid-back",
                            anchor="sources")

