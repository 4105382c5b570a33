"""Ids are data: renaming every class and agent id of the evidence consistently (in every id column of a
copy of evidence/, and in the report parameters that name a class) changes nothing a reader sees; nor does
renaming the endpoint codes (the response measures of measures.csv) wherever the tables name them.

The pages that can be built in-process are compared by their visible text: the briefing for each
audience (its sections without the embedded figures), every class profile, the audit's coverage and the
deck's text slides. The decision-aid modules still pick classes by id until they read the aid's own
evidence table, so they are not compared here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from helpers import EVIDENCE, copy_evidence, read_rows, write_rows

from lymphoma_evidence.analysis.tables import analysis_tables
from lymphoma_evidence.data.evidence import Evidence, load_evidence
from lymphoma_evidence.data.validate import validate_evidence
from lymphoma_evidence.figures.deck_text import deck_content
from lymphoma_evidence.reports import class_profile, evidence_audit
from lymphoma_evidence.reports.briefing import Briefing

#: Columns that hold a class or agent id, in any table; and those holding ";"-separated lists of them.
ID_COLUMNS = {"class_id", "agent_id", "scope_id"}
ID_LIST_COLUMNS = {"covers"}
BRIEFING = ("lead", "takeaways", "teaching", "outlook", "options", "response_table", "ranges", "eligibility",
            "investigational", "trials", "questions", "references", "disclaimer")
PROFILE = (class_profile.overview, class_profile.findings, class_profile.results, class_profile.pooled,
           class_profile.outcomes)


def renamed_ids(folder: Path) -> dict[str, str]:
    """Old id -> new id for every class and agent: opaque names that sort in another order."""
    classes = pd.read_csv(folder / "therapy_classes.csv", dtype=str)["class_id"]
    agents = pd.read_csv(folder / "agents.csv", dtype=str)["agent_id"]
    ids = [*classes, *agents]
    return {old: f"zz_{len(ids) - i:03d}_{'c' if i < len(classes) else 'a'}" for i, old in enumerate(ids)}


def rename(folder: Path, mapping: dict[str, str]) -> None:
    """Replace every id cell of every table in ``folder`` (whole cells of the id columns only)."""
    for path in sorted(folder.glob("*.csv")):
        rows = read_rows(path)
        columns = [i for i, name in enumerate(rows[0]) if name in ID_COLUMNS]
        lists = [i for i, name in enumerate(rows[0]) if name in ID_LIST_COLUMNS]
        for row in rows[1:]:
            for i in columns:
                row[i] = mapping.get(row[i], row[i])
            for i in lists:
                parts = [p.strip() for p in row[i].split(";") if p.strip()]
                row[i] = ";".join(mapping.get(p, p) for p in parts)
        write_rows(path, rows)


def visible(html: object, mapping: dict[str, str]) -> str:
    """The text a reader sees, ids mapped back (a page may show none; the mapping is for safety; an id may
    be broken after its underscores where a long word may wrap)."""
    text = BeautifulSoup(str(html), "html.parser").get_text(" ")
    back = {new: old for old, new in mapping.items()}
    text = re.sub(r"zz_\s?\d{3}_\s?[cam]", lambda m: back.get(re.sub(r"\s", "", m.group(0)), m.group(0)),
                  text)
    return re.sub(r"\s+", " ", text).strip()


def pages(evidence: Evidence, class_ids: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Visible text of every in-process page, keyed by page (class pages by the class's original id)."""
    out = {}
    for audience in ("clinician", "educator", "patient"):
        report = Briefing(evidence, audience=audience)
        out[f"briefing_{audience}"] = visible("".join(str(getattr(report, s)()) for s in BRIEFING), mapping)
    back = {new: old for old, new in mapping.items()}
    for class_id in class_ids:
        report = Briefing(evidence, class_ids=[class_id])
        out[f"class_{back.get(class_id, class_id)}"] = visible("".join(str(f(report)) for f in PROFILE),
                                                              mapping)
    out["audit_coverage"] = visible(evidence_audit.coverage(Briefing(evidence)), mapping)
    deck = deck_content(analysis_tables(evidence))
    slides = [deck.outlook, deck.options, deck.investigational, deck.trials, deck.takeaways]
    out["deck"] = visible(" | ".join(f"{s.title} {' '.join(s.lines)} {s.notes} {s.table}" for s in slides),
                          mapping)
    return out


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    folder = copy_evidence(EVIDENCE, tmp_path_factory.mktemp("renamed") / "evidence")
    mapping = renamed_ids(folder)
    rename(folder, mapping)
    original = load_evidence(EVIDENCE)
    renamed = load_evidence(folder)
    classes = list(original.classes["class_id"])
    before = pages(original, classes, {})
    after = pages(renamed, [mapping[c] for c in classes], mapping)
    return before, after


