"""Certainty rationales tied to their rows, and citations without curators' notes."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import real_evidence

from lymphoma_evidence.analysis.certainty import certainty_facts, rationale_mismatches
from lymphoma_evidence.analysis.citations import citations_to_complete, plain_citation, reader_citation
from lymphoma_evidence.analysis.sof import summary_of_findings
from lymphoma_evidence.data.evidence import Evidence
from lymphoma_evidence.stats import POOLED_BY

REAL = real_evidence()


def with_rationale(text: str) -> Evidence:
    certainty = REAL.certainty.copy()
    first = (certainty["class_id"] == "bispecific_antibodies") & (certainty["stratum"] == "post_car_t") \
        & (certainty["outcome"] == "ORR")
    certainty.loc[first, "rationale"] = text
    return Evidence.from_frames(**{name: getattr(REAL, name) for name in (
        "sources", "classes", "agents", "results", "reported_ranges", "eligibility", "trials", "questions",
        "outcomes", "harms", "approvals", "option_details")}, certainty=certainty)


def test_every_real_rationale_agrees_with_its_row():
    assert rationale_mismatches(REAL).empty
    facts = certainty_facts(REAL).set_index(["class_id", "stratum", "outcome"])
    assert facts.loc[("bispecific_antibodies", "post_car_t", "ORR"), "facts"] == \
        f"2 studies, 152 patients, 45% (95% CI 38–53%), pooled ({POOLED_BY})"


@pytest.mark.parametrize(("text", "says"), [
    ("Imprecision: 60 patients.", "60 patients"),
    ("One agent in one study stands for the class.", "one study"),
    ("Imprecision: 95% CI 35-62%.", "95% CI 35-62%"),
])
def test_a_rationale_with_stale_counts_is_caught(text, says):
    found = rationale_mismatches(with_rationale(text))
    assert found["says"].tolist() == [says]
    assert found["row_has"].iloc[0].startswith("2 studies, 152 patients")


def test_counts_that_agree_or_name_a_trial_are_not_caught():
    text = "152 patients in two studies (NP30179 patients excluded), 95% CI 37-54%."
    assert rationale_mismatches(with_rationale(text)).empty


def test_the_sof_shows_the_rated_rows_facts_beside_the_rationale():
    sof = summary_of_findings(REAL, "bispecific_antibodies").set_index(["stratum", "measure"])
    reasons = sof.loc[("post_car_t", "ORR"), "certainty_reasons"]
    rated = f"[Rated row: 2 studies, 152 patients, 45% (95% CI 38–53%), pooled ({POOLED_BY}).]"
    assert reasons.endswith(rated)
    assert "152 patients in two studies" in reasons


@pytest.mark.parametrize(("citation", "shown"), [
    ("[Authors not verified]. Polatuzumab plus BR: updated results [exact title not verified]. Blood Adv.",
     "Polatuzumab plus BR: updated results. Blood Adv."),
    ("[Authors and full title not visible in the stored excerpt - IDENTIFIER TO COMPLETE]. Outcome of "
     "patients [title truncated in the address; study of X]. Blood Adv. 2024;8(20):5371.",
     "Outcome of patients. Blood Adv. 2024;8(20):5371."),
    ("Smith J. A trial. Lancet. 2020;1:2.", "Smith J. A trial. Lancet. 2020;1:2."),
])
def test_curator_notes_never_reach_readers(citation, shown):
    assert plain_citation(citation) == shown


def test_no_real_citation_shows_a_curator_note_and_the_audit_lists_them():
    shown = [reader_citation(r) for r in REAL.sources.to_dict("records")]
    for words in ("[", "]", "TO COMPLETE", "not verified", "not visible", "analyst to complete"):
        assert not any(words in text for text in shown), words
    listed = citations_to_complete(REAL.sources)
    assert set(listed["source_id"]) == set(REAL.sources.loc[
        REAL.sources["citation"].astype("string").str.contains("[", regex=False).fillna(False).to_numpy(),
        "source_id"])
    assert isinstance(listed, pd.DataFrame)
