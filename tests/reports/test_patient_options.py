"""Patient options: parameters become a profile; every option is listed with its status and reasons."""

from __future__ import annotations

import pytest
from helpers import EVIDENCE

from lymphoma_evidence import eligible_options, load_evidence
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.reports import patient_options as section
from lymphoma_evidence.reports.briefing import Briefing


def test_parameters_map_to_a_profile_with_unknowns() -> None:
    profile = section.profile_from_parameters(-1, "yes", "no", "unknown", -1, {"cd19": "negative"})
    assert profile.prior_lines is None and profile.ecog is None
    assert profile.prior_car_t is True and profile.transplant_fit is False and profile.has_donor is None
    assert profile.antigens == {"CD19": "negative"}


def test_a_yes_no_parameter_must_be_yes_no_or_unknown() -> None:
    with pytest.raises(ParameterError, match="Invalid has_donor 'maybe'. Expected one of: yes, no, unknown."):
        section.profile_from_parameters(2, "yes", "no", "maybe", 1, {})


def test_options_section_counts_and_lists_every_option() -> None:
    evidence = load_evidence(EVIDENCE)
    profile = section.profile_from_parameters(3, "yes", "no", "no", 1, {"CD19": "negative"})
    html = section.options(Briefing(evidence, audience="patient"), profile)
    table = eligible_options(evidence, profile)
    counts = table["status"].value_counts()
    assert f"{len(table)} options: {counts.get('eligible', 0)} fit the listed criteria" in html
    assert html.count("<tr>") == len(table) + 1
    assert 'alt="' in html


def test_profile_is_described_in_plain_words() -> None:
    profile = section.profile_from_parameters(-1, "no", "unknown", "yes", 2, {})
    lines = section.describe(profile)
    assert "prior lines of treatment: unknown" in lines and "has not had CAR T-cell therapy" in lines
    assert "a stem-cell donor is available" in lines and "markers on the lymphoma: unknown" in lines
