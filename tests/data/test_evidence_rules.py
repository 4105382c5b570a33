"""The issue-14 evidence model, broken on purpose: directness, class scopes, rounded counts, harms,
approvals, class roles, identifier status, certainty and option details. Each case names the exact
`file:line:column: message` that `validate` prints; the real evidence must stay valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EVIDENCE, find_line, read_rows, real_evidence, write_rows
from test_broken_evidence import assert_reports

from lymphoma_evidence.data.counts import nearest_count
from lymphoma_evidence.data.evidence import load_evidence
from lymphoma_evidence.data.validate import validate_evidence


def add_row(folder: Path, file: str, **values: str) -> int:
    """Append a row (unnamed columns empty) and return its line number."""
    rows = read_rows(folder / file)
    header = rows[0]
    unknown = set(values) - set(header)
    assert not unknown, f"{file} has no column(s) {unknown}"
    rows.append([values.get(c, "") for c in header])
    write_rows(folder / file, rows)
    return len(rows)


def set_row(folder: Path, file: str, line: int, **values: str) -> None:
    rows = read_rows(folder / file)
    for column, value in values.items():
        rows[line - 1][rows[0].index(column)] = value
    write_rows(folder / file, rows)


def a_result(folder: Path, **values: str) -> int:
    """A valid result row (an epcoritamab cohort of 100 with 40 responders) with ``values`` changed."""
    row = {"result_id": "test_result", "scope_id": "epcoritamab", "regimen": "epcoritamab", "trial": "TEST",
           "phase": "2", "disease": "LBCL", "population": "test population", "post_car_t": "false",
           "cohort_id": "test_cohort", "endpoint": "ORR", "n": "100", "responders": "40",
           "responders_basis": "reported", "reported_percent": "40", "assessment": "IRC",
           "analysis_set": "treated", "design": "single_arm", "source_id": "thieblemont2024_epcore_nhl1"}
    return add_row(folder, "results.csv", **{**row, **values})


def a_harm(folder: Path, **values: str) -> int:
    """A valid harm row (CRS in 30 of 100) with ``values`` changed."""
    row = {"harm_id": "test_harm", "scope_id": "epcoritamab", "trial": "TEST", "event": "crs", "grade": "any",
           "n": "100", "patients": "30", "patients_basis": "reported", "reported_percent": "30",
           "population": "test population", "post_car_t": "false", "design": "single_arm",
           "source_id": "thieblemont2024_epcore_nhl1"}
    return add_row(folder, "harms.csv", **{**row, **values})


def an_approval(folder: Path, **values: str) -> int:
    row = {"approval_id": "test_approval", "agent_id": "epcoritamab", "regulator": "FDA",
           "date": "2023-05-19", "disease": "DLBCL", "line_of_therapy": "after two or more lines",
           "kind": "accelerated",
           "source_id": "fda2024_epcoritamab_fl"}
    return add_row(folder, "approvals.csv", **{**row, **values})


def a_source(folder: Path, **values: str) -> int:
    row = {"source_id": "test_source", "citation": "Doe J. A study. Blood Adv. 2024;8(20):5371.",
           "label": "Doe 2024", "year": "2024", "source_type": "trial_publication",
           "url": "https://example.org/abstract", "identifier_status": "identifier_to_complete",
           "accessed": "2026-11-30"}
    return add_row(folder, "sources.csv", **{**row, **values})


def test_the_real_evidence_is_valid_under_every_rule() -> None:
    assert validate_evidence(EVIDENCE) == []


# --- directness -----------------------------------------------------------------------------------

def test_post_car_t_true_needs_a_percent_of_100(evidence_copy: Path) -> None:
    line = a_result(evidence_copy, post_car_t="true", prior_car_t_percent="60")
    assert_reports(evidence_copy, f"results.csv:{line}:prior_car_t_percent: post_car_t is true but "
                   "prior_car_t_percent is 60; post_car_t means every patient had CAR T-cell therapy "
                   "(100): set "
                   "post_car_t to false for a partly post-CAR-T cohort, or correct the percentage")


@pytest.mark.parametrize("file", ["results.csv", "harms.csv"])
def test_a_percent_of_100_needs_post_car_t_true(evidence_copy: Path, file: str) -> None:
    add = a_result if file == "results.csv" else a_harm
    line = add(evidence_copy, post_car_t="false", prior_car_t_percent="100")
    assert_reports(evidence_copy, f"{file}:{line}:post_car_t: prior_car_t_percent is 100, so every patient "
                   "had CAR T-cell therapy: set post_car_t to true")


def test_outcomes_follow_the_same_directness_rule(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "outcomes.csv", outcome_id="zuma1_5y_median_os")
    set_row(evidence_copy, "outcomes.csv", line, prior_car_t_percent="100")
    assert_reports(evidence_copy, f"outcomes.csv:{line}:post_car_t: prior_car_t_percent is 100, so every "
                   "patient had CAR T-cell therapy: set post_car_t to true")


# --- one population, one prior-CAR-T share -------------------------------------------------------------

def share_message(file: str, line: int, got: str, other: str, other_line: int, why: str, want: str) -> str:
    return (f"{file}:{line}:prior_car_t_percent: prior_car_t_percent is {got}, but {other} (line "
            f"{other_line}) about the same patients ({why}) says {want}; one population has one share of "
            "patients with prior CAR T-cell therapy: write the share the source prints in both rows, or "
            "empty in both when it prints none")


def test_a_harm_states_the_share_of_its_results_cohort(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "harms.csv", harm_id="glofitamab_np30179_crs_any")
    first = find_line(evidence_copy, "results.csv", result_id="glofitamab_np30179_cr")
    set_row(evidence_copy, "harms.csv", line, prior_car_t_percent="")
    assert_reports(evidence_copy, share_message("harms.csv", line, "empty", "results.csv", first,
                                                "cohort np30179_dlbcl", "33.5"))


def test_rows_of_one_cohort_state_one_share(evidence_copy: Path) -> None:
    first = find_line(evidence_copy, "results.csv", result_id="zuma1_5y_orr")
    line = find_line(evidence_copy, "results.csv", result_id="zuma1_5y_cr")
    set_row(evidence_copy, "results.csv", line, prior_car_t_percent="10")
    assert_reports(evidence_copy, share_message("results.csv", line, "10", "results.csv", first,
                                                "cohort zuma1_phase2_lbcl", "0"))


def test_data_cuts_of_one_trial_population_state_one_share(evidence_copy: Path) -> None:
    first = find_line(evidence_copy, "results.csv", result_id="juliet_longterm_orr")
    line = a_result(evidence_copy, scope_id="tisagenlecleucel", trial="JULIET", nct_id="NCT02445248",
                    cohort_id="juliet_other_cut")
    assert_reports(evidence_copy, share_message("results.csv", line, "empty", "results.csv", first,
                                                "trial NCT02445248, LBCL", "0"))


def test_an_outcome_states_the_share_of_the_results_from_its_population(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "outcomes.csv", outcome_id="zuma1_5y_median_os")
    first = find_line(evidence_copy, "results.csv", result_id="zuma1_5y_orr")
    set_row(evidence_copy, "outcomes.csv", line, prior_car_t_percent="")
    assert_reports(evidence_copy, share_message("outcomes.csv", line, "empty", "results.csv", first,
                                                "source neelapu2023_zuma1", "0"))


def test_an_outcome_of_another_arm_of_the_trial_may_differ(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "outcomes.csv", outcome_id="pola_br_go29365_rand_median_os")
    set_row(evidence_copy, "outcomes.csv", line, prior_car_t_percent="0")
    assert validate_evidence(evidence_copy) == []


def test_time_to_relapse_belongs_to_post_car_t_rows(evidence_copy: Path) -> None:
    line = a_result(evidence_copy, time_to_relapse="within 3 months")
    assert_reports(evidence_copy, f"results.csv:{line}:time_to_relapse: time_to_relapse 'within 3 months' "
                   "describes relapse after CAR T-cell therapy, but the row is not post-CAR-T: set "
                   "post_car_t "
                   "to true (prior_car_t_percent 100) or leave time_to_relapse empty")


def test_prior_car_t_percent_is_a_percentage(evidence_copy: Path) -> None:
    line = a_result(evidence_copy, prior_car_t_percent="130")
    assert_reports(evidence_copy, f"results.csv:{line}:prior_car_t_percent: 130 is out of range; expected a "
                   "value from 0 to 100")


def test_a_partly_post_car_t_cohort_is_valid_and_empty_percent_is_filled_for_post_car_t(
        evidence_copy: Path) -> None:
    a_result(evidence_copy, prior_car_t_percent="39")
    a_result(evidence_copy, result_id="test_post", cohort_id="test_post", post_car_t="true",
             time_to_relapse="any")
    assert validate_evidence(evidence_copy) == []
    results = load_evidence(evidence_copy).results.set_index("result_id")
    assert results.loc["test_result", "prior_car_t_percent"] == 39
    assert results.loc["test_post", "prior_car_t_percent"] == 100


# --- class scope --------------------------------------------------------------------------------------

@pytest.mark.parametrize("file", ["results.csv", "harms.csv"])
def test_scope_id_must_be_an_agent_or_a_class(evidence_copy: Path, file: str) -> None:
    add = a_result if file == "results.csv" else a_harm
    line = add(evidence_copy, scope_id="unicorn_therapy")
    assert_reports(evidence_copy, f"{file}:{line}:scope_id: 'unicorn_therapy' is neither an agent_id nor a "
                   "class_id; use an id from agents.csv or therapy_classes.csv")


def test_loader_derives_agent_and_class_for_agent_and_class_scopes(evidence_copy: Path) -> None:
    a_result(evidence_copy, result_id="test_class", cohort_id="test_class", scope_id="bispecific_antibodies")
    a_result(evidence_copy)
    results = load_evidence(evidence_copy).results.set_index("result_id")
    assert results.loc["test_class", ["agent_id", "class_id"]].isna().tolist() == [True, False]
    assert results.loc["test_class", "class_id"] == "bispecific_antibodies"
    assert results.loc["test_result", ["agent_id", "class_id"]].tolist() == ["epcoritamab",
                                                                           "bispecific_antibodies"]
    columns = list(results.reset_index().columns)
    assert columns[columns.index("scope_id") + 1: columns.index("scope_id") + 3] == ["agent_id", "class_id"]


# --- rounded counts -----------------------------------------------------------------------------------

def test_nearest_count_rounds_halves_up() -> None:
    assert nearest_count(154, 3) == 5          # 4.62
    assert nearest_count(10, 25) == 3          # 2.5
    assert nearest_count(52, 35) == 18         # 18.2


def test_a_rounded_count_is_the_nearest_whole_number(evidence_copy: Path) -> None:
    # 3% of 154 fits 4 (2.6%) and 5 (3.2%); the nearest to 4.62 is 5
    line = a_harm(evidence_copy, n="154", patients="4", patients_basis="rounded", reported_percent="3")
    assert_reports(evidence_copy, f"harms.csv:{line}:patients: patients_basis 'rounded' stores the nearest "
                   "whole number to n x reported_percent / 100 = 4.62, that is 5, not 4")


def test_a_rounded_count_that_one_number_fits_is_derived(evidence_copy: Path) -> None:
    line = a_result(evidence_copy, n="92", responders="40", responders_basis="rounded", reported_percent="43")
    assert_reports(evidence_copy, f"results.csv:{line}:responders: 43% of 92 fits one count only (40); the "
                   "count is exact: use responders_basis 'derived' with responders 40")


def test_a_rounded_count_needs_the_printed_percent(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, patients_basis="rounded", reported_percent="")
    assert_reports(evidence_copy, f"harms.csv:{line}:reported_percent: patients_basis 'rounded' needs the "
                   "percentage as printed in reported_percent; add it, or record a printed count "
                   "(patients_basis 'reported')")


def test_a_correct_rounded_count_is_valid(evidence_copy: Path) -> None:
    a_result(evidence_copy, n="155", responders="60", responders_basis="rounded", reported_percent="39")
    assert validate_evidence(evidence_copy) == []


# --- harms --------------------------------------------------------------------------------------------

def test_harm_patients_cannot_exceed_n(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, n="20", patients="25", reported_percent="")
    assert_reports(evidence_copy, f"harms.csv:{line}:patients: 25 patients exceed n = 20; patients must be "
                   "at most n")


def test_harm_percent_must_match_the_count(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, reported_percent="45")
    assert_reports(evidence_copy, f"harms.csv:{line}:reported_percent: reported 45% differs from 100 x "
                   "patients / n = 30.0% by more than 1 point; check n and patients against the source")


def test_harm_derived_count_must_be_the_only_fit(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, n="154", patients="4", patients_basis="derived", reported_percent="3")
    assert_reports(evidence_copy, f"harms.csv:{line}:patients: derived count is not determined by the "
                                   "source: "
                   "3% of 154 fits 2 counts (4, 5); record a count the source prints (patients_basis "
                   "'reported') "
                   "or leave the figure out; or store the nearest, 5, with patients_basis 'rounded'")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("event", "fatigue", "'fatigue' is not an allowed value; expected one of: crs, icans, infection, "
                             "neutropenia, thrombocytopenia, anaemia, febrile_neutropenia, "
                             "peripheral_neuropathy, "
                             "treatment_related_death, non_relapse_mortality, tumour_flare, other, "
                             "neurologic_event, infusion_reaction, serious_adverse_reaction"),
        ("grade", "grade_3", "'grade_3' is not an allowed value; expected one of: any, grade_3_plus, "
                             "grade_5"),
        ("patients_basis", "guessed", "'guessed' is not an allowed value; expected one of: reported, "
                                      "derived, "
                                      "rounded"),
        ("n", "0", "0 is out of range; expected at least 1"),
        ("design", "anecdote", "'anecdote' is not an allowed value; expected one of: randomized, single_arm, "
                               "retrospective, registry"),
        ("source_id", "nobody2024", "'nobody2024' is not a known source_id in sources.csv; add it there "
                                    "first "
                                    "or correct the spelling"),
    ],
)
def test_bad_harm_cell(evidence_copy: Path, column: str, value: str, message: str) -> None:
    line = a_harm(evidence_copy, **{column: value})
    assert_reports(evidence_copy, f"harms.csv:{line}:{column}: {message}")


def test_harm_cohort_must_be_a_results_cohort(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, cohort_id="no_such_cohort")
    assert_reports(evidence_copy, f"harms.csv:{line}:cohort_id: 'no_such_cohort' is not a cohort_id in "
                   "results.csv; use the cohort_id of the result rows about the same patients, or leave it "
                   "empty when there are none")


def test_harms_cite_primary_sources(evidence_copy: Path) -> None:
    line = a_harm(evidence_copy, source_id="survivornet_after_car_t")
    assert_reports(evidence_copy, f"harms.csv:{line}:source_id: 'survivornet_after_car_t' is an "
                                   "article; harms "
                   "must cite a primary source (trial_publication, conference_abstract, label)")


# --- approvals ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("regulator", "WHO", "'WHO' is not an allowed value; expected one of: FDA, EMA, MHRA, Health_Canada, "
                             "PMDA, other"),
        ("disease", "CLL", "'CLL' is not an allowed value; expected one of: LBCL, DLBCL, FL, MCL, "
                           "B-NHL, other"),
        ("kind", "provisional", "'provisional' is not an allowed value; expected one of: full, regular, "
                                "accelerated, conditional, complete_response_letter, refused, withdrawn"),
        ("date", "2023-05", "'2023-05' is not a real calendar date written YYYY-MM-DD"),
        ("date", "2023-02-30", "'2023-02-30' is not a real calendar date written YYYY-MM-DD"),
        ("agent_id", "unicorn_mab", "'unicorn_mab' is not a known agent_id in agents.csv; add it there "
                                    "first or "
                                    "correct the spelling"),
    ],
)
def test_bad_approval_cell(evidence_copy: Path, column: str, value: str, message: str) -> None:
    line = an_approval(evidence_copy, **{column: value})
    assert_reports(evidence_copy, f"approvals.csv:{line}:{column}: {message}")


def test_a_month_only_approval_date_is_the_first_of_the_month(evidence_copy: Path) -> None:
    line = an_approval(evidence_copy, date="2023-06-15", curator_note="MONTH ONLY: day not seen")
    assert_reports(evidence_copy, f"approvals.csv:{line}:date: curator_note says 'month only', so the date "
                   "must be the first of the month (2023-06-01)")


def test_an_approval_cites_a_label_or_agency_page(evidence_copy: Path) -> None:
    line = an_approval(evidence_copy, source_id="thieblemont2024_epcore_nhl1")
    assert_reports(evidence_copy, f"approvals.csv:{line}:source_id: 'thieblemont2024_epcore_nhl1' is a "
                   "trial_publication; an approval cites the label or the agency page (source_type label or "
                   "agency_page; an article only where neither was seen)")


# --- classes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("role", "maybe", "'maybe' is not an allowed value; expected one of: option, context"),
        ("kind", "magic", "'magic' is not an allowed value; expected one of: medicine, cell_therapy, "
                          "chemotherapy, transplant, radiotherapy, trial, supportive_care"),
        ("role", "", "a value is required in this column"),
    ],
)
def test_bad_class_cell(evidence_copy: Path, column: str, value: str, message: str) -> None:
    set_row(evidence_copy, "therapy_classes.csv", 2, **{column: value})
    code_line = f"therapy_classes.csv:2:{column}: {message}"
    from test_broken_evidence import run_validate

    code, output = run_validate(evidence_copy)
    assert code == 1
    assert any(code_line in line for line in output.splitlines()), output


def test_cd19_car_t_is_context_and_every_other_class_an_option() -> None:
    classes = real_evidence().classes.set_index("class_id")
    assert classes.loc["cd19_car_t", "role"] == "context"
    assert set(classes.drop(index="cd19_car_t")["role"]) == {"option"}


# --- identifier status --------------------------------------------------------------------------------

def test_a_result_may_cite_a_flagged_source_with_volume_page_and_address(evidence_copy: Path) -> None:
    a_source(evidence_copy)
    a_result(evidence_copy, source_id="test_source")
    assert validate_evidence(evidence_copy) == []


def test_a_result_cannot_cite_an_unflagged_source_without_identifier(evidence_copy: Path) -> None:
    line = a_source(evidence_copy, identifier_status="")
    a_result(evidence_copy, source_id="test_source")
    assert_reports(evidence_copy, f"sources.csv:{line}:pmid: 'test_source' is cited by results or harms "
                                   "but has "
                   "neither a PMID nor a DOI (a label needs its url); add one so every figure can be "
                   "traced, or, "
                   "when none can be seen, set identifier_status to identifier_to_complete with the "
                   "full citation "
                   "(volume and first page) and the url where the text was seen")


def test_a_flagged_source_needs_volume_and_first_page(evidence_copy: Path) -> None:
    line = a_source(evidence_copy, citation="Doe J. A study. Blood Adv. 2024.")
    assert_reports(evidence_copy, f"sources.csv:{line}:citation: 'test_source' is flagged "
                   "identifier_to_complete, so its citation must give year, volume and first page (e.g. "
                   "'Blood "
                   "Adv. 2024;8(20):5371'); add them or leave the source out")


def test_a_flagged_source_needs_the_address_where_it_was_seen(evidence_copy: Path) -> None:
    line = a_source(evidence_copy, url="")
    assert_reports(evidence_copy, f"sources.csv:{line}:url: 'test_source' is flagged identifier_to_complete "
                   "and needs the url of the page where its text was seen")


def test_a_source_with_a_doi_is_not_flagged(evidence_copy: Path) -> None:
    line = a_source(evidence_copy, doi="10.1182/bloodadvances.2024000001")
    assert_reports(evidence_copy, f"sources.csv:{line}:identifier_status: 'test_source' has a PMID or "
                                   "DOI, so "
                   "its identifier is not missing; set identifier_status to complete (or leave it empty)")


def test_identifier_status_values(evidence_copy: Path) -> None:
    line = a_source(evidence_copy, identifier_status="unknown")
    assert_reports(evidence_copy, f"sources.csv:{line}:identifier_status: 'unknown' is not an allowed value; "
                   "expected one of: complete, identifier_to_complete")


# --- certainty, option details, trials, eligibility ----------------------------------------------------

def a_rating(folder: Path, **values: str) -> int:
    row = {"class_id": "bispecific_antibodies", "stratum": "post_car_t", "outcome": "ORR", "certainty": "low",
           "risk_of_bias": "not_serious", "inconsistency": "not_serious", "indirectness": "not_serious",
           "imprecision": "not_serious", "publication_bias": "not_serious"}
    return add_row(folder, "certainty.csv", **{**row, **values})


def test_a_serious_domain_needs_a_rationale(evidence_copy: Path) -> None:
    line = a_rating(evidence_copy, imprecision="serious")
    assert_reports(evidence_copy, f"certainty.csv:{line}:rationale: a domain is rated serious or "
                                   "very_serious, "
                   "so a rationale is required: say why, in a sentence an analyst can check")


def test_certainty_strata_and_ratings_are_enumerated(evidence_copy: Path) -> None:
    line = a_rating(evidence_copy, stratum="mixed")
    assert_reports(evidence_copy, f"certainty.csv:{line}:stratum: 'mixed' is not an allowed value; expected "
                   "one of: post_car_t, partly, car_t_naive, unknown")


def test_a_rated_row_with_a_rationale_is_valid(evidence_copy: Path) -> None:
    a_rating(evidence_copy, imprecision="very_serious", rationale="One small single-arm cohort.")
    assert validate_evidence(evidence_copy) == []


def test_option_detail_aspect_is_enumerated(evidence_copy: Path) -> None:
    line = add_row(evidence_copy, "option_details.csv", class_id="radiotherapy", aspect="cost",
                   plain_words="Free.", source_id="lymphoma_action_radiotherapy")
    assert_reports(evidence_copy, f"option_details.csv:{line}:aspect: 'cost' is not an allowed value; "
                                   "expected "
                   "one of: how_given, where, how_often, time_in_hospital, may_not_suit, daily_life, "
                   "what_it_does, who_for")


def test_trial_prior_car_t_is_enumerated(evidence_copy: Path) -> None:
    set_row(evidence_copy, "trials.csv", 2, prior_car_t="sometimes")
    assert_reports(evidence_copy, "trials.csv:2:prior_car_t: 'sometimes' is not an allowed value; "
                                  "expected one "
                   "of: allowed, required, excluded, unknown")


def test_eligibility_plain_words_are_separate_from_the_curator_note() -> None:
    eligibility = real_evidence().eligibility
    assert eligibility["plain_words"].notna().all()
    for words in eligibility["plain_words"]:
        assert "not verified" not in words and "not seen" not in words and "this pass" not in words, words
