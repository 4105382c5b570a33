"""The patient decision aid: plain language (textstat, offline), nothing for analysts, and every number
the library's number for the same option and stratum."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import EVIDENCE, real_evidence
from readability import NetworkBlocked, no_network, offline_textstat, prose_sentences

from lymphoma_evidence.analysis.headline import headline_numbers, relapse_numbers
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.formatting import day_in_words, natural_frequency
from lymphoma_evidence.reports.decision_aid import DecisionAid
from lymphoma_evidence.reports.glossary import glossary_terms
from lymphoma_evidence.vocabulary import PATIENT_DISCLAIMER

#: The sections in page order, as the notebook calls them.
SECTIONS = ("page_one", "outlook", "no_treatment", "support", "option_grid", "values", "questions_page",
            "about", "glossary", "sources")
#: Sections whose text is prose for the reading-level bar (the grid is a table; glossary and sources are
#: reference lists).
PROSE = ("page_one", "outlook", "no_treatment", "support", "questions_page", "about")
MAX_GRADE = 8.0
MAX_WORDS_PER_SENTENCE = 20
#: Everyday abbreviations a reader knows without an expansion.
EVERYDAY = {"UK", "US", "USA"}
#: Words written for analysts that a patient must never see.
DENIED = ("not verified", "not seen", "not read in this pass", "analyst check", "curator", "label text",
          "pooled", "heterogeneity", "confidence interval", "clopper", "prediction interval", "content hash",
          "trial_criteria", "stratum", "strata", "efficacy evaluable", "intention to treat", "r/r",
          "monotherapy")


#: Who made and reviewed the aid, as a fixture: real values live in notebooks/reports.toml.
PEOPLE = {"made_by": "Ann Writer (patient advocate) and Bob Checker (statistician).",
          "reviewed_by": "Dr Carol Reviewer (haematologist) and Dan Patient (patient reviewer).",
          "interests": "Dr Reviewer has received speaker fees from a maker of bispecific antibodies.",
          "funding": "A grant from a patient charity."}


def build(evidence, **changes) -> dict[str, str]:
    """Every section of the aid, in page order, as HTML strings."""
    options = {**PEOPLE, **changes}
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
    terms = glossary_terms(real_evidence())
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


def test_benefit_numbers_in_the_grid_are_direct_and_say_who_was_given_the_choice(sections):
    spans = BeautifulSoup(sections["option_grid"], "html.parser").select("span.aid-number")
    benefits = [s for s in spans if "/" not in s["data-measure"] and "mortality" not in s["data-measure"]]
    assert benefits and {s["data-stratum"] for s in benefits} == {"post_car_t"}
    for span in benefits:
        assert "people who were given this after CAR-T" in span.get_text(" ")


def test_every_harm_number_says_plainly_when_it_is_not_from_people_after_car_t(sections):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    harms = [s for s in soup.select("span.aid-number") if "/" in s["data-measure"]]
    assert harms, "no side-effect number from harms.csv is shown"
    for span in harms:
        said = span.find_parent("td").get_text(" ")
        if span["data-stratum"] == "post_car_t":
            assert "after CAR-T" in span.get_text(" ")
        else:
            assert re.search(r"These numbers are from (people who had not had CAR-T|a group in which only "
                             r"some|studies that did not say)", said), said


def test_every_choice_has_harm_words_or_says_there_is_no_number(sections, evidence):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    harm_rows = [tr for tr in soup.select("tbody tr") if tr.th and "serious problems" in tr.th.get_text()]
    cells = [td for tr in harm_rows for td in tr.select("td")]
    assert len(cells) == len(evidence.aid_options)
    for cell in cells:
        text = cell.get_text(" ")
        assert cell.select("span.aid-number") or "no number" in text or cell.select(".aid-none"), text
        assert "approved for" not in text and "only treats the area" not in text


def test_rows_that_compare_choices_sit_under_the_caveat_that_the_people_differed(sections, evidence):
    caveat = evidence.aid_text.loc[evidence.aid_text["part"] == "row_caveat", "plain_words"].iloc[0]
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    for table in soup.select("table.aid-grid"):
        rows = table.select("tbody tr")
        band = [i for i, tr in enumerate(rows) if "aid-caveat-row" in (tr.get("class") or [])]
        compares = [i for i, tr in enumerate(rows) if tr.select("span.aid-number") or "aid-compares" in
                    (tr.get("class") or [])]
        assert len(band) == 1 and caveat in rows[band[0]].get_text(" ")
        assert compares and compares == list(range(band[0] + 1, band[0] + 1 + len(compares)))


def test_good_numbers_in_the_outlook_come_with_their_counterpart(sections):
    soup = BeautifulSoup(sections["outlook"], "html.parser")
    for span in soup.select("span.aid-number, span.aid-timing-number"):
        text = span.get_text(" ")
        assert re.search(r"The other (half|\d+)|Almost (everyone|no one)", text), text
    assert "half of the people whose lymphoma shrank on this" in soup.get_text(" ")


def test_no_frequency_is_written_outside_a_checked_number(sections):
    soup = BeautifulSoup("".join(sections.values()), "html.parser")
    for span in soup.select("span.aid-number, span.aid-timing-number"):
        span.decompose()
    text = re.sub(r"“[^”]*”", "", soup.get_text(" "))  # a quoted example of the wording is not a number
    assert not re.findall(r"\b\d+ (?:in|out of) (?:10|100)\b", text)


def test_every_icon_array_says_its_numbers_in_words(sections):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    images = soup.select("img.aid-icons")
    assert images
    for image in images:
        span = image.find_previous("span", class_="aid-number")
        count, denominator = int(span["data-count"]), int(span["data-denominator"])
        assert f"{count} {'is' if count == 1 else 'are'} " in image["alt"]
        assert f"{denominator - count} {'is' if denominator - count == 1 else 'are'} " in image["alt"]


def test_each_choice_has_at_most_one_picture_for_benefits_and_one_for_harms(sections):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    assert all(len(td.select("img.aid-icons")) <= 1 for td in soup.select("td"))


def test_benefits_and_harms_are_out_of_100_for_every_option(sections):
    soup = BeautifulSoup("".join(sections.values()), "html.parser")
    spans = soup.select("span.aid-number[data-denominator], span.aid-timing-number[data-denominator]")
    assert spans and {span["data-denominator"] for span in spans} == {"100"}


# -- structure ---------------------------------------------------------------------------------------


def test_grid_has_one_column_per_option_and_the_same_rows_for_each(sections, evidence):
    soup = BeautifulSoup(sections["option_grid"], "html.parser")
    tables = soup.select("table.aid-grid")
    heads = [th.get_text() for t in tables for th in t.select("thead th")]
    assert heads == list(evidence.aid_options.sort_values("display_order")["name"])
    rows = [[th.get_text() for th in t.select("tbody th")] for t in tables]
    assert rows[0] == rows[1] == rows[2] and len(rows[0]) >= 4
    for table in tables:
        labels = [th.get_text() for th in table.select("thead th")]
        for row in table.select("tbody tr:not(.aid-caveat-row)"):
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


def test_support_lists_the_patient_groups_of_the_evidence_with_links(sections, evidence):
    groups = evidence.aid_text[evidence.aid_text["part"] == "support_group"]
    links = BeautifulSoup(sections["support"], "html.parser").select("li a[href^=http]")
    assert [a.get_text() for a in links] == list(groups["plain_words"])
    assert not [a for a in links if "trialslink" in a.get_text().lower()]


def test_about_says_who_funding_dates_in_words_and_update_policy(sections):
    text = BeautifulSoup(sections["about"], "html.parser").get_text(" ")
    for value in PEOPLE.values():
        assert value in text
    assert re.search(r"last checked in [A-Z][a-z]+ \d{4}", text)
    assert "every 6 months" in text and re.search(r"next check is due by [A-Z][a-z]+ \d{4}", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_questions_page_has_space_to_write(sections):
    soup = BeautifulSoup(sections["questions_page"], "html.parser")
    assert len(soup.select("ol.aid-questions-list > li")) >= 6
    assert all(li.select(".aid-write span") for li in soup.select("ol.aid-questions-list > li"))


def test_page_one_states_what_happened_the_choices_and_three_questions(sections):
    soup = BeautifulSoup(sections["page_one"], "html.parser")
    text = soup.get_text(" ")
    assert "came back, or did not go away, after CAR T-cell therapy" in text
    assert "The choice to make now" in text and "ask your team how long you have to decide" in text
    assert len(soup.select("ul > li")) == 9
    assert len(soup.select(".aid-starters li")) == 3


# -- parameters and inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["made_by", "reviewed_by", "interests", "funding"])
@pytest.mark.parametrize("value", ["  ", "TODO", "Reviewer: TBD", "<name here>", "Not set"])
def test_empty_or_placeholder_authors_reviewers_interests_or_funding_are_refused(evidence, name, value):
    with pytest.raises(ParameterError, match=f"{name} is (empty|a placeholder)"):
        DecisionAid(evidence, **{**PEOPLE, name: value})


def test_a_bad_review_period_or_relapse_timing_is_refused(evidence):
    with pytest.raises(ParameterError, match="Invalid review_months 0. Expected 1 to 24 months."):
        DecisionAid(evidence, **PEOPLE, review_months=0)
    with pytest.raises(ParameterError, match="Invalid relapse_timing 'soon'. Expected one of: early, late"):
        DecisionAid(evidence, **PEOPLE, relapse_timing="soon")


def test_the_projects_values_name_no_invented_person_and_say_no_one_has_reviewed_it():
    from lymphoma_evidence.publish.definitions import load_definitions

    specs = {spec.name: spec for spec in load_definitions(EVIDENCE.parent / "notebooks" / "reports.toml")}
    params = specs["decision_aid"].parameters
    assert "No clinician or patient has reviewed this guide yet." == params["reviewed_by"]
    assert params["relapse_timing"] == "unknown"


# -- relapse timing ------------------------------------------------------------------------------------


def _timing_outcomes(html: str) -> set[str]:
    return {s["data-outcome"] for s in BeautifulSoup(html, "html.parser").select("span.aid-timing-number")}


@pytest.mark.parametrize("timing", ["early", "late"])
def test_relapse_timing_selects_the_outlook_and_each_choices_numbers(evidence, timing):
    chosen = build(evidence, relapse_timing=timing)
    rows = evidence.aid_timing
    wanted = set(rows.loc[rows["relapse_timing"] == timing, "outcome_id"])
    other = set(rows.loc[rows["relapse_timing"] != timing, "outcome_id"])
    shown = _timing_outcomes(chosen["outlook"]) | _timing_outcomes(chosen["option_grid"])
    assert shown and shown <= wanted and not shown & other
    assert shown == wanted & set(relapse_numbers(evidence)["outcome_id"])
    # a choice with no number for this timing says so
    assert "We found no numbers for this choice by how soon the lymphoma came back." in chosen["option_grid"]


def test_the_default_aid_shows_both_timings_and_every_timing_number_is_the_librarys(sections, evidence):
    shown = _timing_outcomes(sections["outlook"]) | _timing_outcomes(sections["option_grid"])
    assert shown == set(evidence.aid_timing["outcome_id"]) & set(relapse_numbers(evidence)["outcome_id"])
    table = relapse_numbers(evidence).set_index("outcome_id")
    soup = BeautifulSoup(sections["outlook"] + sections["option_grid"], "html.parser")
    for span in soup.select("span.aid-timing-number"):
        row = table.loc[span["data-outcome"]]
        window = evidence.aid_timing.set_index("outcome_id").loc[span["data-outcome"], "window"]
        text = " ".join(span.get_text(" ").split())
        assert f"came back {window}".lower() in text.lower()
        if span.has_attr("data-months"):
            assert f"{row['value']:g} months" in text
        else:
            assert natural_frequency(row["value"], 100) in text


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


def test_every_option_class_is_a_choice_of_the_aid_or_shown_under_one(evidence):
    from lymphoma_evidence.reports.aid_content import aid_options

    shown = {c for option in aid_options(evidence) for c in option.class_ids}
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    assert options == shown


def test_a_missing_heading_row_is_named_with_how_to_add_it(evidence):
    from dataclasses import replace

    text = evidence.aid_text[evidence.aid_text["part"] != "grid_harms"]
    with pytest.raises(ParameterError, match="aid_text.csv has 0 rows of part 'grid_harms'"):
        DecisionAid(replace(evidence, aid_text=text), **PEOPLE).option_grid()


def test_the_aid_words_its_numbers_and_groups_with_the_topic_tables(evidence):
    from dataclasses import replace

    measures = evidence.measures.copy()
    survival = measures["measure"] == "os_rate_12m"
    measures.loc[survival, ["patient", "patient_other"]] = ["were still here a year on", "were not"]
    strata = evidence.strata.assign(patient=evidence.strata["patient"].str.upper())
    grid = DecisionAid(replace(evidence, measures=measures, strata=strata), **PEOPLE).option_grid()
    text = BeautifulSoup(str(grid), "html.parser").get_text(" ")
    assert "were still here a year on" in text and "CAR-T were alive 1 year later" not in text
    said = strata.set_index("stratum")["patient"]
    assert any(f"These numbers are from {words}." in text for words in said)


def test_the_aid_shows_only_the_measures_with_an_aid_order(evidence):
    from dataclasses import replace

    measures = evidence.measures.assign(aid_order=evidence.measures["aid_order"].where(
        evidence.measures["kind"] != "harm"))
    grid = str(DecisionAid(replace(evidence, measures=measures), **PEOPLE).option_grid())
    assert 'data-measure="' in grid
    kinds = dict(zip(measures["measure"], measures["kind"], strict=True))
    shown = set(re.findall(r'data-measure="([^"]+)"', grid))
    assert shown and all(kinds[m] != "harm" for m in shown)


def test_a_shown_measure_without_patient_words_is_named_with_the_cell_to_fill(evidence):
    from dataclasses import replace

    measures = evidence.measures.copy()
    measures.loc[measures["measure"] == "os_rate_12m", "patient"] = None
    with pytest.raises(ParameterError, match="measures.csv: measure 'os_rate_12m' has no patient words"):
        DecisionAid(replace(evidence, measures=measures), **PEOPLE).option_grid()
