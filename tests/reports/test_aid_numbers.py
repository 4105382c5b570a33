"""The sentence after a natural frequency: how many did not have the outcome."""

from __future__ import annotations

import pytest

from lymphoma_evidence.formatting import natural_frequency
from lymphoma_evidence.reports.aid_numbers import balance


@pytest.mark.parametrize(("rate", "said", "rest"), [
    (0.483, "about 48 in 100", "The other 52 did not."),
    (0.003, "fewer than 1 in 100", "Almost everyone did not."),
    (0.997, "more than 99 in 100", "Almost no one did not."),
    (0.0, "none of 100", ""),   # "none of 100 ... Almost everyone did not" contradicted itself
    (1.0, "100 in 100", ""),
])
def test_the_rest_matches_the_frequency_and_never_contradicts_it(rate: float, said: str, rest: str) -> None:
    assert natural_frequency(rate, 100) == said
    assert balance(rate, 100) == rest


def test_a_survival_rate_names_the_rest_plainly() -> None:
    assert balance(0.59, 100, "had died") == "The other 41 had died."
