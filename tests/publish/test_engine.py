"""The report build end to end, on fixture notebooks and a small valid evidence folder.

Each test builds into its own temporary project; builds use real kernels (a few seconds each).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fixtures.build_project import make_project, report

from lymphoma_evidence import __version__
from lymphoma_evidence.data.evidence import content_hash
from lymphoma_evidence.errors import EvidenceError, ParameterError
from lymphoma_evidence.publish import engine
from lymphoma_evidence.vocabulary import DISCLAIMER, PATIENT_DISCLAIMER

#: runs notebooks on real kernels
pytestmark = pytest.mark.slow

HOSTILE_TITLE = 'Hostile <script>alert("x")</script> & <img src=x onerror=alert(1)>'
TRICKY_STRING = "quote \" and ' and \"\"\" and \\ then code: __import__('os').system('touch PWNED') #"


@pytest.fixture(autouse=True)
def stable_library_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the library digest: other edits to the package during a test run must not force rebuilds."""
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One build of two reports (hostile title, tricky parameter string); the files as first written."""
    root = tmp_path_factory.mktemp("project")
    toml = (report("ok_a", "ok_params.ipynb", title=HOSTILE_TITLE, audience="patient", n_rows=1)
            + report("ok_b", "ok_params.ipynb", title="Second report", endpoint=TRICKY_STRING,
                     class_ids=["cd19_car_t", "a\"b"]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "library_digest", lambda: f"{__version__}+test")
        options = make_project(root, toml)
        result = engine.run_build(options, progress=lambda line: None)
    files = {path.name: path.read_text(encoding="utf-8") for path in options.out.glob("*.html")}
    return options, result, files


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def external_references(html: str) -> list[str]:
    """Every script src, link href, and CSS url() in ``html`` that is not inside the file."""
    page = soup(html)
    found = [tag.get("src") for tag in page.find_all("script") if tag.get("src")]
    found += [tag.get("href") for tag in page.find_all("link") if tag.get("href")]
    found += [tag.get("src") for tag in page.find_all(["img", "iframe", "embed", "source"])
              if not str(tag.get("src", "")).startswith("data:")]
    css = " ".join(style.get_text() for style in page.find_all("style"))
    css += " ".join(str(tag.get("style", "")) for tag in page.find_all(style=True))
    urls = re.findall(r"url\(\s*['\"]?([^)'\"]*)", css)
    found += [url for url in urls if not url.startswith(("data:", "#"))]
    found += re.findall(r"@import[^;]*", css)
    return found


def test_build_writes_every_report_the_index_and_the_executed_notebooks(built):
    options, result, files = built
    assert result.exit_code == 0
    assert [item.status for item in result.statuses] == ["built", "built"]
    assert set(files) == {"ok_a.html", "ok_b.html", "index.html"}
    assert {p.name for p in (options.out / "executed").iterdir()} == {"ok_a.ipynb", "ok_b.ipynb"}


def test_reports_carry_provenance_and_the_disclaimer_once(built):
    options, _, files = built
    evidence_hash = content_hash(options.evidence)
    for name in ("ok_b.html", "index.html"):
        page = soup(files[name])
        header = page.find("header", class_="le-report-header").get_text(" ", strip=True)
        assert "Evidence version 0.1.0, not yet released." in header  # no CHANGELOG section for it
        assert re.search(r"Built \d{1,2} [A-Z][a-z]+ \d{4}\.", header), header  # the date in words
        details = page.find("details", class_="le-build-details").get_text(" ", strip=True)
        assert evidence_hash[:12] in details and f"lymphoma-evidence {__version__}" in details
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", details)
        assert page.get_text(" ", strip=True).count(DISCLAIMER) == 1, name


def test_patient_pages_show_the_date_in_words_and_no_hash_or_toolkit(built):
    options, _, files = built
    page = soup(files["ok_a.html"])  # audience "patient"
    text = page.get_text(" ", strip=True)
    assert content_hash(options.evidence)[:12] not in files["ok_a.html"]
    assert "lymphoma-evidence" not in page.find("header", class_="le-report-header").get_text()
    footer = page.find("footer", class_="le-report-footer").get_text(" ", strip=True)
    assert re.search(r"Made on \d{1,2} [A-Z][a-z]+ \d{4} from evidence version 0\.1\.0\.", footer)
    assert text.count(PATIENT_DISCLAIMER) == 1 and DISCLAIMER not in text


def test_reports_and_index_load_nothing_from_outside_the_file(built):
    _, _, files = built
    for name, html in files.items():
        assert external_references(html) == [], name


def test_reports_hide_input_code_but_keep_outputs_and_alt_text(built):
    _, _, files = built
    page = soup(files["ok_a.html"])
    assert "SECRET_INPUT_MARKER" not in files["ok_a.html"]
    assert page.select(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .highlight") == []
    assert "Results section" in page.get_text()
    images = page.find_all("img")
    assert images and all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert [img["alt"] for img in images] == ["Fixture bar chart: a=1, b=2"]


def test_parameter_strings_with_quotes_and_code_pass_through_unchanged(built):
    options, _, files = built
    received = json.loads(soup(files["ok_b.html"]).find(id="received-parameters").get_text())
    assert received["endpoint"] == TRICKY_STRING
    assert received["class_ids"] == ["cd19_car_t", "a\"b"]
    assert not list(options.definitions.parent.glob("PWNED")) and not Path("PWNED").exists()


def test_hostile_titles_are_escaped_in_the_report_and_the_index(built):
    _, _, files = built
    for name in ("ok_a.html", "index.html"):
        page = soup(files[name])
        scripts = page.find_all("script")
        assert [s.get("id") for s in scripts] in ([], ["le-zoom-script"]), name  # only the figure zoom
        assert all("alert" not in s.get_text() for s in scripts)
        assert page.find("img", onerror=True) is None
        assert HOSTILE_TITLE in page.get_text()


def test_index_groups_reports_by_audience_with_status_in_words_and_parameters_folded(built):
    _, _, files = built
    page = soup(files["index.html"])
    groups = {section.find("h2").get_text(strip=True): [item["data-report"] for item in
                                                       section.find_all("li", class_="le-report-item")]
              for section in page.find_all("section", class_="le-audience")}
    assert groups == {"For patients and families": ["ok_a"], "Other reports": ["ok_b"]}
    for item in page.find_all("li", class_="le-report-item"):
        status = item.find("p", class_="le-status").get_text(strip=True)
        assert re.fullmatch(r"Up to date: built \d{1,2} [A-Z][a-z]+ \d{4}\.", status), status
        folded = item.find("details", class_="le-params")
        assert folded is not None and folded.find("summary").get_text(strip=True) == "Parameters and file"
        assert not re.search(r"\d s\b", folded.get_text(" ", strip=True)), "no wall-clock time on a page"
    ok_a = page.find("li", attrs={"data-report": "ok_a"})
    assert [dt.get_text(strip=True) for dt in ok_a.find_all("dt")][-1] == "n_rows"
    assert page.find("a", href="ok_a.html") is not None
    assert not re.search(r"\d{4}-\d\d-\d\dT", page.get_text()), "no ISO timestamps for people"



def test_second_build_skips_everything_without_starting_a_kernel(built, monkeypatch):
    options, _, files = built

    def no_kernels(*args, **kwargs):
        raise AssertionError("a no-op build started the kernel pool")

    monkeypatch.setattr("lymphoma_evidence.publish.kernels.KernelPool", no_kernels)
    result = engine.run_build(options, progress=lambda line: None)
    assert [item.status for item in result.statuses] == ["skipped", "skipped"]
    assert result.exit_code == 0
    assert (options.out / "ok_a.html").read_text(encoding="utf-8") == files["ok_a.html"]


def test_changed_evidence_csv_rebuilds_every_report(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb") + report("two", "ok_params.ipynb",
                                                                                  n_rows=1))
    assert engine.run_build(options, progress=lambda line: None).count("built") == 2
    classes = options.evidence / "therapy_classes.csv"
    classes.write_text(classes.read_text(encoding="utf-8").replace("Antibodies with two arms",
                                                                   "Antibodies with two binding arms"),
                       encoding="utf-8")
    result = engine.run_build(options, progress=lambda line: None)
    assert [item.status for item in result.statuses] == ["built", "built"]


def test_only_and_shard_build_the_chosen_reports_and_index_lists_all(tmp_path):
    toml = "".join(report(name, "ok_params.ipynb", n_rows=i) for i, name in enumerate("abc", start=1))
    options = make_project(tmp_path, toml)
    result = engine.run_build(replace(options, shard=(2, 2)), progress=lambda line: None)
    assert [(item.spec.name, item.status) for item in result.statuses if item.selected] == [("b", "built")]
    assert [item.status for item in result.statuses] == ["not built", "built", "not built"]
    result = engine.run_build(replace(options, only=("a", "b")), progress=lambda line: None)
    assert [item.status for item in result.statuses] == ["built", "skipped", "not built"]


class IdlePool:
    """Stands in for the kernel pool (which starts kernels while the build validates): fails when a report
    asks for a kernel, and records that the build closed it."""

    def __init__(self, size: int, *args, template=None, **kwargs) -> None:
        self.size, self.closed, self.template = size, False, template
        STARTED_POOLS.append(self)

    def take(self):
        raise AssertionError("a notebook was about to run")

    def close(self) -> None:
        self.closed = True
        if self.template is not None:  # as the kernel pool does
            self.template.close()


STARTED_POOLS: list[IdlePool] = []


@pytest.fixture
def idle_pool(monkeypatch):
    STARTED_POOLS.clear()
    monkeypatch.setattr("lymphoma_evidence.publish.kernels.KernelPool", IdlePool)
    yield STARTED_POOLS
    assert all(pool.closed for pool in STARTED_POOLS), "a refused build left its kernels running"


def test_invalid_parameter_is_an_error_before_any_notebook_runs(tmp_path, idle_pool):
    options = make_project(tmp_path, report("fine", "ok_params.ipynb", n_rows=2)
                           + report("typo", "ok_params.ipynb", n_rowz=2)
                           + report("wrong_type", "typed_params.ipynb", count="3"))
    expected = r"report 'typo' .*unknown parameter 'n_rowz' \(given 2\)"
    with pytest.raises(ParameterError, match=expected) as err:
        engine.run_build(options, progress=lambda line: None)
    assert re.search(r"report 'wrong_type' .*parameter 'count' is str '3', but the notebook expects int",
                     str(err.value))
    assert not list(options.out.glob("*.html")) and not (options.out / ".manifest.json").exists()


def test_invalid_evidence_stops_the_build_before_any_notebook_runs(tmp_path, idle_pool):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    results = options.evidence / "results.csv"
    lines = results.read_text(encoding="utf-8").splitlines()
    results.write_text("\n".join([lines[0], lines[1].replace(",101,", ",-101,", 1), *lines[2:]]) + "\n",
                       encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"results\.csv:2:n"):
        engine.run_build(options, progress=lambda line: None)
    assert not list(options.out.glob("*.html"))
