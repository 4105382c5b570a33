"""The validated-evidence cache: kernels reuse the bundle the build validated, for the exact content only."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from fixtures.build_project import EVIDENCE_MIN, make_project, report
from helpers import copy_evidence, set_cell

from lymphoma_evidence import __version__
from lymphoma_evidence.data import evidence, hashing
from lymphoma_evidence.data.evidence import cache_file, content_hash, load_evidence
from lymphoma_evidence.errors import EvidenceError, ParameterError
from lymphoma_evidence.publish import engine
from lymphoma_evidence.publish.definitions import load_definitions
from lymphoma_evidence.publish.evidence_cache import CACHE_FOLDER, SHARED_FOLDER, write_evidence_cache

EDITED_REGIMEN = "axicabtagene ciloleucel (edited after the build)"
VALIDATOR = "0.1.0+test; pandas 2"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the small valid fixture evidence that a test may change."""
    return copy_evidence(EVIDENCE_MIN, tmp_path / "evidence")


@pytest.fixture
def cached(folder: Path, tmp_path: Path) -> Path:
    """The folder's validated bundle saved as a build saves it; the cache folder (given as ``cache=``)."""
    return write_evidence_cache(tmp_path / "reports", load_evidence(folder), VALIDATOR)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records every folder ``load_evidence`` validates (the validation itself still runs)."""
    seen: list[Path] = []
    real = evidence.check_folder

    def spy(path: Path):
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(evidence, "check_folder", spy)
    return seen


def test_the_bundle_saved_for_the_current_content_is_loaded_without_validating(
        folder: Path, cached: Path, validations: list[Path]) -> None:
    loaded = load_evidence(folder, cache=cached)
    assert validations == []
    assert loaded.content_hash == content_hash(folder)
    assert loaded.results["result_id"].tolist() == load_evidence(folder).results["result_id"].tolist()


def test_a_changed_csv_is_validated_again_and_its_new_content_loaded(
        folder: Path, cached: Path, validations: list[Path]) -> None:
    set_cell(folder, "results.csv", 2, "regimen", EDITED_REGIMEN)
    loaded = load_evidence(folder, cache=str(cached))
    assert validations == [folder]
    assert loaded.results["regimen"].iloc[0] == EDITED_REGIMEN
    assert loaded.content_hash == content_hash(folder)


def test_a_csv_made_invalid_after_the_build_is_refused_despite_the_cache(folder: Path, cached: Path) -> None:
    set_cell(folder, "results.csv", 2, "n", "many")
    with pytest.raises(EvidenceError, match=r"results\.csv:2:n"):
        load_evidence(folder, cache=cached)


@pytest.mark.parametrize("damage", ["garbage bytes", "truncated", "directory", "not a bundle",
                                    "bundle of other content"])
def test_a_damaged_cache_file_falls_back_to_validation(
        damage: str, folder: Path, cached: Path, validations: list[Path]) -> None:
    target = cache_file(cached, content_hash(folder))
    good = target.read_bytes()
    target.unlink()
    if damage == "garbage bytes":
        target.write_bytes(b"\x80\x05 this is not a pickle")
    elif damage == "truncated":
        target.write_bytes(good[: len(good) // 2])
    elif damage == "directory":
        target.mkdir()
    elif damage == "not a bundle":
        target.write_bytes(pickle.dumps({"results": "not evidence"}))
    else:
        other = replace(pickle.loads(good), content_hash="0" * 64)
        target.write_bytes(pickle.dumps(other))
    loaded = load_evidence(folder, cache=cached)
    assert validations == [folder]
    assert loaded.content_hash == content_hash(folder)


def test_without_a_cache_the_files_are_validated_whatever_the_environment(
        folder: Path, cached: Path, validations: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LYMPHOMA_EVIDENCE_CACHE", str(cached))  # no longer a channel
    load_evidence(folder)
    assert validations == [folder]


def test_a_cached_bundle_reports_the_folder_it_was_loaded_from(
        folder: Path, cached: Path, tmp_path: Path, validations: list[Path]) -> None:
    elsewhere = tmp_path / "copy" / "evidence"
    shutil.copytree(folder, elsewhere)
    assert load_evidence(elsewhere, cache=cached).path == elsewhere.resolve()
    assert validations == []


def test_writing_the_cache_keeps_only_the_bundle_of_the_current_content(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = load_evidence(folder)
    write_evidence_cache(out, first, VALIDATOR)
    set_cell(folder, "results.csv", 2, "regimen", EDITED_REGIMEN)
    second = load_evidence(folder)
    cache = write_evidence_cache(out, second, VALIDATOR)
    assert cache == out / CACHE_FOLDER
    bundle = cache_file(cache, second.content_hash)
    assert sorted(p.name for p in cache.iterdir()) == sorted([bundle.name, bundle.stem + ".validator"])


def test_content_hash_is_importable_from_evidence_and_hashing_without_pandas(folder: Path) -> None:
    assert evidence.content_hash is hashing.content_hash
    code = "import sys, lymphoma_evidence.data.hashing as h; print(h.content_hash(sys.argv[1])); " \
           "print('pandas' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == [content_hash(folder), "False"]


def test_notebooks_are_given_the_evidence_and_the_cache_folder_they_declare(tmp_path: Path) -> None:
    options = make_project(tmp_path, report("probe", "probe.ipynb") + report("typed", "typed_params.ipynb"))
    write_probe(options.definitions.parent / "probe.ipynb")
    elsewhere = tmp_path / "any-name"
    shutil.copytree(options.evidence, elsewhere)
    cache = tmp_path / "reports" / CACHE_FOLDER
    probe, typed = load_definitions(options.definitions)
    assert engine.given_evidence([probe, typed], options.evidence, cache) == [
        replace(probe, parameters={"evidence_path": str(options.evidence.resolve()),
                                   "evidence_cache": str(cache.resolve())}),
        typed]  # a notebook without the parameters finds its project's evidence itself
    (moved,) = engine.given_evidence([probe], elsewhere, cache)
    assert moved.parameters["evidence_path"] == str(elsewhere.resolve())
    with pytest.raises(ParameterError, match=r"'typed' \(typed_params.ipynb\): the notebook has no "
                       r"evidence_path parameter, so it cannot be given the evidence in"):
        engine.given_evidence([typed], elsewhere, cache)
    assert engine.given_evidence([typed], options.evidence, cache) == [typed], "its own evidence is fine"


def test_invalid_evidence_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")
    options = make_project(tmp_path, report("ok", "ok_params.ipynb"))
    set_cell(options.evidence, "results.csv", 2, "n", "many")
    with pytest.raises(EvidenceError, match=r"results\.csv:2:n"):
        engine.run_build(options, progress=lambda line: None)
    assert not list((options.out / CACHE_FOLDER).glob(cache_file(Path(), "*").name))


PROBE = ("import json, sys\nfrom lymphoma_evidence import load_evidence\n"
         "ev = load_evidence(evidence_path or None, cache=evidence_cache or None)\n"
         "print(json.dumps({'cache': evidence_cache, 'path': str(ev.path), "
         "'validated_here': 'pandera' in sys.modules, 'hash': ev.content_hash}))")


def write_probe(path: Path) -> None:
    """A notebook declaring the evidence parameters, printing what it loaded and how."""
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                 "display_name": "Python 3"}})
    notebook.cells = [nbformat.v4.new_code_cell('evidence_path: str = ""\nevidence_cache: str = ""',
                                                metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell(PROBE)]
    nbformat.write(notebook, path)


@pytest.mark.slow
def test_build_kernels_load_the_bundle_the_build_validated_from_a_folder_of_any_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")
    options = make_project(tmp_path, report("probe", "probe.ipynb"))
    write_probe(options.definitions.parent / "probe.ipynb")
    renamed = options.evidence.rename(tmp_path / "evidence-2026")  # no folder named evidence left
    options = replace(options, evidence=renamed, jobs=1)
    assert engine.run_build(options, progress=lambda line: None).exit_code == 0
    executed = nbformat.read(options.out / "executed" / "probe.ipynb", as_version=4)
    seen = json.loads(executed.cells[-1].outputs[0]["text"])
    evidence_hash = content_hash(options.evidence)
    assert seen == {"cache": str((options.out / CACHE_FOLDER).resolve()), "path": str(renamed.resolve()),
                    "validated_here": False, "hash": evidence_hash}
    bundle = cache_file(Path(), evidence_hash)
    assert sorted(os.listdir(options.out / CACHE_FOLDER)) == sorted([bundle.name, bundle.stem + ".validator",
                                                                     SHARED_FOLDER])


@pytest.mark.slow
def test_a_build_reuses_the_last_validation_only_for_the_same_evidence_and_validator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+test")
    # Kernels started one by one: the build validates in this process, where the validations are counted
    # (a build with the template validates in the template's child, the same way: test_kernel_template).
    options = replace(make_project(tmp_path, report("one", "ok_params.ipynb")), force=True, jobs=1,
                      fresh_kernels=True)
    validated: list[Path] = []
    real_load = evidence.load_evidence

    def counting_load(folder, **kwargs):
        validated.append(Path(folder))
        return real_load(folder, **kwargs)

    monkeypatch.setattr(evidence, "load_evidence", counting_load)
    said: list[str] = []
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert len(validated) == 1
    assert sum("evidence unchanged since the last build validated it" in line for line in said) == 1
    monkeypatch.setattr(engine, "library_digest", lambda: f"{__version__}+changed")
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert len(validated) == 2, "a changed validator validates again"
    set_cell(options.evidence, "results.csv", 2, "regimen", EDITED_REGIMEN)
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert len(validated) == 3, "changed evidence is validated again"
    bundle = cache_file(options.out / CACHE_FOLDER, content_hash(options.evidence))
    bundle.write_bytes(b"cut short by a killed build")
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert len(validated) == 4, "an unreadable bundle is validated again"
    set_cell(options.evidence, "results.csv", 2, "n", "many")
    with pytest.raises(EvidenceError, match=r"results\.csv:2:n"):
        engine.run_build(options, progress=said.append)
