"""The spreadsheet round trip through a real spreadsheet program: LibreOffice re-saves the exported
workbook unchanged (writing booleans as =TRUE()/=FALSE(), its own styles and number formats), and the
import finds every CSV byte-identical."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import EVIDENCE, copy_evidence, libreoffice, require_tool

from lymphoma_evidence.analyst.xlsx import export_workbook, import_workbook

pytestmark = pytest.mark.slow


def _resaved_by_libreoffice(workbook: Path, folder: Path) -> Path:
    """``workbook`` opened and saved as .xlsx by LibreOffice headless, with a profile of its own."""
    program = libreoffice()
    require_tool(program is not None, "LibreOffice (Debian's libreoffice-calc) is needed to re-save "
                 "the workbook: run `make test`, which installs it")
    out = folder / "resaved"
    done = subprocess.run([str(program), f"-env:UserInstallation=file://{folder}/profile", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(out), str(workbook)],
                          capture_output=True, text=True, timeout=300, check=False)
    resaved = out / workbook.name
    assert done.returncode == 0 and resaved.is_file(), done.stdout + done.stderr
    return resaved


def test_a_workbook_resaved_by_libreoffice_imports_to_byte_identical_csvs(tmp_path: Path) -> None:
    folder = copy_evidence(EVIDENCE, tmp_path / "evidence")
    before = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    workbook = export_workbook(tmp_path / "evidence.xlsx", folder)
    resaved = _resaved_by_libreoffice(workbook, tmp_path)
    from openpyxl import load_workbook

    formulas = {c.value for ws in load_workbook(resaved).worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"}
    assert formulas == {"=TRUE()", "=FALSE()"}   # how LibreOffice writes every boolean

    result = import_workbook(resaved, folder)

    assert result.changed_files == ()
    assert {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} == before
