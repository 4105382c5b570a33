"""reports.toml parsing, --only and --shard selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from lymphoma_evidence.errors import BuildError, ParameterError
from lymphoma_evidence.publish.definitions import (
    UnknownReportError,
    load_definitions,
    load_preload,
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
