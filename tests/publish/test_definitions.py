"""reports.toml parsing, --only and --shard selection."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import ROOT

from lymphoma_evidence.errors import BuildError, ParameterError
from lymphoma_evidence.publish.definitions import (
    UnknownReportError,
    load_definitions,
    load_preload,
    notebook_modules,
    parse_shard,
    select_reports,
)


def write(folder: Path, text: str) -> Path:
    (folder / "nb.ipynb").write_text("{}", encoding="utf-8")
    path = folder / "reports.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reports_are_read_with_title_and_audience_from_parameters(tmp_path):
    path = write(tmp_path, '[[report]]\nname = "b1"\nnotebook = "nb.ipynb"\n'
                           '[report.parameters]\ntitle = "T"\naudience = "patient"\nn = 2\n\n'
                           '[[report]]\nname = "b2"\nnotebook = "nb.ipynb"\ntitle = "Own"\n')
    first, second = load_definitions(path)
    assert (first.name, first.title, first.audience, dict(first.parameters)) == (
        "b1", "T", "patient", {"title": "T", "audience": "patient", "n": 2})
    assert (second.title, second.audience, dict(second.parameters)) == ("Own", "any", {})
    assert first.notebook == (tmp_path / "nb.ipynb").resolve()


@pytest.mark.parametrize(("text", "message"), [
    ('[[report]]\nname = "a"\nnotebook = "nb.ipynb"\n[[report]]\nname = "a"\nnotebook = "nb.ipynb"\n',
     "report name 'a' is used twice"),
    ('[[report]]\nname = "../evil"\nnotebook = "nb.ipynb"\n', "name '../evil' is not usable"),
    ('[[report]]\nname = "index"\nnotebook = "nb.ipynb"\n', "name 'index' is not usable"),
    ('[[report]]\nname = "a"\nnotebook = "missing.ipynb"\n', "notebook 'missing.ipynb' not found"),
    ('[[report]]\nname = "a"\nnotebook = "nb.ipynb"\ncolour = 1\n', r"unknown key\(s\) colour"),
    ('[[report]\n', "not valid TOML"),
    ('title = "no reports"\n', r"no \[\[report\]\] tables"),
])
def test_malformed_definitions_are_build_errors(tmp_path, text, message):
    with pytest.raises(BuildError, match=message):
        load_definitions(write(tmp_path, text))


REPORT = '[[report]]\nname = "a"\nnotebook = "nb.ipynb"\n'


def test_kernels_preload_is_read_in_order_and_absent_means_none(tmp_path):
    assert load_preload(write(tmp_path, '[kernels]\npreload = ["scipy.special", "pandera"]\n' + REPORT)) \
        == ("scipy.special", "pandera")
    assert load_preload(write(tmp_path, REPORT)) == ()
    assert [spec.name for spec in load_definitions(write(tmp_path, '[kernels]\npreload = []\n' + REPORT))] \
        == ["a"], "the [kernels] table is not a report"


@pytest.mark.parametrize(("text", "message"), [
    ('[kernels]\npreload = "pandera"\n', r"must be a list of module names .*not 'pandera'"),
    ('[kernels]\npreload = ["pandera", "import os; x"]\n', r"not 'import os; x'"),
    ('[kernels]\npreload = [1]\n', r"not 1"),
    ('[kernels]\nimports = ["pandera"]\n', r"\[kernels\] may only have preload"),
])
def test_a_malformed_kernels_table_is_a_build_error_naming_the_file(tmp_path, text, message):
    with pytest.raises(BuildError, match=rf"reports\.toml: .*{message}"):
        load_preload(write(tmp_path, text + REPORT))


def test_date_parameters_must_be_quoted(tmp_path):
    path = write(tmp_path, '[[report]]\nname = "a"\nnotebook = "nb.ipynb"\n'
                           '[report.parameters]\ntoday = 2026-01-31\n')
    with pytest.raises(ParameterError, match=r"parameter 'today' is a date .*Quote dates"):
        load_definitions(path)


def test_shard_takes_every_nth_report():
    specs = [type("S", (), {"name": n})() for n in "abcde"]
    assert [s.name for s in select_reports(specs, shard=(1, 2))] == ["a", "c", "e"]
    assert [s.name for s in select_reports(specs, shard=(2, 2))] == ["b", "d"]
    assert [s.name for s in select_reports(specs, only=("e", "a"), shard=(1, 1))] == ["a", "e"]


def test_unknown_only_name_lists_the_defined_reports():
    specs = [type("S", (), {"name": n})() for n in "ab"]
    with pytest.raises(UnknownReportError, match="unknown report.*: zz; defined reports: a, b"):
        select_reports(specs, only=("zz",))


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_invalid_shards_are_rejected(text):
    with pytest.raises(ParameterError, match="expected I/N with 1 <= I <= N"):
        parse_shard(text)


def test_shard_text_is_parsed():
    assert parse_shard(" 2/4 ") == (2, 4)


# ---------------------------------------------------------------- the modules the notebooks import

def notebook(folder: Path, name: str, *cells: str) -> Path:
    """A notebook of ``cells`` (code) in ``folder``."""
    path = folder / name
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c.splitlines(keepends=True)}
                                          for c in cells] + [{"cell_type": "markdown", "source": "import x"}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_notebook_modules_are_every_absolute_import_with_library_submodules(tmp_path):
    first = notebook(tmp_path, "a.ipynb",
                     "import json, os.path\nfrom lymphoma_evidence import load_evidence",
                     "from lymphoma_evidence.reports import class_profile as section\n%matplotlib inline",
                     "from lymphoma_evidence.reports.briefing import Briefing\nfrom . import local")
    second = notebook(tmp_path, "b.ipynb", "def f():\n    import lymphoma_evidence.reports.decision_aid\n",
                      "import json")
    assert notebook_modules([first, second, first, tmp_path / "missing.ipynb"]) == (
        "json", "os.path", "lymphoma_evidence", "lymphoma_evidence.reports.briefing",
        "lymphoma_evidence.reports.decision_aid")
    # the cell above with a magic is not Python and is skipped; the same import in a plain cell counts
    plain = notebook(tmp_path, "c.ipynb", "from lymphoma_evidence.reports import class_profile, html")
    assert notebook_modules([plain]) == (
        "lymphoma_evidence.reports", "lymphoma_evidence.reports.class_profile",
        "lymphoma_evidence.reports.html")


def test_the_kernels_warm_every_report_module_of_the_project():
    """The modules the build warms are read from the notebooks reports.toml names: each notebook's report
    module (reports/<notebook>.py) is among them, and each of them exists."""
    specs = load_definitions(ROOT / "notebooks" / "reports.toml")
    warm = notebook_modules(spec.notebook for spec in specs)
    for stem in {spec.notebook.stem for spec in specs}:
        assert f"lymphoma_evidence.reports.{stem}" in warm, f"{stem}.ipynb's report module is not warmed"
    assert all(importlib.util.find_spec(name) is not None for name in warm)


# ---------------------------------------------------------------- the project's class profiles

def class_profiles() -> dict[str, str]:
    """``{class_id: report name}`` of the class-profile entries of the project's reports.toml."""
    specs = load_definitions(ROOT / "notebooks" / "reports.toml")
    return {str(s.parameters["class_id"]): s.name for s in specs if s.notebook.name == "class_profile.ipynb"}


def test_every_class_profile_entry_names_a_class_of_the_evidence(evidence):
    profiles = class_profiles()
    assert profiles, "reports.toml has class-profile entries"
    unknown = sorted(set(profiles) - set(evidence.classes["class_id"]))
    assert not unknown, f"class-profile entries for classes not in therapy_classes.csv: {unknown}"


def test_every_option_class_of_the_evidence_has_a_class_profile_entry(evidence):
    """Every class of role option (or no role) has its own page, with or without figures (a page without
    figures says so in plain words; tests/system/test_reader_output.py prints and checks every one)."""
    classes = evidence.classes
    options = classes.loc[classes["role"].astype("string").fillna("option") == "option", "class_id"]
    missing = set(options) - set(class_profiles())
    assert options.size and not missing, (
        f"therapy classes with role option but no class_profile.ipynb entry in notebooks/reports.toml: "
        f"{sorted(missing)}; add a [[report]] for each")
