"""Tests for lymphoma_evidence.analysis.tables: the tables the figure set and the deck draw, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lymphoma_evidence.analysis import headline
from lymphoma_evidence.analysis.approvals import class_status
from lymphoma_evidence.analysis.eligibility import class_options
from lymphoma_evidence.analysis.frames import AnalysisTables
from lymphoma_evidence.analysis.strata import pool_within_strata, response_studies
from lymphoma_evidence.analysis.tables import EXAMPLE_PROFILE, PROFILES, analysis_tables, parse_profile
from lymphoma_evidence.errors import ParameterError


def test_the_tables_are_the_analysis_of_the_evidence(evidence):
    tables = analysis_tables(evidence)
    assert isinstance(tables, AnalysisTables)
    assert (tables.version, tables.content_hash) == (evidence.version, evidence.content_hash)
    studies = response_studies(evidence)
    assert tables.studies.equals(studies)
    assert tables.pooled.equals(pool_within_strata(studies))
    assert tables.numbers.equals(headline.headline_numbers(evidence))
    assert tables.status.equals(class_status(evidence))
    assert tables.options is not None and tables.options.equals(class_options(evidence, EXAMPLE_PROFILE))
    assert tables.example_profile and tables.range_checks is None


def test_no_profile_leaves_the_options_out_and_ranges_are_computed_when_asked(evidence):
    tables = analysis_tables(evidence, None, stated_ranges=True)
    assert tables.options is None and tables.profile is None and not tables.example_profile
    assert tables.range_checks is not None and len(tables.range_checks) == len(evidence.reported_ranges)
    other = analysis_tables(evidence, PROFILES["fit-with-donor"])
    assert not other.example_profile and other.options is not None


def test_the_deck_computes_the_headline_numbers_once(evidence, monkeypatch, tmp_path: Path):
    from lymphoma_evidence.analysis import tables as tables_module
    from lymphoma_evidence.figures.slides import write_deck

    calls: list[str] = []
    original = headline.headline_numbers

    def counted(ev):
        calls.append(ev.content_hash)
        return original(ev)

    monkeypatch.setattr(headline, "headline_numbers", counted)        # where other modules look it up
    monkeypatch.setattr(tables_module, "headline_numbers", counted)
    write_deck(analysis_tables(evidence), tmp_path / "deck.pptx")
    assert len(calls) == 1


def test_parse_profile_names_the_known_profiles():
    assert parse_profile(None) is EXAMPLE_PROFILE
    assert parse_profile("fit-no-donor") == PROFILES["fit-no-donor"]
    with pytest.raises(ParameterError, match="unknown profile 'nobody'.*fit-with-donor"):
        parse_profile("nobody")