def test_the_renamed_copy_is_valid_and_renamed(tmp_path: Path) -> None:
    folder = copy_evidence(EVIDENCE, tmp_path / "evidence")
    mapping = renamed_ids(folder)
    rename(folder, mapping)
    evidence = load_evidence(folder)
    assert set(evidence.classes["class_id"]) == {mapping[c] for c in load_evidence().classes["class_id"]}
    assert not set(evidence.results["scope_id"]) & set(mapping)


@pytest.mark.slow
def test_renaming_every_class_and_agent_id_changes_nothing_a_reader_sees(before_and_after) -> None:
    before, after = before_and_after
    assert before.keys() == after.keys()
    changed = [page for page in before if before[page] != after[page]]
    for page in changed:
        words_before, words_after = before[page].split(" "), after[page].split(" ")
        first = next(i for i, (a, b) in enumerate(zip(words_before, words_after, strict=False)) if a != b)
        print(page, " ".join(words_before[max(0, first - 12):first + 12]), "||",
              " ".join(words_after[max(0, first - 12):first + 12]))
    assert not changed, f"pages that change when ids are renamed: {changed}"
    assert all(len(text) > 200 for text in before.values())


#: The cells that name an endpoint (a measure of kind response), as whole cells and in ";"-separated lists.
ENDPOINT_CELLS = {("results", "endpoint"), ("reported_ranges", "endpoint"), ("measures", "measure"),
                  ("measures", "within"), ("featured_classes", "measure"), ("certainty", "outcome")}
ENDPOINT_LISTS = {("aid_options", "outlook_measures")}


def rename_endpoints(folder: Path) -> dict[str, str]:
    """Rename every endpoint code of ``folder`` to an opaque one that sorts in display order; returns old ->
    new."""
    measures = pd.read_csv(folder / "measures.csv", dtype=str, keep_default_na=False)
    codes = measures[measures["kind"] == "response"].sort_values("display_order")["measure"]
    mapping = {old: f"zz_{901 + i}_m" for i, old in enumerate(codes)}
    for path in sorted(folder.glob("*.csv")):
        rows = read_rows(path)
        cells = [i for i, name in enumerate(rows[0]) if (path.stem, name) in ENDPOINT_CELLS]
        lists = [i for i, name in enumerate(rows[0]) if (path.stem, name) in ENDPOINT_LISTS]
        for row in rows[1:]:
            for i in cells:
                row[i] = mapping.get(row[i], row[i])
            for i in lists:
                row[i] = ";".join(mapping.get(p.strip(), p.strip()) for p in row[i].split(";") if p.strip())
        write_rows(path, rows)
    return mapping


@pytest.mark.slow
def test_renaming_the_endpoint_codes_changes_nothing_a_reader_sees(before_and_after, tmp_path: Path) -> None:
    """The briefings, the audit's coverage and the deck read the same; a class page lists the same rows,
    but its tables of results by trial sort them by endpoint code, so its words are compared as a multiset."""
    folder = copy_evidence(EVIDENCE, tmp_path / "evidence")
    mapping = rename_endpoints(folder)
    assert set(mapping) == {"ORR", "CR"} and validate_evidence(folder) == []
    renamed = load_evidence(folder)
    assert set(renamed.results["endpoint"]) == set(mapping.values())
    before = before_and_after[0]
    after = pages(renamed, list(renamed.classes["class_id"]), mapping)
    assert before.keys() == after.keys()
    changed = [page for page in before if (sorted(before[page].split(" ")) != sorted(after[page].split(" "))
                                           if page.startswith("class_") else before[page] != after[page])]
    assert not changed, f"pages that change when the endpoint codes are renamed: {changed}"
