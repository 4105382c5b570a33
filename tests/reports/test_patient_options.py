"""Patient options: parameters become a profile; every option is listed with its status and reasons."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from helpers import EVIDENCE, real_evidence

from lymphoma_evidence import eligible_options
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


SECTIONS = ("lead", "situation", "choices", "outlook", "no_treatment", "next_steps", "support", "glossary",
            "sources")


def page_html(profile, relapse_timing: str = "unknown") -> dict[str, str]:
    page = section.PatientPage(real_evidence(), patient=profile, relapse_timing=relapse_timing)
    return {name: str(getattr(page, name)()) for name in SECTIONS}


def test_every_choice_of_the_aid_is_listed_once_in_one_group() -> None:
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    soup = BeautifulSoup(page_html(profile)["choices"], "html.parser")
    names = [li.strong.get_text() for li in soup.select("li")]
    assert sorted(names) == sorted(real_evidence().aid_options["name"])


def _item(html: str, name: str) -> tuple[str, str]:
    """The group heading and the text of the choice called ``name``."""
    soup = BeautifulSoup(html, "html.parser")
    item = next(li for li in soup.select("li") if li.strong and li.strong.get_text() == name)
    return item.find_previous("h3").get_text(), " ".join(item.get_text(" ").split())


@pytest.mark.parametrize("fit", ["yes", "no", "unknown"])
def test_supportive_care_fits_everyone_in_every_situation(fit: str) -> None:
    evidence = real_evidence()
    everyone = evidence.aid_options[evidence.aid_options["everyone"]]
    assert len(everyone)
    profile = section.profile_from_parameters(3, "yes", fit, fit, 1, {})
    html = page_html(profile)["choices"]
    for _, option in everyone.iterrows():
        group, text = _item(html, option["name"])
        assert group == "May fit" and "Everyone can have this, at any time." in text
        assert "no written rules" not in text


def test_a_rule_about_a_transplant_of_ones_own_cells_does_not_rule_out_someone_fit_for_a_donor_one() -> None:
    profile = section.profile_from_parameters(3, "yes", "yes", "yes", 1, {})
    group, text = _item(page_html(profile)["choices"], "Tafasitamab and lenalidomide")
    assert group == "Ask your care team", text
    assert re.search(r"own stem cells\s*\.", text) and "not the same as a donor transplant" in text


def test_a_choice_covering_several_trials_gives_the_rules_of_one_trial_only() -> None:
    profile = section.profile_from_parameters(3, "yes", "unknown", "unknown", 1, {})
    _, text = _item(page_html(profile)["choices"], "Newer CAR-T in a trial")
    markers = re.findall(r"markers? ((?:CD\d+(?: or )?)+)", text)
    assert len(markers) <= 1, text


@pytest.mark.parametrize("timing", ["early", "late"])
def test_the_profile_page_shows_the_outlook_for_its_relapse_timing(timing: str) -> None:
    evidence = real_evidence()
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    html = page_html(profile, timing)
    shown = {s["data-outcome"] for s in BeautifulSoup(html["outlook"], "html.parser")
             .select("span.aid-timing-number")}
    rows = evidence.aid_timing
    assert shown and shown <= set(rows.loc[rows["relapse_timing"] == timing, "outcome_id"])
    assert evidence.aid_text.set_index("part").loc[f"situation_{timing}", "plain_words"] in html["situation"]


def test_a_bad_relapse_timing_or_a_missing_profile_is_refused() -> None:
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    with pytest.raises(ParameterError, match="Invalid relapse_timing 'soon'"):
        section.PatientPage(real_evidence(), patient=profile, relapse_timing="soon")
    with pytest.raises(ParameterError, match="is not a PatientProfile"):
        section.PatientPage(real_evidence())


def test_the_profile_pages_of_the_build_pass_a_relapse_timing() -> None:
    from lymphoma_evidence.publish.definitions import load_definitions

    specs = [s for s in load_definitions(EVIDENCE.parent / "notebooks" / "reports.toml")
             if s.notebook.name == "patient_options.ipynb"]
    assert specs and {s.parameters["relapse_timing"] for s in specs} == {"early", "late", "unknown"}


def test_a_choice_whose_every_rule_fails_is_under_probably_not() -> None:
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    table = eligible_options(real_evidence(), profile)
    allo = table[table["class_id"] == "allo_sct"]
    assert set(allo["status"]) == {"not_eligible"}
    soup = BeautifulSoup(page_html(profile)["choices"], "html.parser")
    heading = soup.find("h3", string="Probably not")
    assert "Donor stem cell transplant" in heading.find_next("ul").get_text()
    assert "It is for people well enough for a transplant." in heading.find_next("ul").get_text()
    assert "cannot have a transplant of their own stem cells" not in heading.find_next("ul").get_text()


def test_the_page_shows_no_code_id_note_or_statistics_word() -> None:
    profile = section.profile_from_parameters(-1, "yes", "unknown", "unknown", -1, {"CD20": "positive"})
    text = BeautifulSoup("".join(page_html(profile).values()), "html.parser").get_text(" ")
    assert not re.findall(r"\b\w+_\w+\b", text)
    for word in ("trial_criteria", "not read in this pass", "not verified", "ECOG", "Basis",
                 "label text"):
        assert word not in text


def test_every_requirement_has_plain_words_from_the_evidence() -> None:
    """Each kind of requirement is worded by its aid_text.csv row (need_<kind>), its number or marker put
    in; a kind without a row is an error naming the row to add."""
    from lymphoma_evidence.analysis.eligibility import REQUIREMENTS, PatientProfile, requirement_findings
    from lymphoma_evidence.reports.aid_content import AidText

    evidence = real_evidence()
    findings = requirement_findings(evidence, PatientProfile())
    text = AidText(evidence.aid_text)
    assert len(findings) and set(findings["requirement"]) <= set(REQUIREMENTS)
    for kind in REQUIREMENTS:
        words = section.plain_need(text, kind, "7")
        assert words and "{" not in words, kind
    one = "It is for people who have had 1 or more earlier treatments."
    assert section.plain_need(text, "prior_lines", "1") == one
    assert "CD19 or CD20" in section.plain_need(text, "markers", "CD19 or CD20")
    without = AidText(evidence.aid_text[evidence.aid_text["part"] != "need_donor"])
    with pytest.raises(ParameterError, match=r"aid_text.csv has 0 rows of part 'need_donor'.*add a row"):
        section.plain_need(without, "donor")
    rows = evidence.aid_text
    donor = rows["part"] == "need_donor"
    reworded = rows.assign(plain_words=rows["plain_words"].where(~donor, "Ask about a donor."))
    assert section.plain_need(AidText(reworded), "donor") == "Ask about a donor."


def test_profile_is_described_in_plain_words() -> None:
    profile = section.profile_from_parameters(-1, "no", "unknown", "yes", 2, {})
    lines = section.describe(profile)
    assert "We do not know how many treatments came before." in lines
    assert "Has not had CAR T-cell therapy." in lines and "A matching donor has been found." in lines
    assert "Markers on the lymphoma: not known." in lines


def test_each_choices_number_is_the_aids_with_who_it_is_about_and_its_counterpart() -> None:
    from lymphoma_evidence.analysis.headline import headline_numbers
    from lymphoma_evidence.formatting import natural_frequency

    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {})
    spans = BeautifulSoup(page_html(profile)["choices"], "html.parser").select("span.aid-number")
    numbers = headline_numbers(real_evidence())
    assert spans
    for span in spans:
        row = numbers[(numbers["class_id"] == span["data-option"]) & (numbers["measure"] == "os_rate_12m")
                      & (numbers["stratum"] == "post_car_t")]
        text = span.get_text(" ")
        assert natural_frequency(float(row["value"].iloc[0]), 100) in text.lower()
        assert "people who were given this after CAR-T" in text and "The other" in text


def test_profile_prose_reads_at_grade_8_or_below_with_short_sentences(tmp_path) -> None:
    from readability import offline_textstat, prose_sentences

    profile = section.profile_from_parameters(3, "yes", "yes", "yes", 1, {})
    html = page_html(profile, "late")
    prose = [html[name] for name in SECTIONS if name not in ("glossary", "sources")]
    sentences = prose_sentences("".join(prose))
    assert len(sentences) > 20
    with offline_textstat(tmp_path / "nltk_data") as textstat:
        text = " ".join(sentences)
        grade, words = textstat.flesch_kincaid_grade(text), textstat.lexicon_count(text)
    assert grade <= 8.0, grade
    assert words / len(sentences) < 20, words / len(sentences)
