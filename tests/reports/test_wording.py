"""Wording changes with the audience; the numbers never do."""

from __future__ import annotations

import pytest

from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.formatting import in_ten
from lymphoma_evidence.reports.wording import Wording

TERMS = {"ORR": ("overall response rate", "the share of people whose tumour shrank"),
         "CR": ("complete response", "no tumour could be seen on scans after treatment")}


def test_abbreviation_is_expanded_at_first_use_only() -> None:
    words = Wording("clinician", TERMS)
    assert words.term("ORR") == "overall response rate (ORR)"
    assert words.term("ORR") == "ORR"


def test_patients_get_the_plain_explanation() -> None:
    first = Wording("patient", TERMS).term("CR")
    assert first.startswith("complete response (CR: ") and "no tumour could be seen" in first


def test_an_abbreviation_the_topic_does_not_explain_is_refused() -> None:
    with pytest.raises(ParameterError, match="'XYZ' is not in abbreviations.csv"):
        Wording("clinician", TERMS).term("XYZ")


def test_rates_keep_the_number_for_every_audience() -> None:
    assert Wording("clinician").rate(0.631, 0.55, 0.706) == "63% (95% CI 55–71%)"
    assert Wording("patient").rate(0.631, 0.55, 0.706) == "63%, about 6 in 10 people"


@pytest.mark.parametrize(("rate", "words"), [(0.04, "fewer than 1 in 10 people"),
                                             (0.36, "about 4 in 10 people"),
                                             (0.97, "more than 9 in 10 people")])
def test_natural_frequencies(rate: float, words: str) -> None:
    assert in_ten(rate) == words


def test_unknown_audience_is_refused_with_the_choices() -> None:
    with pytest.raises(ParameterError, match="audience='doctor' is not allowed; expected one of"):
        Wording("doctor")
