"""Confidence intervals for response rates and random-effects pooling of single-arm proportions.

Everything here works on counts (responders out of ``n``) and returns proportions (0-1).
The distributions come from ``scipy.special`` (beta and normal quantiles, the chi-squared tail),
imported inside the functions that need them, so importing this module stays cheap. The formulas are
the textbook ones (Clopper-Pearson, Wilson, DerSimonian-Laird); the exact and Wilson intervals equal
``statsmodels.stats.proportion.proportion_confint`` (methods ``beta`` and ``wilson``), which costs
1.2 s to import in every report kernel, so it is not used.

Pooling offers the DerSimonian-Laird (default), REML and Paule-Mandel estimators of the between-study
variance, with normal or Hartung-Knapp intervals. Agreement with R's metafor (``rma(measure="PLO",
method=..., test="z" or "knha")``, back-transformed with ``transf.ilogit``) is tested on the fixtures in
``tests/fixtures/metafor/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import ParameterError

#: Interval methods accepted by :func:`proportion_ci` -> what they are.
CI_METHODS = {"exact": "Clopper-Pearson (beta quantiles)", "wilson": "Wilson score"}

#: Estimators of the between-study variance tau-squared accepted by :func:`pool_proportions` -> name.
POOLING_METHODS = {"DL": "DerSimonian-Laird", "REML": "REML", "PM": "Paule-Mandel"}
#: The estimator every report uses.
DEFAULT_METHOD = "DL"
#: Iterations and tolerance (logit scale squared) of the REML and Paule-Mandel estimators.
_MAX_ITERATIONS, _TOLERANCE = 1000, 1e-12

#: Added to responders and non-responders of a study with 0 or ``n`` responders before taking
#: logits (metafor's ``escalc`` default, ``add=1/2, to="only0"``).
CONTINUITY_CORRECTION = 0.5


@dataclass(frozen=True)
class PooledProportion:
    """A random-effects pooled proportion (all rates and bounds are proportions 0-1).

    Attributes
    ----------
    rate : float
        Pooled proportion (inverse logit of the pooled logit).
    ci_low, ci_high : float
        Confidence interval of the pooled proportion.
    pi_low, pi_high : float
        Prediction interval: where the true rate of a new, similar study is expected to lie.
    i_squared : float
        I-squared, the share (0-1) of the variability between studies not explained by chance.
    tau_squared : float
        Between-study variance on the logit scale (DerSimonian-Laird, truncated at 0).
    n_studies : int
        Number of studies pooled.
    method : str
        The tau-squared estimator, a key of :data:`POOLING_METHODS`.
    hartung_knapp : bool
        Whether the intervals are Hartung-Knapp ones (t distribution) instead of normal ones.
    """

    rate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    i_squared: float
    tau_squared: float
    n_studies: int
    method: str = DEFAULT_METHOD
    hartung_knapp: bool = False

    @property
    def label(self) -> str:
        """How the estimate was made, for a reader: see :func:`pooling_label`."""
        return pooling_label(self.method, self.hartung_knapp)


def pooling_label(method: str = DEFAULT_METHOD, hartung_knapp: bool = False) -> str:
    """The pooling method in words, to name beside a pooled number.

    Examples
    --------
    >>> pooling_label()
    'random effects, DerSimonian-Laird'
    >>> pooling_label("REML", hartung_knapp=True)
    'random effects, REML, Hartung-Knapp'
    """
    _check_method(method)
    return f"random effects, {POOLING_METHODS[method]}" + (", Hartung-Knapp" if hartung_knapp else "")


def _check_method(method: str) -> None:
    if method not in POOLING_METHODS:
        raise ParameterError(f"method={method!r} is not a known pooling method; expected one of: "
                             f"{', '.join(POOLING_METHODS)} (DL = DerSimonian-Laird)")


#: The default method in words, named beside every pooled number readers see (reports, figures, slides).
POOLED_BY = pooling_label()


def _counts(responders: npt.ArrayLike, n: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validate counts and return them as float arrays of equal length."""
    x = np.atleast_1d(np.asarray(responders, dtype=float))
    total = np.atleast_1d(np.asarray(n, dtype=float))
    if x.shape != total.shape:
        raise ParameterError(
            f"responders has {x.size} value(s) but n has {total.size}; "
            "give one count of each per study"
        )
    bad = ~((total > 0) & (x >= 0) & (x <= total) & (x == np.round(x)) & (total == np.round(total)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"invalid counts at position {i}: responders={x[i]!r}, n={total[i]!r}; expected whole "
            "numbers with n > 0 and 0 <= responders <= n (check the result's n and responders)"
        )
    return x, total


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ParameterError(
            f"alpha={alpha!r} is not usable; expected a number between 0 and 1, e.g. 0.05"
        )


def proportion_ci(
    responders: npt.ArrayLike, n: npt.ArrayLike, method: str = "exact", alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval for each proportion ``responders / n``.

    Parameters
    ----------
    responders, n : array-like of int
        Counts per study; ``0 <= responders <= n`` and ``n > 0``.
    method : {"exact", "wilson"}
        ``"exact"`` is the Clopper-Pearson interval (from the beta distribution; never shorter than
        the nominal coverage requires), ``"wilson"`` the Wilson score interval.
    alpha : float
        1 - confidence level; 0.05 gives 95% intervals.

    Returns
    -------
    (ci_low, ci_high) : tuple of numpy arrays
        Bounds as proportions 0-1. With 0 responders the lower bound is exactly 0; with ``n``
        responders the upper bound is exactly 1.

    Raises
    ------
    ParameterError
        For an unknown method, an alpha outside (0, 1), or impossible counts.

    Examples
    --------
    >>> low, high = proportion_ci([5], [10])
    >>> print(f"{low[0]:.4f}-{high[0]:.4f}")
    0.1871-0.8129
    >>> low, high = proportion_ci([0], [10], method="wilson")
    >>> print(f"{low[0]:.4f}-{high[0]:.4f}")
    0.0000-0.2775
    """
    if method not in CI_METHODS:
        raise ParameterError(
            f"method={method!r} is not a known interval method; expected one of: "
            f"{', '.join(CI_METHODS)} (exact = Clopper-Pearson)"
        )
    _check_alpha(alpha)
    x, total = _counts(responders, n)
    low, high = (_exact_ci if method == "exact" else _wilson_ci)(x, total, alpha)
    low = np.where(x == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(x == total, 1.0, np.clip(high, 0.0, 1.0))
    return low, high


def _exact_ci(x: np.ndarray, total: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson limits: beta quantiles ``Beta(x, n - x + 1)`` at alpha/2 and ``Beta(x + 1, n - x)``
    at 1 - alpha/2 (the upper one from the inverse complement, as ``scipy.stats.beta.isf``)."""
    from scipy.special import betainccinv, betaincinv

    with np.errstate(invalid="ignore", divide="ignore"):  # x = 0 or x = n: set by the caller
        return betaincinv(x, total - x + 1, alpha / 2), betainccinv(x + 1, total - x, alpha / 2)


def _wilson_ci(x: np.ndarray, total: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits (Newcombe 1998, method 3)."""
    z = _normal_quantile(alpha)
    rate, z2 = x / total, z * z
    denominator = 1 + z2 / total
    centre = (rate + z2 / (2 * total)) / denominator
    half = z * np.sqrt(rate * (1 - rate) / total + z2 / (4 * total**2)) / denominator
    return centre - half, centre + half


def _normal_quantile(alpha: float) -> float:
    """The two-sided critical value ``z`` with ``P(|Z| > z) = alpha``."""
    from scipy.special import ndtri

    return float(-ndtri(alpha / 2))


def logit_effects(responders: npt.ArrayLike, n: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Logit of each proportion and its sampling variance, as metafor's ``escalc("PLO")`` has them.

    A study with 0 or ``n`` responders gets :data:`CONTINUITY_CORRECTION` added to its responders
    and non-responders first (so 0/10 is treated as 0.5/11).

    Returns
    -------
    (logit, variance) : tuple of numpy arrays
        ``log(x / (n - x))`` and ``1 / x + 1 / (n - x)`` per study.

    Examples
    --------
    >>> y, v = logit_effects([5, 0], [10, 10])
    >>> [round(float(a), 4) for a in y], [round(float(a), 4) for a in v]
    ([0.0, -3.0445], [0.4, 2.0952])
    """
    x, total = _counts(responders, n)
    add = np.where((x == 0) | (x == total), CONTINUITY_CORRECTION, 0.0)
    events, non_events = x + add, total - x + add
    return np.log(events / non_events), 1.0 / events + 1.0 / non_events


def _expit(value: npt.ArrayLike) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(value, dtype=float)))


def pool_proportions(
    responders: npt.ArrayLike, n: npt.ArrayLike, alpha: float = 0.05, method: str = DEFAULT_METHOD,
    hartung_knapp: bool = False,
) -> PooledProportion:
    """Random-effects pooled proportion of two or more single-arm studies.

    The proportions are pooled on the logit scale (see :func:`logit_effects`) with an estimate of the
    between-study variance tau-squared, then back-transformed. This matches R's metafor
    ``predict(rma(measure="PLO", method=method, test="z" or "knha"), transf=transf.ilogit)`` to 3 decimals
    (tested on the fixtures in ``tests/fixtures/metafor/``).

    With weights ``w = 1 / v``, Cochran's ``Q = sum w (y - y_fixed)^2`` and
    ``C = sum w - sum w^2 / sum w``, the estimators of tau-squared are:

    - ``"DL"`` (DerSimonian-Laird, the default): ``max(0, (Q - (k - 1)) / C)``;
    - ``"REML"``: restricted maximum likelihood, by Fisher scoring from the DL value (truncated at 0);
    - ``"PM"`` (Paule-Mandel): the ``tau^2`` at which the generalised ``Q`` with weights
      ``1 / (v + tau^2)`` equals ``k - 1`` (0 when ``Q`` is below ``k - 1`` already).

    ``I^2 = tau^2 / (tau^2 + s^2)`` with the typical within-study variance ``s^2 = (k - 1) / C`` (for DL
    this is ``(Q - (k - 1)) / Q``, truncated to 0-1). The confidence interval is
    ``mu +/- z * se`` and the prediction interval ``mu +/- z * sqrt(se^2 + tau^2)`` on the logit scale;
    with ``hartung_knapp`` both take ``t`` on ``k - 1`` degrees of freedom instead of ``z`` and the
    Hartung-Knapp standard error ``sqrt(sum w* (y - mu)^2 / ((k - 1) sum w*))``, ``w* = 1 / (v + tau^2)``.

    Parameters
    ----------
    responders, n : array-like of int
        Counts per study (at least two studies).
    alpha : float
        1 - confidence level of both intervals.
    method : {"DL", "REML", "PM"}
        The estimator of tau-squared (:data:`POOLING_METHODS`).
    hartung_knapp : bool
        Hartung-Knapp intervals (wider with few studies) instead of normal ones.

    Returns
    -------
    PooledProportion
        Pooled rate, intervals, I-squared (0-1), tau-squared (logit scale) and the method.

    Raises
    ------
    ParameterError
        For fewer than two studies, impossible counts, an unknown method or an alpha outside (0, 1).

    Examples
    --------
    >>> pooled = pool_proportions([16, 10, 4], [17, 12, 8])
    >>> print(f"{pooled.rate:.3f} ({pooled.ci_low:.3f}-{pooled.ci_high:.3f})")
    0.792 (0.447-0.947)
    >>> print(f"prediction {pooled.pi_low:.3f}-{pooled.pi_high:.3f}, I2 {pooled.i_squared:.2f}")
    prediction 0.215-0.981, I2 0.63
    >>> print(pooled.label)
    random effects, DerSimonian-Laird
    """
    _check_alpha(alpha)
    _check_method(method)
    effect, variance = logit_effects(responders, n)
    if effect.size < 2:
        raise ParameterError(
            f"pooling needs at least 2 studies, got {effect.size}; "
            "report a single study's rate with proportion_ci instead"
        )
    k = effect.size
    weights = 1.0 / variance
    c = float(weights.sum() - (weights**2).sum() / weights.sum())
    tau_squared = _TAU_SQUARED[method](effect, variance)
    weights = 1.0 / (variance + tau_squared)
    mean = float(weights @ effect / weights.sum())
    if hartung_knapp:
        from scipy.special import stdtrit

        se = float(np.sqrt(weights @ (effect - mean) ** 2 / ((k - 1) * weights.sum())))
        critical = float(stdtrit(k - 1, 1 - alpha / 2))
    else:
        se, critical = float(np.sqrt(1.0 / weights.sum())), _normal_quantile(alpha)
    half_ci, half_pi = critical * se, critical * np.sqrt(se**2 + tau_squared)
    typical = (k - 1) / c if c > 0 else 0.0
    i_squared = tau_squared / (tau_squared + typical) if tau_squared + typical > 0 else 0.0
    return PooledProportion(
        rate=float(_expit(mean)),
        ci_low=float(_expit(mean - half_ci)),
        ci_high=float(_expit(mean + half_ci)),
        pi_low=float(_expit(mean - half_pi)),
        pi_high=float(_expit(mean + half_pi)),
        i_squared=min(max(i_squared, 0.0), 1.0),
        tau_squared=tau_squared,
        n_studies=int(k),
        method=method,
        hartung_knapp=hartung_knapp,
    )


def _generalised_q(effect: np.ndarray, variance: np.ndarray, tau_squared: float) -> float:
    """Cochran's Q with random-effects weights ``1 / (v + tau^2)``."""
    weights = 1.0 / (variance + tau_squared)
    mean = weights @ effect / weights.sum()
    return float(weights @ (effect - mean) ** 2)


def _tau_squared_dl(effect: np.ndarray, variance: np.ndarray) -> float:
    """DerSimonian-Laird: ``max(0, (Q - (k - 1)) / C)``."""
    weights = 1.0 / variance
    q = _generalised_q(effect, variance, 0.0)
    c = float(weights.sum() - (weights**2).sum() / weights.sum())
    return max(0.0, (q - (effect.size - 1)) / c) if c > 0 else 0.0


def _tau_squared_reml(effect: np.ndarray, variance: np.ndarray) -> float:
    """Restricted maximum likelihood by Fisher scoring (as metafor: from the DL value, step halving to
    stay at or above 0)."""
    tau_squared = _tau_squared_dl(effect, variance)
    for _ in range(_MAX_ITERATIONS):
        weights = 1.0 / (variance + tau_squared)
        projection = np.diag(weights) - np.outer(weights, weights) / weights.sum()
        residual = projection @ effect
        step = float((residual @ residual - np.trace(projection)) / np.trace(projection @ projection))
        while tau_squared + step < 0:
            step /= 2
            if abs(step) < _TOLERANCE:
                return 0.0
        tau_squared += step
        if abs(step) < _TOLERANCE:
            break
    return max(tau_squared, 0.0)


def _tau_squared_pm(effect: np.ndarray, variance: np.ndarray) -> float:
    """Paule-Mandel: the root of ``Q(tau^2) = k - 1`` by bisection (``Q`` falls as ``tau^2`` grows)."""
    target = effect.size - 1
    if _generalised_q(effect, variance, 0.0) <= target:
        return 0.0
    low, high = 0.0, 1.0
    while _generalised_q(effect, variance, high) > target:
        low, high = high, high * 2
    for _ in range(_MAX_ITERATIONS):
        middle = (low + high) / 2
        if _generalised_q(effect, variance, middle) > target:
            low = middle
        else:
            high = middle
        if high - low < _TOLERANCE:
            break
    return (low + high) / 2


_TAU_SQUARED = {"DL": _tau_squared_dl, "REML": _tau_squared_reml, "PM": _tau_squared_pm}


@dataclass(frozen=True)
class SubgroupTest:
    """The test for a difference between subgroups: a mixed-effects meta-regression on the subgroup.

    Attributes
    ----------
    qm : float
        Omnibus Wald statistic of the subgroup coefficients (metafor's ``QM``), chi-squared on ``df``.
    df : int
        Degrees of freedom: number of subgroups minus 1.
    p_value : float
        ``P(chi2(df) > qm)``.
    tau_squared : float
        Residual between-study variance on the logit scale (DerSimonian-Laird, truncated at 0), shared
        by all subgroups.
    qe : float
        Cochran's Q of the residual heterogeneity (metafor's ``QE``) on ``k - df - 1`` degrees of freedom.
    n_studies : int
        Number of studies ``k``.
    groups : tuple of str
        The subgroups, the first being the reference level of the meta-regression.
    """

    qm: float
    df: int
    p_value: float
    tau_squared: float
    qe: float
    n_studies: int
    groups: tuple[str, ...]


def subgroup_difference(responders: npt.ArrayLike, n: npt.ArrayLike, groups: npt.ArrayLike
                        ) -> SubgroupTest:
    """Test whether proportions differ between subgroups (e.g. strata of prior CAR-T therapy).

    Fits the mixed-effects meta-regression ``logit(p_i) = b0 + sum_j b_j [group_i = j] + u_i + e_i`` with
    ``u_i ~ N(0, tau^2)`` and ``e_i ~ N(0, v_i)`` (logits and variances as :func:`logit_effects`, so the
    same continuity correction applies). ``tau^2`` is the DerSimonian-Laird estimate generalised to
    meta-regression, ``(QE - (k - p)) / tr(P)`` truncated at 0, where ``QE`` is the weighted residual sum
    of squares with weights ``1 / v_i`` and ``P = W - W X (X'WX)^-1 X'W``. ``QM`` is the Wald statistic
    ``b' V^-1 b`` of the subgroup coefficients, chi-squared with (groups - 1) degrees of freedom. This is
    R's metafor ``rma(measure = "PLO", xi, ni, mods = ~ group, method = "DL")``, whose values the tests
    check on fixtures.

    Parameters
    ----------
    responders, n : array-like of int
        Counts per study.
    groups : array-like of str
        The subgroup of each study; the first distinct value in sorted order is the reference level (as
        R's factor levels; the test does not depend on it).

    Returns
    -------
    SubgroupTest

    Raises
    ------
    ParameterError
        With fewer than two subgroups, a subgroup count different from the studies, or impossible counts.

    Examples
    --------
    >>> test = subgroup_difference([29, 20, 66, 99], [60, 46, 127, 157], ["a", "a", "b", "b"])
    >>> print(f"QM {test.qm:.3f} on {test.df} df, p = {test.p_value:.3f}")
    QM 2.422 on 1 df, p = 0.120
    """
    effect, variance = logit_effects(responders, n)
    labels = np.atleast_1d(np.asarray(groups, dtype=object)).astype(str)
    if labels.shape != effect.shape:
        raise ParameterError(f"groups has {labels.size} value(s) but there are {effect.size} studies; "
                             "give one subgroup per study")
    levels = tuple(sorted(set(labels)))
    if len(levels) < 2:
        raise ParameterError(f"a test between subgroups needs at least 2 subgroups, got {list(levels)}; "
                             "pool the studies with pool_proportions instead")
    from scipy.special import chdtrc  # the chi-squared upper tail, P(chi2(df) > x)

    k, p = effect.size, len(levels)
    design = np.column_stack([np.ones(k)] + [(labels == level).astype(float) for level in levels[1:]])
    weights = np.diag(1.0 / variance)
    inverse = np.linalg.pinv(design.T @ weights @ design)
    projection = weights - weights @ design @ inverse @ design.T @ weights
    qe = float(effect @ projection @ effect)
    tau_squared = max(0.0, (qe - (k - p)) / float(np.trace(projection))) if k > p else 0.0
    weights = np.diag(1.0 / (variance + tau_squared))
    covariance = np.linalg.pinv(design.T @ weights @ design)
    coefficients = covariance @ design.T @ weights @ effect
    slopes = coefficients[1:]
    qm = float(slopes @ np.linalg.pinv(covariance[1:, 1:]) @ slopes)
    return SubgroupTest(qm=qm, df=p - 1, p_value=float(chdtrc(p - 1, qm)), tau_squared=tau_squared,
                        qe=qe, n_studies=int(k), groups=levels)
