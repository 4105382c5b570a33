"""Tests for lymphoma_evidence.stats: intervals and random-effects pooling of proportions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURES
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta, norm

from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.stats import logit_effects, pool_proportions, proportion_ci

METAFOR = FIXTURES / "metafor"


def clopper_pearson(x: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact interval straight from its definition with beta quantiles."""
    low = 0.0 if x == 0 else beta.ppf(alpha / 2, x, n - x + 1)
    high = 1.0 if x == n else beta.ppf(1 - alpha / 2, x + 1, n - x)
    return low, high


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (26, 52), (99, 157)])
def test_exact_interval_matches_beta_quantiles(x, n):
    low, high = proportion_ci([x], [n])
    assert (low[0], high[0]) == pytest.approx(clopper_pearson(x, n), abs=1e-12)


def test_exact_interval_matches_textbook_values():
    low, high = proportion_ci([0, 5], [10, 10])
    assert low == pytest.approx([0.0, 0.1871], abs=5e-5)
    assert high == pytest.approx([0.3085, 0.8129], abs=5e-5)


def test_wilson_interval_matches_newcombe_1998_example():
    # Newcombe, Stat Med 1998;17:857-872, 81/263: Wilson score interval 0.2553 to 0.3662.
    low, high = proportion_ci([81], [263], method="wilson")
    assert (low[0], high[0]) == pytest.approx((0.2553, 0.3662), abs=5e-5)


def test_wilson_interval_differs_from_exact_interval():
    exact = proportion_ci([3], [20])
    wilson = proportion_ci([3], [20], method="wilson")
    assert wilson[1][0] < exact[1][0]


def test_interval_ends_are_exactly_0_and_1_at_the_extremes():
    for method in ("exact", "wilson"):
        low, high = proportion_ci([0, 7], [7, 7], method=method)
        assert low[0] == 0.0 and high[1] == 1.0


def test_unknown_interval_method_is_rejected_with_the_choices():
    with pytest.raises(ParameterError, match=r"method='agresti'.*exact, wilson"):
        proportion_ci([1], [2], method="agresti")


@pytest.mark.parametrize(("x", "n"), [([5], [4]), ([-1], [4]), ([1.5], [4]), ([0], [0])])
def test_impossible_counts_are_rejected(x, n):
    with pytest.raises(ParameterError, match="0 <= responders <= n"):
        proportion_ci(x, n)


def test_counts_of_different_lengths_are_rejected():
    with pytest.raises(ParameterError, match="responders has 2 value"):
        proportion_ci([1, 2], [4])


def test_alpha_outside_0_1_is_rejected():
    with pytest.raises(ParameterError, match="alpha=1.5"):
        pool_proportions([1, 2], [4, 4], alpha=1.5)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from(["exact", "wilson"]))
def test_intervals_contain_the_rate_and_lie_in_0_1(counts, method):
    x, n = counts
    low, high = proportion_ci([x], [n], method=method)
    assert 0.0 <= low[0] <= x / n <= high[0] <= 1.0


def test_logit_effects_apply_half_continuity_correction_only_at_0_and_n():
    effect, variance = logit_effects([0, 3, 10], [10, 10, 10])
    assert effect == pytest.approx([math.log(0.5 / 10.5), math.log(3 / 7), math.log(10.5 / 0.5)])
    assert variance == pytest.approx([1 / 0.5 + 1 / 10.5, 1 / 3 + 1 / 7, 1 / 10.5 + 1 / 0.5])


