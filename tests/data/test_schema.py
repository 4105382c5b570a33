"""The data package stays a valid Frictionless package, and the schema describes every column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import EVIDENCE, read_rows

from lymphoma_evidence.data.schema import TABLE_ATTRIBUTES, load_package


def test_frictionless_validates_the_package() -> None:
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", str(EVIDENCE / "datapackage.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_every_table_has_a_described_schema_with_keys() -> None:
    package = load_package(EVIDENCE)
    assert {t.name for t in package.tables} == set(TABLE_ATTRIBUTES)
    for table in package.tables:
        assert table.primary_key, table.name
        assert all(f.description for f in table.fields), table.name


def test_csv_headers_match_the_schema_order() -> None:
    for table in load_package(EVIDENCE).tables:
        assert read_rows(EVIDENCE / table.path)[0] == table.columns, table.name


def test_package_carries_title_and_version() -> None:
    data = json.loads((EVIDENCE / "datapackage.json").read_text(encoding="utf-8"))
    assert data["title"] and data["version"].count(".") == 2
