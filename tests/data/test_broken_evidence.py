"""Broken evidence, case by case: each gives `validate` exit 1 with an exact `file:line:column: message`
(or a clean load when the input is legitimately fine), never a traceback, and never changes the file."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import cell, digest, find_line, read_rows, set_cell, write_rows

from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.validate import validate_evidence


def run_validate(folder: Path) -> tuple[int, str]:
    before = digest(folder)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert digest(folder) == before, "validate must never modify the evidence"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def assert_reports(folder: Path, expected: str) -> None:
    """``validate FOLDER`` exits 1 and prints ``FOLDER/expected`` (the folder as given) as one line."""
    code, output = run_validate(folder)
    assert code == 1
    assert f"{folder}/{expected}" in output.splitlines(), output


def results_header(folder: Path) -> str:
    return ",".join(read_rows(folder / "results.csv")[0])


# --- the file cannot be read as a table -------------------------------------------------------------

def test_empty_file(evidence_copy: Path) -> None:
    (evidence_copy / "agents.csv").write_bytes(b"")
    header = ",".join(["agent_id", "name", "brand_names", "class_id", "target", "notes"])
    assert_reports(evidence_copy, f"agents.csv:1: the file is empty; expected a header row: {header}")


def test_header_only(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "outcomes.csv")
    write_rows(evidence_copy / "outcomes.csv", rows[:1])
    assert_reports(evidence_copy, "outcomes.csv:1: the file has a header but no rows; add at least one row")


def test_missing_file(evidence_copy: Path) -> None:
    (evidence_copy / "trials.csv").unlink()
    code, output = run_validate(evidence_copy)
    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith(f"{evidence_copy}/trials.csv: the file is missing; expected "
                            f"{evidence_copy / 'trials.csv'} with columns "), "no empty line/column slot"


def test_missing_column(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "results.csv")
    drop = rows[0].index("assessment")
    write_rows(evidence_copy / "results.csv", [r[:drop] + r[drop + 1:] for r in rows])
    code, output = run_validate(evidence_copy)
    assert code == 1
    assert "results.csv:1:assessment: required column 'assessment' is missing; expected columns: " in output


def test_extra_column(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "agents.csv")
    write_rows(evidence_copy / "agents.csv", [rows[0] + ["comment"]] + [r + ["x"] for r in rows[1:]])
    assert_reports(evidence_copy, "agents.csv:1:comment: column 'comment' is not described in "
                   "datapackage.json; add it to the 'agents' schema or remove it")


def test_duplicated_header(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "agents.csv")
    write_rows(evidence_copy / "agents.csv", [rows[0] + ["notes"]] + [r + [""] for r in rows[1:]])
    assert_reports(evidence_copy, "agents.csv:1:notes: column 'notes' appears more than once in the "
                   "header; remove the duplicate")


def test_semicolon_delimiter(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "therapy_classes.csv")
    text = "\n".join(";".join(r) for r in rows) + "\n"
    (evidence_copy / "therapy_classes.csv").write_text(text, encoding="utf-8")
    assert_reports(evidence_copy, "therapy_classes.csv:1: the header is separated by ';', expected ',': "
                   "save the file as comma-separated CSV")


def test_latin1_bytes(evidence_copy: Path) -> None:
    line = 2
    set_cell(evidence_copy, "agents.csv", line, "notes", "pr\u00e9-trait\u00e9")
    path = evidence_copy / "agents.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    assert_reports(evidence_copy, "agents.csv:2:notes: the file is not UTF-8 (byte 0xe9 cannot be "
                   "decoded); save it as UTF-8 (in a spreadsheet program: 'CSV UTF-8')")


def test_ragged_row(evidence_copy: Path) -> None:
    path = evidence_copy / "agents.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra_agent,Name\n", encoding="utf-8")
    line = len(read_rows(path))
    assert_reports(evidence_copy, f"agents.csv:{line}: row has 2 fields, the header has 6; quote any "
                   "field that contains a comma")


def test_ten_megabyte_field(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "agents.csv", 3, "notes", "x" * 10_000_000)
    assert_reports(evidence_copy, "agents.csv:3: a field is longer than 10,000 characters; evidence "
                   "fields are short text: shorten it or check for an unclosed quote")


# --- legitimately fine inputs load cleanly ------------------------------------------------------------

def test_utf8_bom_loads_cleanly(evidence_copy: Path) -> None:
    path = evidence_copy / "sources.csv"
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert run_validate(evidence_copy)[0] == 0


def test_crlf_line_ends_load_cleanly(evidence_copy: Path) -> None:
    path = evidence_copy / "results.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run_validate(evidence_copy)[0] == 0


def test_trailing_blank_lines_load_cleanly(evidence_copy: Path) -> None:
    path = evidence_copy / "agents.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")
    assert run_validate(evidence_copy)[0] == 0


def test_quoted_newline_keeps_later_line_numbers(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "agents.csv", 2, "notes", "first line\nsecond line")
    rows = read_rows(evidence_copy / "agents.csv")
    assert run_validate(evidence_copy)[0] == 0
    # the row after the two-line field starts on line 4 of the file
    set_cell(evidence_copy, "agents.csv", 3, "class_id", "no_such_class")
    assert rows[2][0]
    assert_reports(evidence_copy, "agents.csv:4:class_id: 'no_such_class' is not a known class_id in "
                   "therapy_classes.csv; add it there first or correct the spelling")


@pytest.mark.slow  # a scale check: 100,000 rows validate (benchmarks/ times it)
def test_hundred_thousand_rows_validate(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "discussion_questions.csv")
    header, first = rows[0], rows[1]
    qid = header.index("question_id")
    many = [first[:qid] + [f"q_{i}"] + first[qid + 1:] for i in range(100_000)]
    write_rows(evidence_copy / "discussion_questions.csv", [header, *many])
    assert run_validate(evidence_copy)[0] == 0


# --- cell values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("reported_percent", "48,3", "'48,3' is not a number; use a point as the decimal separator: 48.3"),
        ("reported_percent", "48.3%", "'48.3%' is not a number; write the number without the percent sign"),
        ("n", "about forty", "'about forty' is not a whole number"),
        ("n", "-5", "-5 is out of range; expected at least 1"),
        ("n", "0", "0 is out of range; expected at least 1"),
        ("endpoint", "PFS", "'PFS' is not an allowed value; expected one of: ORR, CR (the measures of kind "
                            "response in measures.csv; a new endpoint needs a row there first: kind "
                            "response, heading, sentence)"),
        ("data_cutoff", "2023-02-30", "'2023-02-30' is not a real calendar date written YYYY-MM-DD"),
        ("nct_id", "NCT123", "'NCT123' is not in the expected form: NCT followed by 8 digits, e.g. "
                             "NCT03625037"),
        ("post_car_t", "yes", "'yes' is not true or false"),
        ("result_id", "", "a value is required in this column (Identifier of this reported figure)"),
    ],
)
def test_bad_result_cell(evidence_copy: Path, column: str, value: str, message: str) -> None:
    set_cell(evidence_copy, "results.csv", 2, column, value)
    assert_reports(evidence_copy, f"results.csv:2:{column}: {message}")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("pmid", "PMID:123", "'PMID:123' is not in the expected form: digits only, e.g. 36548927"),
        ("doi", "https://doi.org/10.1/x", "'https://doi.org/10.1/x' is not in the expected form: a DOI "
                                          "such as 10.1200/JCO.22.01725, without https://doi.org/"),
        ("url", "javascript:alert(1)", "'javascript:alert(1)' is not in the expected form: a web address "
                                       "starting with https:// or http://"),
        ("source_type", "blog", "'blog' is not an allowed value; expected one of: trial_publication, "
                                "conference_abstract, label, guideline, review, article, registry_record, "
                                "agency_page, patient_organisation"),
        ("accessed", "23/11/2026", "'23/11/2026' is not a real calendar date written YYYY-MM-DD"),
    ],
)
def test_bad_source_cell(evidence_copy: Path, column: str, value: str, message: str) -> None:
    set_cell(evidence_copy, "sources.csv", 2, column, value)
    assert_reports(evidence_copy, f"sources.csv:2:{column}: {message}")


# --- rows and tables -------------------------------------------------------------------------------------

def test_responders_above_n(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "n", "10")
    set_cell(evidence_copy, "results.csv", 2, "responders", "12")
    assert_reports(evidence_copy, "results.csv:2:responders: 12 responders exceed n = 10; responders "
                   "must be at most n")


def test_reported_percent_far_from_counts(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "n", "100")
    set_cell(evidence_copy, "results.csv", 2, "responders", "40")
    set_cell(evidence_copy, "results.csv", 2, "responders_basis", "reported")
    set_cell(evidence_copy, "results.csv", 2, "reported_percent", "45")
    assert_reports(evidence_copy, "results.csv:2:reported_percent: reported 45% differs from 100 x "
                   "responders / n = 40.0% by more than 1 point; check n and responders against the source")


def cr_above_orr(evidence_copy: Path) -> tuple[int, str, int]:
    """Give a CR row more responders than the ORR row of the same trial population; returns the CR line,
    the ORR result_id and n."""
    orr = find_line(evidence_copy, "results.csv", endpoint="ORR")
    rows = read_rows(evidence_copy / "results.csv")
    header = rows[0]
    keys = ["trial", "regimen", "population", "source_id", "analysis_set"]
    orr_row = rows[orr - 1]
    cr = find_line(evidence_copy, "results.csv", endpoint="CR",
                   **{k: orr_row[header.index(k)] for k in keys})
    n = int(cell(evidence_copy, "results.csv", orr, "n"))
    for line in (orr, cr):
        set_cell(evidence_copy, "results.csv", line, "n", str(n))
        set_cell(evidence_copy, "results.csv", line, "responders_basis", "reported")
    set_cell(evidence_copy, "results.csv", orr, "responders", "1")
    set_cell(evidence_copy, "results.csv", orr, "reported_percent", f"{100 / n:.1f}")
    set_cell(evidence_copy, "results.csv", cr, "responders", "2")
    set_cell(evidence_copy, "results.csv", cr, "reported_percent", f"{200 / n:.1f}")
    return cr, orr_row[header.index("result_id")], n


def test_cr_above_orr(evidence_copy: Path) -> None:
    cr, orr_id, n = cr_above_orr(evidence_copy)
    assert_reports(evidence_copy, f"results.csv:{cr}:responders: CR rate {2 / n:.1%} is above the ORR "
                   f"rate {1 / n:.1%} of {orr_id} (same trial, regimen, population and source); CR is within "
                   "ORR in measures.csv (complete response is part of overall response)")


def test_which_rate_is_within_which_is_read_from_measures(evidence_copy: Path) -> None:
    cr_above_orr(evidence_copy)
    cr = find_line(evidence_copy, "measures.csv", measure="CR")
    set_cell(evidence_copy, "measures.csv", cr, "within", "")
    assert run_validate(evidence_copy)[0] == 0


def test_derived_count_must_be_determined(evidence_copy: Path) -> None:
    for column, value in (("n", "155"), ("responders", "60"), ("responders_basis", "derived"),
                          ("reported_percent", "39")):
        set_cell(evidence_copy, "results.csv", 2, column, value)
    assert_reports(evidence_copy, "results.csv:2:responders: derived count is not determined by the "
                   "source: 39% of 155 fits 2 counts (60, 61); record a count the source prints "
                   "(responders_basis 'reported') or leave the figure out; or store the nearest, 60, with "
                   "responders_basis 'rounded'")


def test_duplicated_primary_key(evidence_copy: Path) -> None:
    first = cell(evidence_copy, "agents.csv", 2, "agent_id")
    set_cell(evidence_copy, "agents.csv", 3, "agent_id", first)
    assert_reports(evidence_copy, f"agents.csv:3:agent_id: duplicate value '{first}': it must be unique "
                   "in this column (also on line 2)")


def test_dangling_foreign_key(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "source_id", "nobody2099_ghost")
    assert_reports(evidence_copy, "results.csv:2:source_id: 'nobody2099_ghost' is not a known source_id "
                   "in sources.csv; add it there first or correct the spelling")


def test_results_must_cite_primary_source(evidence_copy: Path) -> None:
    article = find_line(evidence_copy, "sources.csv", source_type="article")
    source = cell(evidence_copy, "sources.csv", article, "source_id")
    set_cell(evidence_copy, "results.csv", 2, "source_id", source)
    assert_reports(evidence_copy, f"results.csv:2:source_id: '{source}' is an article; results must cite a "
                   "primary source (trial_publication, conference_abstract, label)")


def test_range_low_above_high(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "reported_ranges.csv", 2, "low_percent", "70")
    set_cell(evidence_copy, "reported_ranges.csv", 2, "high_percent", "60")
    assert_reports(evidence_copy, "reported_ranges.csv:2:low_percent: low_percent 70 is above "
                   "high_percent 60; swap them")


def test_eligibility_scope_must_exist(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "eligibility.csv", 2, "scope_id", "unicorn_therapy")
    assert_reports(evidence_copy, "eligibility.csv:2:scope_id: 'unicorn_therapy' is neither an agent_id "
                   "nor a class_id; use an id from agents.csv or therapy_classes.csv")


def test_agent_and_class_ids_must_differ(evidence_copy: Path) -> None:
    class_id = cell(evidence_copy, "therapy_classes.csv", 2, "class_id")
    agent_line = find_line(evidence_copy, "agents.csv", agent_id=cell(evidence_copy, "agents.csv", 2,
                                                                       "agent_id"))
    rows = read_rows(evidence_copy / "agents.csv")
    new = list(rows[agent_line - 1])
    new[0] = class_id
    write_rows(evidence_copy / "agents.csv", [*rows, new])
    assert_reports(evidence_copy, f"agents.csv:{len(rows) + 1}:agent_id: '{class_id}' is also a class_id; "
                   "agent and class ids must differ so every scope_id is unambiguous")


def test_outcome_interval_must_contain_value(evidence_copy: Path) -> None:
    for column, value in (("value", "10"), ("ci_low", "12"), ("ci_high", "20")):
        set_cell(evidence_copy, "outcomes.csv", 2, column, value)
    assert_reports(evidence_copy, "outcomes.csv:2:ci_low: the interval 12-20 does not contain the value 10")


def test_problems_are_all_collected_at_once(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "results.csv", 2, "endpoint", "PFS")
    set_cell(evidence_copy, "agents.csv", 2, "class_id", "nowhere")
    set_cell(evidence_copy, "sources.csv", 2, "pmid", "x")
    files = {p.file for p in validate_evidence(evidence_copy)}
    assert {"results.csv", "agents.csv", "sources.csv"} <= files


def test_count_derived_from_printed_interval_must_match_it(evidence_copy: Path) -> None:
    for column, value in (("n", "155"), ("responders", "61"), ("responders_basis", "derived_ci"),
                          ("reported_percent", "39"), ("reported_ci_low", "31"), ("reported_ci_high", "47")):
        set_cell(evidence_copy, "results.csv", 2, column, value)
    assert_reports(evidence_copy, "results.csv:2:responders: derived count is not determined by the "
                   "source: 61/155 = 39.35% does not match 39% (95% CI 31-47); record a count the source "
                   "prints (responders_basis 'reported') or leave the figure out")


def test_count_derived_from_interval_is_unique(evidence_copy: Path) -> None:
    for column, value in (("n", "155"), ("responders", "61"), ("responders_basis", "derived_ci"),
                          ("reported_percent", "39"), ("reported_ci_low", "32"), ("reported_ci_high", "48")):
        set_cell(evidence_copy, "results.csv", 2, column, value)
    assert run_validate(evidence_copy)[0] == 0


def test_many_rows_sharing_one_trial_key_validate_quickly_and_cleanly(evidence_copy: Path) -> None:
    rows = read_rows(evidence_copy / "results.csv")
    header, first = rows[0], rows[1]
    rid = header.index("result_id")
    many = []
    for i in range(5_000):
        for endpoint, responders in (("ORR", "5"), ("CR", "3")):
            row = list(first)
            row[rid] = f"r_{endpoint.lower()}_{i}"
            for column, value in (("endpoint", endpoint), ("n", "10"), ("responders", responders),
                                  ("responders_basis", "reported"), ("reported_percent", f"{responders}0"),
                                  ("reported_ci_low", ""), ("reported_ci_high", "")):
                row[header.index(column)] = value
            many.append(row)
    write_rows(evidence_copy / "results.csv", [header, *rows[1:], *many])  # keep the cohorts harms cite
    assert run_validate(evidence_copy)[0] == 0
