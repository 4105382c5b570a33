"""Spreadsheet round trip: export then import gives byte-identical CSVs, formula-like text is never a
formula, edits change only their rows, and invalid workbooks leave the evidence untouched."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EVIDENCE, FIXTURES, cell, digest, find_line, read_rows, set_cell
from openpyxl import load_workbook

from lymphoma_evidence import fileio
from lymphoma_evidence.analyst.textio import csv_line, parse_table, render_table, replace_files
from lymphoma_evidence.analyst.xlsx import (
    FIELDS_SHEET,
    cell_text,
    export_workbook,
    import_workbook,
    workbook_csvs,
)
from lymphoma_evidence.analyst.xlsxcells import LISTS_SHEET
from lymphoma_evidence.cli import cli
from lymphoma_evidence.data.schema import load_package
from lymphoma_evidence.errors import EvidenceError, LymphomaEvidenceError

FORMULA_LIKE = ['=HYPERLINK("https://example.org","x")', "+1", "-2 lines", "@SUM(A1)",
                "\tstarts with tab", "\rstarts with CR"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid evidence folder (the small fixture) that a test may change."""
    target = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence_min", target)
    return target


def _csv_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_export_then_import_gives_byte_identical_csvs(folder: Path, tmp_path: Path) -> None:
    set_cell(folder, "results.csv", 2, "median_follow_up_months", "48.30")  # trailing zero kept
    before = _csv_bytes(folder)
    workbook = export_workbook(tmp_path / "e.xlsx", folder)
    result = import_workbook(workbook, folder)
    assert result.changed_files == ()
    assert _csv_bytes(folder) == before


def test_real_evidence_round_trips_to_the_same_text(tmp_path: Path) -> None:
    workbook = export_workbook(tmp_path / "real.xlsx", EVIDENCE)
    texts = workbook_csvs(workbook, EVIDENCE)
    assert texts == {name: (EVIDENCE / name).read_text(encoding="utf-8") for name in texts}


