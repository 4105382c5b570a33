"""The patient decision aid: plain language (textstat, offline), nothing for analysts, and every number
the library's number for the same option and stratum."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import EVIDENCE
from readability import NetworkBlocked, no_network, offline_textstat, prose_sentences

from lymphoma_evidence.analysis.headline import headline_numbers
from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.formatting import day_in_words, natural_frequency
from lymphoma_evidence.reports.decision_aid import DecisionAid
from lymphoma_evidence.reports.glossary import glossary_terms
from lymphoma_evidence.vocabulary import PATIENT_DISCLAIMER

#: The sections in page order, as the notebook calls them.
SECTIONS = ("page_one", "outlook", "support", "option_grid", "questions_page", "about", "glossary", "sources")
#: Sections whose text is prose for the reading-level bar (the grid is a table; glossary and sources are
#: reference lists).
PROSE = ("page_one", "outlook", "support", "questions_page", "about")
MAX_GRADE = 8.0
MAX_WORDS_PER_SENTENCE = 20
#: Everyday abbreviations a reader knows without an expansion.
EVERYDAY = {"UK", "US", "USA"}
#: Words written for analysts that a patient must never see.
DENIED = ("not verified", "not seen", "not read in this pass", "analyst check", "curator", "label text",
          "pooled", "heterogeneity", "confidence interval", "clopper", "prediction interval", "content hash",
          "trial_criteria", "stratum", "strata", "efficacy evaluable", "intention to treat", "r/r",
          "monotherapy")


def build(evidence, **changes) -> dict[str, str]:
    """Every section of the aid, in page order, as HTML strings."""
    options = {"made_by": "the project", "funding": "No funding has been declared.", **changes}
    aid = DecisionAid(evidence, **options)
    return {name: str(getattr(aid, name)()) for name in SECTIONS}


@pytest.fixture(scope="module")
def sections(evidence) -> dict[str, str]:
    return build(evidence)


@pytest.fixture(scope="module")
def shown_text(sections) -> str:
    """What a reader sees: the text of every section (attributes and markup dropped)."""
    return BeautifulSoup("".join(sections.values()), "html.parser").get_text(" ")


# -- plain language ----------------------------------------------------------------------------------


def test_prose_reads_at_grade_8_or_below_with_short_sentences(sections, tmp_path: Path):
    sentences = prose_sentences("".join(sections[name] for name in PROSE))
    assert len(sentences) > 20, "too little prose found to score"
    with offline_textstat(tmp_path / "nltk_data") as textstat:
        text = " ".join(sentences)
        grade = textstat.flesch_kincaid_grade(text)
        words = textstat.lexicon_count(text)
        per_sentence = words / len(sentences)
        hardest = sorted(((textstat.flesch_kincaid_grade(s), s) for s in sentences), reverse=True)
    worst = "\n".join(f"  grade {g:.1f}: {s}" for g, s in hardest[:8] if g > MAX_GRADE)
    long = "\n".join(f"  {len(s.split())} words: {s}" for s in sentences if len(s.split()) >= 25)
    assert grade <= MAX_GRADE, f"Flesch-Kincaid grade {grade:.1f} > {MAX_GRADE}; hardest sentences:\n{worst}"
    assert per_sentence < MAX_WORDS_PER_SENTENCE, \
        f"{per_sentence:.1f} words per sentence (limit {MAX_WORDS_PER_SENTENCE}); longest:\n{long}"


def test_the_reading_check_really_is_offline(tmp_path: Path):
    import urllib.request

    with pytest.raises(NetworkBlocked), no_network():
        urllib.request.urlopen("http://192.0.2.1/", timeout=1)  # a documentation address, never reached
    with offline_textstat(tmp_path / "nltk_data") as textstat:
        assert textstat.syllable_count("medicine") == 3  # from the CMU dictionary, not a download


# -- nothing written for analysts ----------------------------------------------------------------------


def test_no_curator_note_id_enum_hash_or_statistics_jargon_is_shown(sections, shown_text: str, evidence):
    lowered = shown_text.lower()
    assert not [w for w in DENIED if w in lowered]
    assert not re.findall(r"\b\w+_\w+\b", shown_text), "an id or enum value with an underscore is shown"
    assert not re.findall(r"\b[0-9a-f]{10,}\b", shown_text), "something like a hash is shown"
    # statistics and disease abbreviations; source titles (a guideline named "... DLBCL") are names, not prose
    outside_titles = BeautifulSoup("".join(v for k, v in sections.items() if k != "sources"),
                                   "html.parser").get_text(" ")
    assert not re.findall(r"\b(CI|ITT|I²|I2|ORR|CR|PFS|OS|NRM|DLBCL|LBCL|ECOG|HCT|SCT|ADC)\b", outside_titles)
    assert not re.findall(r"\b(CI|ITT|I²|I2|ORR|PFS|NRM)\b", shown_text)
    curator_notes = [n for n in evidence.eligibility.get("curator_note", []) if isinstance(n, str)]
    assert not [n for n in curator_notes if n and n in shown_text]


def test_every_abbreviation_outside_the_source_titles_is_explained(sections):
    soup = BeautifulSoup("".join(v for k, v in sections.items() if k != "sources"), "html.parser")
    for marker in soup.select("sup.cite"):
        marker.decompose()
    tokens = set(re.findall(r"\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*\b", soup.get_text(" ")))
    terms = glossary_terms(load_evidence())
    in_glossary = " ".join(f"{term.term} {term.meaning} {' '.join(term.forms)}" for term in terms)
    explained = set(re.findall(r"\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*\b", in_glossary)) | EVERYDAY
    assert not tokens - explained, f"abbreviations without an expansion: {sorted(tokens - explained)}"


def test_one_disclaimer_lives_in_the_page_frame_not_in_the_sections(shown_text: str):
    assert "not medical advice" not in shown_text.lower()
    assert "not medical advice" in PATIENT_DISCLAIMER


# -- numbers -----------------------------------------------------------------------------------------


def test_every_number_is_the_librarys_number_for_that_option_and_stratum(sections, evidence):
    numbers = headline_numbers(evidence)
    spans = BeautifulSoup("".join(sections.values()), "html.parser").select("span.aid-number")
    assert spans, "the aid shows no number"
    for span in spans:
        row = numbers[(numbers["class_id"] == span["data-option"])
                      & (numbers["measure"] == span["data-measure"])
                      & (numbers["stratum"] == span["data-stratum"])]
        assert len(row) == 1, span
        value = float(row["value"].iloc[0])
        text = " ".join(span.get_text(" ").split())
        if span.has_attr("data-months"):
            assert f"{value:g} months" in text
            continue
        denominator = int(span["data-denominator"])
        assert int(span["data-count"]) == round(value * denominator)
        assert natural_frequency(value, denominator) in text.lower(), text


def test_numbers_in_the_grid_are_direct_post_car_t_evidence_only(sections):
    spans = BeautifulSoup(sections["option_grid"], "html.parser").select("span.aid-number")
    assert spans and {s["data-stratum"] for s in spans} == {"post_car_t"}
    for span in spans:
        assert "after CAR T-cell therapy" in span.get_text(" ") or "after CAR-T" in span.get_text(" ")


def test_no_frequency_is_written_outside_a_checked_number(sections):
    soup = BeautifulSoup("".join(sections.values()), "html.parser")
    for span in soup.select("span.aid-number"):
        span.decompose()
    text = re.sub(r"“[^”]*”", "", soup.get_text(" "))  # a quoted example of the wording is not a number
    assert not re.findall(r"\b\d+ (?:in|out of) (?:10|100)\b", text)


def test_every_icon_array_says_its_numbers_in_words(sections):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    for cell in soup.select("td"):
        images = cell.select("img.aid-icons")
        spans = cell.select("span.aid-number")
        assert len(images) == len(spans)
        for image, span in zip(images, spans, strict=True):
            count, denominator = int(span["data-count"]), int(span["data-denominator"])
            assert f"{count} {'is' if count == 1 else 'are'} " in image["alt"]
            assert f"{denominator - count} {'is' if denominator - count == 1 else 'are'} " in image["alt"]


def test_benefits_are_out_of_10_and_harms_out_of_100_for_every_option(sections):
    spans = BeautifulSoup(sections["option_grid"], "html.parser").select("span.aid-number")
    harms = {"non_relapse_mortality_rate_12m"}
    for span in spans:
        harm = span["data-measure"] in harms or "/" in span["data-measure"]
        assert span["data-denominator"] == ("100" if harm else "10")


# -- structure ---------------------------------------------------------------------------------------


def test_grid_has_one_column_per_option_and_the_same_rows_for_each(sections):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    tables = soup.select("table.aid-grid")
    heads = [th.get_text() for t in tables for th in t.select("thead th")]
    assert heads == ["Bispecific antibodies", "Antibody-drug conjugates", "Tafasitamab and lenalidomide",
                     "Chemotherapy", "Radiotherapy", "Donor stem cell transplant", "Newer CAR-T in a trial",
                     "A clinical trial", "Supportive or palliative care"]
    rows = [[th.get_text() for th in t.select("tbody th")] for t in tables]
    assert rows[0] == rows[1] == rows[2] and len(rows[0]) >= 4
    for table in tables:
        labels = [th.get_text() for th in table.select("thead th")]
        for row in table.select("tbody tr"):
            assert [td["data-label"] for td in row.select("td")] == labels


def test_glossary_links_each_first_use_to_an_entry_that_exists(sections):
    soup = BeautifulSoup("".join(sections.values()), "html.parser")
    targets = [a["href"][1:] for a in soup.select("a.gloss")]
    assert targets and len(targets) == len(set(targets)), "a term is linked more than once"
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    assert set(targets) <= ids
    assert {p["id"] for p in soup.select(".aid-glossary p")} == set(targets)


def test_every_citation_resolves_to_a_plain_source_with_a_link(sections):
    soup = BeautifulSoup("".join(sections.values()), "html.parser")
    cited = {a["href"][1:] for a in soup.select("sup.cite a")}
    listed = soup.select("ol.aid-sources li")
    assert cited == {li["id"] for li in listed}
    assert all(li.find("a", href=re.compile("^https?://")) for li in listed)


def test_support_lists_patient_organisations_with_links(sections, evidence):
    orgs = evidence.sources[evidence.sources["source_type"] == "patient_organisation"]
    links = BeautifulSoup(sections["support"], "html.parser").select("li a[href^=http]")
    assert len(links) == orgs["label"].str.split(":").str[0].nunique()


def test_about_says_who_funding_dates_in_words_and_update_policy(sections):
    text = BeautifulSoup(sections["about"], "html.parser").get_text(" ")
    assert "made by the project" in text and "No funding has been declared." in text
    assert re.search(r"last checked in [A-Z][a-z]+ \d{4}", text)
    assert "every 6 months" in text and re.search(r"next check is due by [A-Z][a-z]+ \d{4}", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_questions_page_has_space_to_write(sections):
    soup = BeautifulSoup(sections["questions_page"], "html.parser")
    assert len(soup.select("ol.aid-questions-list > li")) >= 6
    assert all(li.select(".aid-write span") for li in soup.select("ol.aid-questions-list > li"))


def test_page_one_states_what_happened_the_choices_and_three_questions(sections):
    soup = BeautifulSoup(sections["page_one"], "html.parser")
    assert "came back, or did not go away, after CAR T-cell therapy" in soup.get_text(" ")
    assert len(soup.select("ul > li")) == 9
    assert len(soup.select(".aid-starters li")) == 3


# -- parameters and inputs -----------------------------------------------------------------------------


def test_empty_funding_and_a_bad_review_period_are_refused(evidence):
    with pytest.raises(ParameterError, match="funding is empty"):
        DecisionAid(evidence, funding="  ")
    with pytest.raises(ParameterError, match="Invalid review_months 0. Expected 1 to 24 months."):
        DecisionAid(evidence, funding="x", review_months=0)


def test_the_aid_does_not_change_the_evidence(evidence):
    before = {name: getattr(evidence, name).copy() for name in ("sources", "outcomes", "results")}
    build(evidence)
    for name, frame in before.items():
        assert getattr(evidence, name).equals(frame), name


def test_dates_are_written_in_words():
    from datetime import date

    assert day_in_words(date(2026, 11, 30)) == "30 November 2026"


def test_the_default_build_set_has_the_aid_and_not_the_patient_briefing():
    from lymphoma_evidence.publish.definitions import load_definitions

    specs = {spec.name: spec for spec in load_definitions(EVIDENCE.parent / "notebooks" / "reports.toml")}
    assert "decision_aid" in specs and "briefing_patient" not in specs
    assert specs["decision_aid"].audience == "patient"
    assert json.loads(json.dumps(specs["decision_aid"].parameters))["review_months"] == 6
