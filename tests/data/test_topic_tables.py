"""The topic tables (measures, statuses, kinds, diseases, featured classes, glossary, abbreviations, texts,
known gaps) are validated like every table: a bad entry gives `validate` exit 1 with `file:line:column:
message`, and what they say changes what the analysis derives."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import find_line, read_rows, set_cell, write_rows

from lymphoma_evidence.analysis import topic
from lymphoma_evidence.analysis.approvals import class_status
from lymphoma_evidence.analysis.summaries import class_summary, response_table
from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.evidence import Evidence, load_evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.reports.context import ReportContext


def reports(folder: Path, expected: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"{folder}/{expected}" in result.output.splitlines(), result.output


def drop_row(folder: Path, file: str, **match: str) -> None:
    rows = read_rows(folder / file)
    line = find_line(folder, file, **match)
    write_rows(folder / file, rows[:line - 1] + rows[line:])


def test_an_endpoint_without_words_is_named_where_it_is_used(evidence_copy: Path) -> None:
    drop_row(evidence_copy, "measures.csv", measure="CR")
    line = find_line(evidence_copy, "results.csv", endpoint="CR")
    reports(evidence_copy, f"results.csv:{line}:endpoint: 'CR' is not an allowed value; expected one of: ORR "
                           "(the measures of kind response in measures.csv; a new endpoint needs a row there "
                           "first: kind response, heading, sentence)")


def test_an_outcome_at_a_new_time_point_needs_its_words(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "outcomes.csv", measure="os_rate", timepoint_months="12")
    set_cell(evidence_copy, "outcomes.csv", line, "timepoint_months", "18")
    reports(evidence_copy, f"outcomes.csv:{line}:measure: measure 'os_rate_18m' has no words: add a row "
                           "for it to measures.csv (heading, sentence, kind), so every report words it the "
                           "same way")


def test_a_clinical_claim_without_a_source_is_refused(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "texts.csv", text_id="trials_early")
    set_cell(evidence_copy, "texts.csv", line, "source_id", "")
    reports(evidence_copy, f"texts.csv:{line}:source_id: text 'trials_early' is a clinical claim without a "
                           "source; add the source_id of the source that says it")


def test_a_featured_class_must_exist(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "featured_classes.csv", feature="briefing_teaching")
    set_cell(evidence_copy, "featured_classes.csv", line, "class_id", "no_such_class")
    reports(evidence_copy, f"featured_classes.csv:{line}:class_id: 'no_such_class' is not a known class_id "
                           "in therapy_classes.csv; add it there first or correct the spelling")


def test_a_class_kind_and_a_disease_must_be_described(evidence_copy: Path) -> None:
    drop_row(evidence_copy, "class_kinds.csv", kind="transplant")
    line = find_line(evidence_copy, "therapy_classes.csv", kind="transplant")
    reports(evidence_copy, f"therapy_classes.csv:{line}:kind: 'transplant' is not a known kind in "
                           "class_kinds.csv; add it there first or correct the spelling")


def test_a_known_gap_names_an_existing_class(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="no_direct_figure")
    set_cell(evidence_copy, "known_gaps.csv", line, "scope_id", "no_such_class")
    reports(evidence_copy, f"known_gaps.csv:{line}:scope_id: 'no_such_class' is not a class_id in "
                           "therapy_classes.csv; a no_direct_figure gap names one")


def test_a_side_effect_gap_names_an_existing_class(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="no_harm_figure")
    set_cell(evidence_copy, "known_gaps.csv", line, "scope_id", "epcoritamab")
    reports(evidence_copy, f"known_gaps.csv:{line}:scope_id: 'epcoritamab' is not a class_id in "
                           "therapy_classes.csv; a no_harm_figure gap names one")


def test_a_bad_flag_is_a_schema_error(evidence_copy: Path) -> None:
    set_cell(evidence_copy, "diseases.csv", 2, "approved_for_topic", "perhaps")
    result = CliRunner().invoke(cli, ["validate", str(evidence_copy)])
    assert result.exit_code == 1
    assert f"{evidence_copy}/diseases.csv:2:approved_for_topic: " in result.output


def test_what_counts_as_approved_comes_from_the_diseases_table(evidence_copy: Path) -> None:
    before = class_status(load_evidence(evidence_copy)).set_index("class_id")["status"]
    approved = set(before[before == "approved"].index)
    assert approved
    for disease in topic.approved_diseases(load_evidence(evidence_copy)):
        set_cell(evidence_copy, "diseases.csv", find_line(evidence_copy, "diseases.csv", disease=disease),
                 "approved_for_topic", "false")
    after = class_status(load_evidence(evidence_copy)).set_index("class_id")["status"]
    assert set(after[after == "approved"].index) == set()
    assert all(after[c] in ("investigational", "standard") for c in approved)


def test_standard_care_comes_from_the_class_kinds(evidence_copy: Path) -> None:
    evidence = load_evidence(evidence_copy)
    kinds = evidence.classes.set_index("class_id")["kind"]
    status = class_status(evidence).set_index("class_id")["status"]
    standard = [c for c in status.index if status[c] == "standard"]
    assert standard
    kind = kinds[standard[0]]
    set_cell(evidence_copy, "class_kinds.csv", find_line(evidence_copy, "class_kinds.csv", kind=kind),
             "without_approval", "investigational")
    status = class_status(load_evidence(evidence_copy)).set_index("class_id")["status"]
    assert status[standard[0]] == "investigational"


def test_the_topic_words_are_read_in_their_order() -> None:
    evidence = load_evidence()
    summary = topic.summary_measures(evidence)
    flagged = evidence.measures[evidence.measures["in_summary"].fillna(False).astype(bool)]
    assert list(summary) == flagged.sort_values("display_order")["measure"].tolist()
    assert topic.lead_measures(evidence)[0] == topic.response_measure(evidence)
    assert set(topic.status_words(evidence)) == {"approved", "standard", "investigational", "context"}
    axis = topic.measure_words(evidence, "axis")
    headings = topic.measure_words(evidence, "heading")
    assert set(axis) == set(headings)  # the heading stands in where a measure has no axis words


def test_hand_built_evidence_reads_the_topic_from_its_folder() -> None:
    built = Evidence.from_frames()
    loaded = load_evidence()
    assert topic.measure_words(built) == topic.measure_words(loaded)
    assert topic.text(built, "report_scope") == topic.text(loaded, "report_scope")


def test_a_gap_readers_see_needs_its_reader_note(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="no_harm_figure")
    gap_id = read_rows(evidence_copy / "known_gaps.csv")[line - 1][0]
    set_cell(evidence_copy, "known_gaps.csv", line, "reader_note", "")
    reports(evidence_copy, f"known_gaps.csv:{line}:reader_note: gap {gap_id!r} (kind no_harm_figure) has no "
                           "reader_note, and readers see this gap under the option's side effects; write one "
                           "or two plain sentences for a clinician that restate the reason (no addresses, "
                           "file names or ids)")


def test_a_left_out_gap_may_go_without_a_reader_note(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="left_out")
    assert read_rows(evidence_copy / "known_gaps.csv")[line - 1][5] == ""
    result = CliRunner().invoke(cli, ["validate", str(evidence_copy)])
    assert result.exit_code == 0, result.output


def test_a_reader_note_in_an_analysts_words_is_refused(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="no_direct_figure")
    gap_id = read_rows(evidence_copy / "known_gaps.csv")[line - 1][0]
    set_cell(evidence_copy, "known_gaps.csv", line, "reader_note",
             "Seen only at www.example.org, so it stays in known_gaps.csv.")
    reports(evidence_copy, f"known_gaps.csv:{line}:reader_note: the reader_note of gap {gap_id!r} contains "
                           "'www.', which readers would see; say it in plain words (addresses, file names "
                           "and ids belong in reason)")


def test_pages_read_the_reader_note_never_the_reason(evidence_copy: Path) -> None:
    line = find_line(evidence_copy, "known_gaps.csv", kind="no_direct_figure")
    class_id = read_rows(evidence_copy / "known_gaps.csv")[line - 1][2]
    set_cell(evidence_copy, "known_gaps.csv", line, "reader_note", "A plain note for the reader.")
    set_cell(evidence_copy, "known_gaps.csv", line, "reason", "copies read at example.org/abc")
    evidence = load_evidence(evidence_copy)
    assert topic.gap_notes(evidence, "no_direct_figure")[class_id] == "A plain note for the reader."
    assert topic.gap_reasons(evidence, "no_direct_figure")[class_id] == "copies read at example.org/abc"
    with pytest.raises(ParameterError, match="kind='left_out' is not allowed; expected one of: "
                                             "'no_direct_figure', 'no_harm_figure'"):
        topic.gap_notes(evidence, "left_out")


# --- the endpoints are the response measures -----------------------------------------------------------

def test_an_endpoint_must_be_a_response_measure(evidence_copy: Path) -> None:
    result = find_line(evidence_copy, "results.csv", endpoint="CR")
    set_cell(evidence_copy, "results.csv", result, "endpoint", "os_rate_12m")
    stated = find_line(evidence_copy, "reported_ranges.csv", endpoint="ORR")
    set_cell(evidence_copy, "reported_ranges.csv", stated, "endpoint", "orr")
    reports(evidence_copy, f"results.csv:{result}:endpoint: 'os_rate_12m' is a survival measure, not an "
                           "allowed value; expected one of: ORR, CR (the measures of kind response in "
                           "measures.csv)")
    reports(evidence_copy, f"reported_ranges.csv:{stated}:endpoint: 'orr' is not an allowed value; expected "
                           "one of: ORR, CR (the measures of kind response in measures.csv; a new endpoint "
                           "needs a row there first: kind response, heading, sentence)")


def test_within_relates_two_response_measures(evidence_copy: Path) -> None:
    cr = find_line(evidence_copy, "measures.csv", measure="CR")
    pfs = find_line(evidence_copy, "measures.csv", measure="pfs_rate_12m")
    orr = find_line(evidence_copy, "measures.csv", measure="ORR")
    set_cell(evidence_copy, "measures.csv", cr, "within", "CR")
    set_cell(evidence_copy, "measures.csv", pfs, "within", "ORR")
    set_cell(evidence_copy, "measures.csv", orr, "within", "overall")
    reports(evidence_copy, f"measures.csv:{cr}:within: measure 'CR' cannot be within itself; name the "
                           "response measure whose responders include its responders, or leave within empty")
    reports(evidence_copy, f"measures.csv:{pfs}:within: within relates two response measures (results.csv "
                           "endpoints); 'pfs_rate_12m' is of kind survival: name a response measure or leave "
                           "within empty")
    reports(evidence_copy, f"measures.csv:{orr}:within: 'overall' is not a known measure in measures.csv; "
                           "add it there first or correct the spelling")


def test_only_a_rate_where_more_is_better_marks_a_poor_choice(evidence_copy: Path) -> None:
    crs = find_line(evidence_copy, "measures.csv", measure="crs/grade_3_plus")
    pfs = find_line(evidence_copy, "measures.csv", measure="pfs_rate_12m")
    set_cell(evidence_copy, "measures.csv", crs, "poor_choice_below", "10")
    set_cell(evidence_copy, "measures.csv", pfs, "poor_choice_below", "120")
    reports(evidence_copy, f"measures.csv:{crs}:poor_choice_below: poor_choice_below is for a rate where "
                           "more is better (kind response or survival); measure 'crs/grade_3_plus' is of "
                           "kind harm: leave it empty")
    reports(evidence_copy, f"measures.csv:{pfs}:poor_choice_below: 120 is out of range; expected a value "
                           "from 0 to 100")


def test_the_default_endpoint_is_the_first_response_measure_in_display_order() -> None:
    evidence = load_evidence()
    assert topic.default_endpoint(evidence) == "ORR" == topic.check_endpoint(evidence, "")
    assert topic.check_endpoint(evidence, "CR") == "CR"
    measures = evidence.measures.copy()
    first, second = (measures["measure"] == m for m in ("ORR", "CR"))
    measures.loc[first, "display_order"], measures.loc[second, "display_order"] = 2, 1
    swapped = replace(evidence, measures=measures)
    assert topic.default_endpoint(swapped) == "CR" == topic.check_endpoint(swapped, None)
    assert ReportContext(swapped).endpoint == "CR" and ReportContext(evidence).endpoint == "ORR"
    assert response_table(swapped)["endpoint"].unique().tolist() == ["CR"]


def test_a_report_endpoint_is_checked_against_the_response_measures() -> None:
    evidence = load_evidence()
    expected = (r"^endpoint='PFS' is not allowed; expected one of: 'ORR', 'CR'\. The response measures of "
                r"measures\.csv: ORR overall response, CR complete response\.$")
    for call in (lambda: topic.check_endpoint(evidence, "PFS"), lambda: response_table(evidence, "PFS"),
                 lambda: class_summary(evidence, "PFS"), lambda: ReportContext(evidence, endpoint="PFS")):
        with pytest.raises(ParameterError, match=expected):
            call()
    with pytest.raises(ParameterError, match=r"^endpoint='os_rate_12m' is not allowed; expected one of"):
        topic.check_endpoint(evidence, "os_rate_12m")
    no_responses = replace(evidence, measures=evidence.measures[evidence.measures["kind"] != "response"])
    with pytest.raises(ParameterError, match="measures.csv has no measure of kind response"):
        topic.default_endpoint(no_responses)


def test_a_release_from_before_within_and_poor_choice_below_still_validates(evidence_copy: Path) -> None:
    """``diff`` and the audit validate earlier releases with this toolkit: their measures.csv lacks the two
    columns, and the checks that read them read them as empty."""
    new = ("within", "poor_choice_below")
    schema = json.loads((evidence_copy / "datapackage.json").read_text(encoding="utf-8"))
    measures = next(r for r in schema["resources"] if r["name"] == "measures")["schema"]
    measures["fields"] = [f for f in measures["fields"] if f["name"] not in new]
    del measures["foreignKeys"]
    (evidence_copy / "datapackage.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    rows = read_rows(evidence_copy / "measures.csv")
    keep = [i for i, name in enumerate(rows[0]) if name not in new]
    write_rows(evidence_copy / "measures.csv", [[row[i] for i in keep] for row in rows])
    result = CliRunner().invoke(cli, ["validate", str(evidence_copy)])
    assert result.exit_code == 0, result.output