def test_pooling_matches_hand_worked_dersimonian_laird():
    # First three studies of Pritz (1997), the proportion example in metafor (dat.pritz1997).
    x, n = [16, 10, 4], [17, 12, 8]
    y = [math.log(xi / (ni - xi)) for xi, ni in zip(x, n, strict=True)]
    v = [1 / xi + 1 / (ni - xi) for xi, ni in zip(x, n, strict=True)]
    w = [1 / vi for vi in v]
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    c = sum(w) - sum(wi**2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - (len(x) - 1)) / c)
    w_re = [1 / (vi + tau2) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(w_re, y, strict=True)) / sum(w_re)
    se = math.sqrt(1 / sum(w_re))
    z = norm.ppf(0.975)

    def expit(t):
        return 1 / (1 + math.exp(-t))

    pooled = pool_proportions(x, n)
    assert pooled.tau_squared == pytest.approx(tau2, rel=1e-9)
    assert pooled.i_squared == pytest.approx((q - 2) / q, rel=1e-9)
    assert pooled.rate == pytest.approx(expit(mu), rel=1e-9)
    assert (pooled.ci_low, pooled.ci_high) == pytest.approx(
        (expit(mu - z * se), expit(mu + z * se)), rel=1e-9)
    half_pi = z * math.sqrt(se**2 + tau2)
    assert (pooled.pi_low, pooled.pi_high) == pytest.approx(
        (expit(mu - half_pi), expit(mu + half_pi)), rel=1e-9)
    # The same three studies in R: rma(measure="PLO", method="DL") -> 0.7917 (0.4470-0.9470),
    # prediction interval 0.2147-0.9814.
    assert (pooled.rate, pooled.ci_low, pooled.ci_high) == pytest.approx(
        (0.7917, 0.4470, 0.9470), abs=5e-5)
    assert (pooled.pi_low, pooled.pi_high) == pytest.approx((0.2147, 0.9814), abs=5e-5)


def _metafor_scenarios() -> list[tuple[str, pd.DataFrame, pd.Series]]:
    studies = pd.read_csv(METAFOR / "studies.csv")
    expected = pd.read_csv(METAFOR / "expected.csv").set_index("scenario")
    return [(name, studies[studies["scenario"] == name], expected.loc[name])
            for name in expected.index]


def assert_agrees_with_metafor(name: str, pooled, expected: pd.Series) -> None:
    """Every estimate of ``pooled`` equals metafor's row ``expected`` to 3 decimals (5e-4)."""
    assert pooled.n_studies == expected["k"]
    for ours, theirs in [
        (pooled.rate, "pooled_rate"), (pooled.ci_low, "ci_low"), (pooled.ci_high, "ci_high"),
        (pooled.pi_low, "pi_low"), (pooled.pi_high, "pi_high"),
        (pooled.i_squared, "i_squared"), (pooled.tau_squared, "tau_squared"),
    ]:
        assert ours == pytest.approx(expected[theirs], abs=5e-4), f"{name}: {theirs}"


@pytest.mark.parametrize(("name", "studies", "expected"), _metafor_scenarios(),
                         ids=[s[0] for s in _metafor_scenarios()])
def test_pooling_agrees_with_metafor_to_3_decimals(name, studies, expected):
    pooled = pool_proportions(studies["responders"], studies["n"])
    assert_agrees_with_metafor(name, pooled, expected)


def _method_scenarios() -> list[tuple[str, pd.DataFrame, pd.Series]]:
    studies = pd.read_csv(METAFOR / "studies.csv")
    expected = pd.read_csv(METAFOR / "method_expected.csv")
    return [(f"{row.scenario}-{row.method}-{row.test}", studies[studies["scenario"] == row.scenario],
             expected.loc[i]) for i, row in enumerate(expected.itertuples())]


@pytest.mark.parametrize(("name", "studies", "expected"), _method_scenarios(),
                         ids=[s[0] for s in _method_scenarios()])
def test_every_pooling_method_agrees_with_metafor_to_3_decimals(name, studies, expected):
    """DL, REML and Paule-Mandel, with normal and Hartung-Knapp intervals, against
    rma(measure="PLO", method=..., test="z"/"knha") (tests/fixtures/metafor/make_method_fixtures.R)."""
    pooled = pool_proportions(studies["responders"], studies["n"], method=expected["method"],
                              hartung_knapp=expected["test"] == "knha")
    assert_agrees_with_metafor(name, pooled, expected)


def test_the_method_fixtures_cover_every_method_with_and_without_hartung_knapp():
    from lymphoma_evidence.stats import POOLING_METHODS

    expected = pd.read_csv(METAFOR / "method_expected.csv")
    assert set(expected["method"]) == set(POOLING_METHODS)
    assert set(expected["test"]) == {"z", "knha"}
    assert len(expected) == 6 * expected["scenario"].nunique()