def test_workbook_has_a_frozen_header_per_table_and_a_fields_sheet(folder: Path, tmp_path: Path) -> None:
    package = load_package(folder)
    book = load_workbook(export_workbook(tmp_path / "e.xlsx", folder))
    assert book.sheetnames == [t.name for t in package.tables] + [FIELDS_SHEET, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    results = book["results"]
    assert results.freeze_panes == "A2"
    assert [c.value for c in results[1]] == package.table("results").columns
    fields = {(r[0], r[1]): r[4] for r in book[FIELDS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert fields[("results", "n")] == package.table("results").field("n").description


def test_formula_like_text_is_stored_as_text_and_comes_back_exactly(folder: Path, tmp_path: Path) -> None:
    # written with csv_line: the csv module (lineterminator "\n") would leave a bare CR unquoted
    table = parse_table((folder / "outcomes.csv").read_text(encoding="utf-8"))
    assert len(table.rows) >= len(FORMULA_LIKE)
    at = table.columns.index("population")
    rows = [(*row[:at], text, *row[at + 1:]) for row, text in zip(table.rows, FORMULA_LIKE, strict=False)]
    rows += table.rows[len(FORMULA_LIKE):]
    (folder / "outcomes.csv").write_text(render_table(table.columns, rows), encoding="utf-8", newline="")
    lines = range(2, 2 + len(FORMULA_LIKE))
    before = _csv_bytes(folder)
    workbook = export_workbook(tmp_path / "e.xlsx", folder)

    sheet = load_workbook(workbook)["outcomes"]
    column = at + 1
    for line, text in zip(lines, FORMULA_LIKE, strict=False):
        cell = sheet.cell(row=line, column=column)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    with zipfile.ZipFile(workbook) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)

    assert import_workbook(workbook, folder).changed_files == ()
    assert _csv_bytes(folder) == before


def test_an_edit_changes_only_its_row_and_keeps_the_others_bytes(folder: Path, tmp_path: Path) -> None:
    path = export_workbook(tmp_path / "e.xlsx", folder)
    book = load_workbook(path)
    line = find_line(folder, "trials.csv", nct_id="NCT04989803")
    header = read_rows(folder / "trials.csv")[0]
    book["trials"].cell(row=line, column=header.index("status") + 1).value = "COMPLETED"
    book.save(path)
    before = (folder / "trials.csv").read_text(encoding="utf-8").splitlines()
    assert import_workbook(path, folder).changed_files == ("trials.csv",)
    after = (folder / "trials.csv").read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [line - 1] and ",COMPLETED," in after[line - 1]


def test_cells_typed_as_numbers_dates_or_booleans_come_back_as_text() -> None:
    from datetime import date, datetime

    assert cell_text(84) == "84"
    assert cell_text(84.0) == "84"
    assert cell_text(63.1) == "63.1"
    assert cell_text(True) == "true"
    assert cell_text(datetime(2026, 1, 7)) == "2026-01-07"
    assert cell_text(date(2026, 1, 7)) == "2026-01-07"
    assert cell_text(None) == ""


def _edited(folder: Path, tmp_path: Path, edit) -> Path:
    path = export_workbook(tmp_path / "e.xlsx", folder)
    book = load_workbook(path)
    edit(book)
    book.save(path)
    return path


def test_a_missing_sheet_leaves_the_evidence_untouched(folder: Path, tmp_path: Path) -> None:
    path = _edited(folder, tmp_path, lambda book: book.remove(book["agents"]))
    before = digest(folder)
    with pytest.raises(EvidenceError) as caught:
        import_workbook(path, folder)
    assert [p.code for p in caught.value.problems] == ["missing-sheet"]
    assert "no sheet 'agents'" in caught.value.problems[0].message
    assert digest(folder) == before


def test_a_bad_value_is_located_by_file_line_column_and_sheet_row(folder: Path, tmp_path: Path) -> None:
    header = read_rows(folder / "results.csv")[0]
    path = _edited(folder, tmp_path,
                   lambda book: setattr(book["results"].cell(row=3, column=header.index("phase") + 1),
                                        "value", "7"))
    before = digest(folder)
    result = CliRunner().invoke(cli, ["import-xlsx", str(path), "--evidence", str(folder)])
    assert result.exit_code == 1
    assert "results.csv:3:phase: '7' is not an allowed value" in result.output
    assert "(sheet 'results', row 3)" in result.output
    assert digest(folder) == before


def test_a_typed_formula_or_a_lost_column_is_refused(folder: Path, tmp_path: Path) -> None:
    def edit(book) -> None:
        book["sources"]["B2"] = "=A2"
        book["agents"].delete_cols(2)

    before = digest(folder)
    with pytest.raises(EvidenceError) as caught:
        import_workbook(_edited(folder, tmp_path, edit), folder)
    assert {p.code for p in caught.value.problems} == {"formula", "missing-column"}
    assert digest(folder) == before


def test_a_file_that_is_not_a_workbook_is_refused(folder: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(LymphomaEvidenceError, match="cannot read .* as an .xlsx workbook"):
        import_workbook(bogus, folder)


def test_csv_line_quotes_only_what_it_must_including_a_bare_carriage_return() -> None:
    assert csv_line(["a", "b c", "d,e", 'f"g', "h\ni", "j\rk", ""]) == \
        'a,b c,"d,e","f""g","h\ni","j\rk",\n'


def test_render_table_keeps_the_original_text_of_unchanged_rows() -> None:
    original = parse_table('id,text\n"a","quoted without need"\nb,plain\n')
    rows = [("a", "quoted without need"), ("b", "edited")]
    assert render_table(["id", "text"], rows, original) == 'id,text\n"a","quoted without need"\nb,edited\n'


def test_replace_files_restores_everything_when_a_move_fails(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.csv").write_text("old a\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("old b\n", encoding="utf-8")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    with pytest.raises(LymphomaEvidenceError, match="no evidence file was changed"):
        replace_files(tmp_path, {"a.csv": "new a\n", "b.csv": "new b\n"})
    monkeypatch.undo()
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old a\n"
    assert (tmp_path / "b.csv").read_text(encoding="utf-8") == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_cli_export_then_import(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    exported = CliRunner().invoke(cli, ["export", "--format", "xlsx", "--out", str(out),
                                        "--evidence", str(folder)])
    assert exported.exit_code == 0, exported.output
    imported = CliRunner().invoke(cli, ["import-xlsx", str(out), "--evidence", str(folder)])
    assert imported.exit_code == 0, imported.output
    assert "the workbook matches the evidence" in imported.output


def test_the_new_tables_round_trip_and_their_rules_apply_on_import(folder: Path, tmp_path: Path) -> None:
    book = load_workbook(export_workbook(tmp_path / "e.xlsx", folder))
    for sheet in ("harms", "approvals", "certainty", "option_details"):
        assert [c.value for c in book[sheet][1]] == load_package(folder).table(sheet).columns
    header = read_rows(folder / "harms.csv")[0]
    line = find_line(folder, "harms.csv", harm_id="epcoritamab_epcore_nhl1_2y_crs_any")
    path = _edited(folder, tmp_path, lambda b: setattr(
        b["harms"].cell(row=line, column=header.index("patients") + 1), "value", "200"))
    before = digest(folder)
    result = CliRunner().invoke(cli, ["import-xlsx", str(path), "--evidence", str(folder)])
    assert result.exit_code == 1
    assert f"harms.csv:{line}:patients: 200 patients exceed n = 157" in result.output
    assert digest(folder) == before


def _column(sheet, name: str) -> int:
    return [c.value for c in sheet[1]].index(name) + 1


def test_cells_are_typed_by_their_schema_field(folder: Path, tmp_path: Path) -> None:
    from datetime import datetime

    set_cell(folder, "results.csv", 2, "median_follow_up_months", "48.30")
    book = load_workbook(export_workbook(tmp_path / "e.xlsx", folder))
    results = book["results"]
    rows = read_rows(folder / "results.csv")
    header = rows[0]

    def cell(name: str):
        return results.cell(row=2, column=_column(results, name))

    assert isinstance(cell("n").value, int) and cell("n").value == int(rows[1][header.index("n")])
    assert cell("n").data_type == "n" and cell("responders").data_type == "n"
    assert cell("median_follow_up_months").value == 48.3
    assert cell("median_follow_up_months").number_format == "0.00"  # shown as written
    assert isinstance(cell("post_car_t").value, bool)
    assert isinstance(cell("data_cutoff").value, datetime) or cell("data_cutoff").value is None
    assert cell("result_id").data_type == "s" and cell("result_id").number_format == "@"
    accessed = book["sources"].cell(row=2, column=_column(book["sources"], "accessed"))
    assert isinstance(accessed.value, datetime) and accessed.number_format == "yyyy-mm-dd"


def test_text_that_is_not_its_fields_type_stays_visible_as_text(folder: Path, tmp_path: Path) -> None:
    set_cell(folder, "results.csv", 2, "n", "about 60")
    results = load_workbook(export_workbook(tmp_path / "e.xlsx", folder))["results"]
    cell = results.cell(row=2, column=_column(results, "n"))
    assert (cell.value, cell.data_type) == ("about 60", "s")


def test_every_table_sheet_has_an_autofilter_and_drop_downs_from_the_schema(folder: Path,
                                                                             tmp_path: Path) -> None:
    package = load_package(folder)
    book = load_workbook(export_workbook(tmp_path / "e.xlsx", folder))
    for table in package.tables:
        sheet = book[table.name]
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), table.name
        assert sheet.freeze_panes == "A2", table.name
        for field in table.fields:
            if not field.enum:
                continue
            check = _validation_of(sheet, field.name)
            assert check.type == "list", (table.name, field.name)
            sheet_name, cells = check.formula1.split("!")
            assert sheet_name == LISTS_SHEET
            first, last = (part.replace("$", "") for part in cells.split(":"))
            values = [c.value for row in book[LISTS_SHEET][f"{first}:{last}"] for c in row]
            assert values == field.enum, (table.name, field.name)
            assert check.allow_blank == (not field.required)
    results = book["results"]
    assert _validation_of(results, "n").type == "whole"
    assert _validation_of(results, "post_car_t").formula1 == '"TRUE,FALSE"'


def _validation_of(sheet, name: str):
    """The data validation covering column ``name`` from row 2 down."""
    letter = sheet.cell(row=1, column=_column(sheet, name)).column_letter
    return next(check for check in sheet.data_validations.dataValidation
                if any(re.fullmatch(rf"{letter}2:{letter}\d+", ref) for ref in str(check.sqref).split()))


def test_a_typed_edit_changes_only_its_row(folder: Path, tmp_path: Path) -> None:
    set_cell(folder, "results.csv", 2, "median_follow_up_months", "48.30")
    set_cell(folder, "results.csv", 3, "median_follow_up_months", "12.0")
    path = export_workbook(tmp_path / "e.xlsx", folder)
    book = load_workbook(path)
    results = book["results"]
    follow_up = results.cell(row=3, column=_column(results, "median_follow_up_months"))
    assert follow_up.value == 12.0 and follow_up.number_format == "0.0"
    before = (folder / "results.csv").read_text(encoding="utf-8").splitlines()
    follow_up.value = 13.25
    book.save(path)
    assert import_workbook(path, folder).changed_files == ("results.csv",)
    after = (folder / "results.csv").read_text(encoding="utf-8").splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [2]
    assert ",48.30," in after[1] and ",13.25," in after[2]


def test_constant_formulas_are_read_as_their_values_and_other_formulas_refused(folder: Path,
                                                                              tmp_path: Path) -> None:
    # LibreOffice saves every boolean cell as =TRUE() or =FALSE(); those are values, not formulas
    header = read_rows(folder / "results.csv")[0]
    column = next(f.name for f in load_package(folder).table("results").fields if f.type == "boolean")
    letter = chr(ord("A") + header.index(column))
    before = _csv_bytes(folder)
    values = [cell(folder, "results.csv", line, column) for line in (2, 3)]

    def constants(book) -> None:
        for row, value in zip((2, 3), values, strict=True):
            book["results"][f"{letter}{row}"] = "=TRUE()" if value == "true" else "=FALSE()"

    assert import_workbook(_edited(folder, tmp_path, constants), folder).changed_files == ()
    assert _csv_bytes(folder) == before

    def sums(book) -> None:
        book["results"][f"{letter}2"] = "=NOT(FALSE())"

    with pytest.raises(EvidenceError) as caught:
        import_workbook(_edited(folder, tmp_path, sums), folder)
    assert [p.code for p in caught.value.problems] == ["formula"]
    assert f"cell {letter}2 of sheet 'results' holds a formula (=NOT(FALSE()))" in \
        caught.value.problems[0].message
    assert _csv_bytes(folder) == before


def test_a_date_serial_and_a_number_stored_as_text_are_read_as_their_values(folder: Path,
                                                                            tmp_path: Path) -> None:
    from datetime import date

    table = load_package(folder).table("sources")
    column = next(f.name for f in table.fields if f.type == "date")
    header = read_rows(folder / "sources.csv")[0]
    day = cell(folder, "sources.csv", 2, column)
    assert day, "the fixture's first source has a date"
    results = read_rows(folder / "results.csv")[0]
    before = _csv_bytes(folder)

    def edit(book) -> None:
        dated = book["sources"].cell(row=2, column=header.index(column) + 1)
        dated.value = (date.fromisoformat(day) - date(1899, 12, 30)).days   # the serial, format lost
        dated.number_format = "General"
        count = book["results"].cell(row=2, column=results.index("n") + 1)
        count.value, count.data_type = str(count.value), "s"                 # a number stored as text

    assert import_workbook(_edited(folder, tmp_path, edit), folder).changed_files == ()
    assert _csv_bytes(folder) == before
