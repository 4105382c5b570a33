"""Patient options: parameters become a profile; every option is listed with its status and reasons."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from helpers import EVIDENCE

from lymphoma_evidence import eligible_options, load_evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.reports import patient_options as section


def test_parameters_map_to_a_profile_with_unknowns() -> None:
    profile = section.profile_from_parameters(-1, "yes", "no", "unknown", -1, {"cd19": "negative"})
    assert profile.prior_lines is None and profile.ecog is None
    assert profile.prior_car_t is True and profile.transplant_fit is False and profile.has_donor is None
    assert profile.antigens == {"CD19": "negative"}


def test_a_yes_no_parameter_must_be_yes_no_or_unknown() -> None:
    with pytest.raises(ParameterError, match="Invalid has_donor 'maybe'. Expected one of: yes, no, unknown."):
        section.profile_from_parameters(2, "yes", "no", "maybe", 1, {})


def page_html(profile) -> dict[str, str]:
    page = section.PatientPage(load_evidence(EVIDENCE), profile)
    return {name: str(getattr(page, name)()) for name in
            ("lead", "situation", "choices", "next_steps", "glossary", "sources")}


def test_every_choice_of_the_aid_is_listed_once_in_one_group() -> None:
    from lymphoma_evidence.reports.option_grid import OPTIONS

    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    soup = BeautifulSoup(page_html(profile)["choices"], "html.parser")
    names = [li.strong.get_text() for li in soup.select("li")]
    assert sorted(names) == sorted(name for _, name, _ in OPTIONS)


def test_a_choice_whose_every_rule_fails_is_under_probably_not() -> None:
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    table = eligible_options(load_evidence(EVIDENCE), profile)
    allo = table[table["class_id"] == "allo_sct"]
    assert set(allo["status"]) == {"not_eligible"}
    soup = BeautifulSoup(page_html(profile)["choices"], "html.parser")
    heading = soup.find("h3", string="Probably not")
    assert "Donor stem cell transplant" in heading.find_next("ul").get_text()
    assert "It is for people well enough for a transplant." in heading.find_next("ul").get_text()


def test_the_page_shows_no_code_id_note_or_statistics_word() -> None:
    profile = section.profile_from_parameters(-1, "yes", "unknown", "unknown", -1, {"CD20": "positive"})
    text = BeautifulSoup("".join(page_html(profile).values()), "html.parser").get_text(" ")
    assert not re.findall(r"\b\w+_\w+\b", text)
    for word in ("trial_criteria", "not read in this pass", "not verified", "ECOG", "Basis",
                 "label text"):
        assert word not in text


def test_every_requirement_has_plain_words() -> None:
    from lymphoma_evidence.analysis.eligibility import PatientProfile, requirement_findings

    findings = requirement_findings(load_evidence(EVIDENCE), PatientProfile())
    assert len(findings) and all(section.plain_need(need) for need in findings["need"])
    one = "It is for people who have had at least 1 earlier treatment."
    assert section.plain_need("at least 1 prior line") == one
    with pytest.raises(ParameterError, match="No plain words for the requirement 'a unicorn'"):
        section.plain_need("a unicorn")


def test_profile_is_described_in_plain_words() -> None:
    profile = section.profile_from_parameters(-1, "no", "unknown", "yes", 2, {})
    lines = section.describe(profile)
    assert "We do not know how many treatments came before." in lines
    assert "Has not had CAR T-cell therapy." in lines and "A matching donor has been found." in lines
    assert "Markers on the lymphoma: not known." in lines


def test_a_choice_that_fits_but_did_poorly_after_car_t_says_so_with_the_librarys_number() -> None:
    from lymphoma_evidence.analysis.headline import headline_numbers
    from lymphoma_evidence.formatting import natural_frequency

    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    soup = BeautifulSoup(page_html(profile)["choices"], "html.parser")
    spans = soup.select("span.aid-number")
    numbers = headline_numbers(load_evidence(EVIDENCE))
    for span in spans:
        row = numbers[(numbers["class_id"] == span["data-option"]) & (numbers["measure"] == "pfs_rate_12m")
                      & (numbers["stratum"] == "post_car_t")]
        assert natural_frequency(float(row["value"].iloc[0]), 10) in span.get_text(" ")
        assert "after CAR-T" in span.get_text(" ")
    from lymphoma_evidence.analysis.eligibility import class_options

    options = class_options(load_evidence(EVIDENCE), profile)
    flagged = options.loc[options["caveat"].astype("string").fillna("").str.len() > 0, "class_id"]
    assert spans and [s["data-option"] for s in spans] == list(flagged)