def test_the_pooling_method_is_named_and_an_unknown_one_refused():
    pooled = pool_proportions([29, 20], [60, 46], method="PM", hartung_knapp=True)
    assert pooled.label == "random effects, Paule-Mandel, Hartung-Knapp"
    assert pool_proportions([29, 20], [60, 46]).label == "random effects, DerSimonian-Laird"
    with pytest.raises(ParameterError, match="'SJ' is not a known pooling method; expected one of: "
                                             "DL, REML, PM"):
        pool_proportions([29, 20], [60, 46], method="SJ")


def test_homogeneous_studies_get_zero_tau_squared_not_a_negative_one():
    # The untruncated DL estimate is negative here (Q < k - 1); it must be truncated at 0.
    pooled = pool_proportions([26, 33, 29], [52, 61, 60])
    assert pooled.tau_squared == 0.0 and pooled.i_squared == 0.0
    assert (pooled.pi_low, pooled.pi_high) == (pooled.ci_low, pooled.ci_high)


def test_identical_studies_pool_to_their_common_rate_without_warnings(recwarn):
    pooled = pool_proportions([5, 5], [10, 10])
    assert pooled.rate == pytest.approx(0.5) and pooled.i_squared == 0.0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_pooling_one_study_is_refused_with_a_hint():
    with pytest.raises(ParameterError, match="at least 2 studies, got 1.*proportion_ci"):
        pool_proportions([5], [10])


study_counts = st.lists(
    st.integers(2, 400).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))),
    min_size=2, max_size=8,
)


@given(study_counts)
def test_pooled_rate_lies_within_the_study_rates_and_its_intervals(counts):
    x = np.array([c[0] for c in counts])
    n = np.array([c[1] for c in counts])
    pooled = pool_proportions(x, n)
    rates = x / n
    assert rates.min() - 1e-12 <= pooled.rate <= rates.max() + 1e-12
    assert 0.0 <= pooled.pi_low <= pooled.ci_low <= pooled.rate <= pooled.ci_high
    assert pooled.ci_high <= pooled.pi_high <= 1.0
    assert 0.0 <= pooled.i_squared <= 1.0 and pooled.tau_squared >= 0.0


@given(st.lists(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
                min_size=2, max_size=6))
def test_pooled_rate_lies_within_the_continuity_corrected_rates(counts):
    x = np.array([c[0] for c in counts])
    n = np.array([c[1] for c in counts])
    corrected = 1 / (1 + np.exp(-logit_effects(x, n)[0]))
    pooled = pool_proportions(x, n)
    assert corrected.min() - 1e-12 <= pooled.rate <= corrected.max() + 1e-12


# ---------------------------------------------------------------- the test between strata vs metafor

def _subgroup_fixtures():
    import csv
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "fixtures" / "metafor"
    studies = list(csv.DictReader((folder / "subgroup_studies.csv").open(encoding="utf-8")))
    expected = list(csv.DictReader((folder / "subgroup_expected.csv").open(encoding="utf-8")))
    return [(row, [s for s in studies if s["scenario"] == row["scenario"]]) for row in expected]


@pytest.mark.parametrize(("expected", "studies"), _subgroup_fixtures(), ids=lambda v: v.get("scenario", "")
                         if isinstance(v, dict) else "")
def test_subgroup_difference_agrees_with_metafor_to_3_decimals(expected, studies):
    from lymphoma_evidence.stats import subgroup_difference

    test = subgroup_difference([int(s["responders"]) for s in studies], [int(s["n"]) for s in studies],
                               [s["stratum"] for s in studies])
    assert test.n_studies == int(expected["k"])
    assert test.df == int(expected["qm_df"])
    for ours, theirs in ((test.qm, "qm"), (test.p_value, "qm_p"), (test.qe, "qe"),
                         (test.tau_squared, "tau_squared")):
        assert round(ours, 3) == pytest.approx(round(float(expected[theirs]), 3), abs=1e-3), theirs


def test_subgroup_difference_needs_two_groups_and_one_group_per_study():
    from lymphoma_evidence.stats import subgroup_difference

    with pytest.raises(ParameterError, match="at least 2 subgroups"):
        subgroup_difference([5, 6], [10, 12], ["a", "a"])
    with pytest.raises(ParameterError, match="one subgroup per study"):
        subgroup_difference([5, 6], [10, 12], ["a"])
