"""Response-rate tables, class summaries with random-effects pooling, checks of quoted ranges.

All rates and interval bounds are proportions (0-1); percent appears only in explanation text.
Every function takes an :class:`~lymphoma_evidence.data.evidence.Evidence` and returns a new DataFrame;
the evidence is never modified.

Which results count as *studies* (used by :func:`class_summary` and :func:`check_reported_ranges`): those
of :func:`~lymphoma_evidence.analysis.strata.response_studies`, that is

1. rows with ``n``, ``responders`` and a class;
2. one row per trial population (trial, disease, stratum of directness, published subgroup, time to
   relapse): intention-to-treat before treated before efficacy-evaluable, then the latest data cut;
3. a subgroup is dropped when its whole population is kept in the same stratum.

:func:`class_summary` pools them per class and stratum (never across strata). A quoted range is checked
against the post-CAR-T stratum when it is about patients after CAR-T, else against the whole
populations (rows without ``subgroup_of``) of every stratum, so no trial population counts twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import numpy as np
import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError
from ..formatting import percent, percent_range
from ..stats import proportion_ci
from . import topic
from .frames import columns
from .strata import STRATA, pool_within_strata, response_studies

#: Allowance (proportion) for rounding when a quoted percent is compared with study rates.
ROUNDING_TOLERANCE = 0.005

_NO_STUDIES = pd.DataFrame(columns=["class_id", "rate", "ci_low", "ci_high", "result_id"])



def _check_filters(evidence: Evidence, endpoint: str | None, post_car_t: bool | None) -> str:
    """The endpoint to show (the topic's default for None), after checking it and ``post_car_t``."""
    endpoint = topic.check_endpoint(evidence, endpoint)
    if post_car_t is not None and not isinstance(post_car_t, bool | np.bool_):
        raise ParameterError(
            f"post_car_t={post_car_t!r} is not allowed; expected True (only patients after CAR-T), "
            "False (no prior CAR-T) or None (whole populations)."
        )
    return endpoint


def _flag(values: pd.Series) -> pd.Series:
    """A boolean column with missing values as False."""
    return values.astype("boolean").fillna(False).astype(bool)


def _blank(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip().eq("")


def _annotated_results(evidence: Evidence) -> pd.DataFrame:
    """Results with agent, class and source names, display order and file position added.

    ``agent_id`` and ``class_id`` are the loader's derived columns; a class-scoped result (a cohort that
    mixes a class's agents) has no agent, and its ``agent_name`` is the class name, "(several agents)".
    """
    agents = evidence.agents[["agent_id", "name"]].rename(columns={"name": "agent_name"})
    classes = evidence.classes[["class_id", "name", "display_order"]].rename(
        columns={"name": "class_name"}
    )
    sources = evidence.sources[["source_id", "label"]].rename(columns={"label": "source_label"})
    frame = evidence.results.assign(_position=np.arange(len(evidence.results)))
    frame = frame.merge(agents, on="agent_id", how="left").merge(classes, on="class_id", how="left")
    frame = frame.merge(sources, on="source_id", how="left")
    # a cohort that mixes a class's agents is named by its class
    frame["agent_name"] = frame["agent_name"].fillna(frame["class_name"] + " (several agents)")
    return frame.sort_values(
        ["display_order", "agent_name", "trial", "_position"], na_position="last", kind="mergesort"
    ).reset_index(drop=True)


def _with_rates(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """Add rate, ci_low, ci_high (NaN where n or responders is missing)."""
    has_counts = (frame["n"].notna() & frame["responders"].notna()).to_numpy()
    rate, low, high = (np.full(len(frame), np.nan) for _ in range(3))
    if has_counts.any():
        x = frame.loc[has_counts, "responders"].to_numpy(dtype=float)
        total = frame.loc[has_counts, "n"].to_numpy(dtype=float)
        rate[has_counts] = x / total
        low[has_counts], high[has_counts] = proportion_ci(x, total, method=method)
    return frame.assign(rate=rate, ci_low=low, ci_high=high)


def response_table(
    evidence: Evidence,
    endpoint: str | None = None,
    post_car_t: bool | None = None,
    class_ids: Iterable[str] | str | None = None,
    method: str = "exact",
) -> pd.DataFrame:
    """One row per result of ``endpoint``, with its rate and 95% confidence interval.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    endpoint : str or None
        A response measure of measures.csv (e.g. ``"ORR"``); None: the topic's first in display order
        (:func:`~lymphoma_evidence.analysis.topic.default_endpoint`).
    post_car_t : bool or None
        ``True``: only results whose every patient had prior CAR-T; ``False``: only results that
        are not post-CAR-T; ``None``: every result, including subgroups and earlier data cuts (this
        is a listing; :func:`class_summary` decides what is pooled).
    class_ids : str or iterable of str, optional
        Keep only these therapy classes (one id or several); results whose agent has no class are
        then dropped.
    method : {"exact", "wilson"}
        Interval method: Clopper-Pearson (default) or Wilson; see :func:`stats.proportion_ci`.

    Returns
    -------
    pandas.DataFrame
        Columns :class:`~.frames.ResponseTable`; ``rate``, ``ci_low``, ``ci_high`` are proportions 0-1 (NaN
        when ``n`` or ``responders`` is missing). Sorted by class display order, agent name, trial,
        then file order.

    Raises
    ------
    ParameterError
        For an unknown endpoint, method or class id, or a post_car_t that is not a bool or None.

    Examples
    --------
    >>> table = response_table(load_evidence(), "ORR", post_car_t=True)   # doctest: +SKIP
    >>> table[["agent_name", "n", "responders", "rate", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    endpoint = _check_filters(evidence, endpoint, post_car_t)
    wanted = None if class_ids is None else check_class_ids(evidence, class_ids)
    frame = _annotated_results(evidence)
    keep = frame["endpoint"].eq(endpoint).fillna(False).astype(bool)
    if post_car_t is not None:
        keep &= _flag(frame["post_car_t"]) == post_car_t
    if wanted is not None:
        keep &= frame["class_id"].isin(wanted).fillna(False).astype(bool)
    frame = _with_rates(frame[keep.to_numpy()], method)
    # a rounded count (several whole numbers fit the printed percentage) makes count and rate approximate
    frame = frame.assign(approximate=frame["responders_basis"].eq("rounded").fillna(False).astype(bool))
    return frame[columns("ResponseTable")].reset_index(drop=True)


def check_class_ids(evidence: Evidence, class_ids: Iterable[str] | str) -> list[str]:
    """``class_ids`` as a list (one id may be given as a string), raising on an id the evidence lacks.

    Raises
    ------
    ParameterError
        Naming every unknown id and the ids of ``therapy_classes.csv``.
    """
    wanted = [class_ids] if isinstance(class_ids, str) else list(class_ids)
    known = set(evidence.classes["class_id"].dropna())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ParameterError(
            f"class_ids contains unknown id(s) {', '.join(map(repr, unknown))}; expected ids from "
            f"therapy_classes.csv: {', '.join(sorted(known))}"
        )
    return wanted


def _studies(evidence: Evidence, endpoint: str, after_car_t: bool) -> pd.DataFrame:
    """The studies a quoted range is checked against (module docstring), with rates and exact intervals:
    the post-CAR-T stratum, or the whole populations of every stratum."""
    studies = response_studies(evidence, endpoint)
    keep = studies["stratum"].eq("post_car_t") if after_car_t else _blank(studies["subgroup_of"])
    return studies[keep.to_numpy()].reset_index(drop=True)


def _summary_row(pooled: dict, names: dict[str, str], sets: dict[str, str]) -> dict[str, object]:
    """One :func:`~.strata.pool_within_strata` row in the columns of ``ClassSummary``."""
    ids = [i.strip() for i in str(pooled["result_ids"]).split(";") if i.strip()]
    return {
        "class_id": pooled["class_id"], "class_name": names.get(pooled["class_id"], pooled["class_id"]),
        "stratum": pooled["stratum"], "endpoint": pooled["measure"],
        "analysis_set": "; ".join(dict.fromkeys(sets[i] for i in ids)),
        "n_studies": pooled["n_studies"], "total_patients": pooled["n_patients"],
        "rate_min": pooled["rate_min"], "rate_max": pooled["rate_max"], "pooled_rate": pooled["rate"],
        "pooled_ci_low": pooled["ci_low"], "pooled_ci_high": pooled["ci_high"],
        "pi_low": pooled["pi_low"], "pi_high": pooled["pi_high"], "i_squared": pooled["i_squared"],
        "tau_squared": pooled["tau_squared"], "single_study": pooled["single_study"],
        "result_ids": pooled["result_ids"], "disease": pooled["disease"] or None,
    }


def class_summary(
    evidence: Evidence, endpoint: str | None = None, post_car_t: bool | None = None
) -> pd.DataFrame:
    """Per therapy class and stratum of directness: number of studies, reported range, pooled rate.

    The one pooling path of the package: the studies are those of
    :func:`~lymphoma_evidence.analysis.strata.response_studies` (one analysis set and data cut per trial
    population; a subgroup is dropped when its whole population is in the same stratum) and they are
    pooled by :func:`~lymphoma_evidence.analysis.strata.pool_within_strata`, per class, stratum
    (``post_car_t``, ``partly``, ``car_t_naive``, ``unknown``) and disease; strata and diseases are
    never pooled together. Two or more studies are pooled on the logit scale with DerSimonian-Laird
    random effects (:func:`stats.pool_proportions`, agreeing with R's metafor); one study gives its own
    rate and exact (Clopper-Pearson) interval, with ``single_study`` True and the prediction interval,
    I-squared and tau-squared NaN. A row counts each trial population once.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    endpoint : str or None
        A response measure of measures.csv (e.g. ``"ORR"``); None: the topic's first in display order.
    post_car_t : bool or None
        ``None``: every stratum; ``True``: the ``post_car_t`` stratum only (every patient had CAR-T
        before); ``False``: the other strata.

    Returns
    -------
    pandas.DataFrame
        Columns :class:`~.frames.ClassSummary` (``disease`` last): rates, bounds and ``i_squared`` are
        proportions 0-1, ``tau_squared`` is on the logit scale, ``analysis_set`` lists the analysis
        sets of the pooled rows and ``result_ids`` the rows ("; "-joined). Sorted by class display
        order, stratum (direct evidence first), disease. Empty (with these columns) when no result
        matches.

    Raises
    ------
    ParameterError
        For an unknown endpoint or a post_car_t that is not a bool or None.

    Examples
    --------
    >>> summary = class_summary(load_evidence(), "ORR", post_car_t=True)   # doctest: +SKIP
    >>> summary[["class_name", "stratum", "n_studies", "pooled_rate", "pooled_ci_low",
    ...          "pooled_ci_high"]]                                        # doctest: +SKIP
    """
    endpoint = _check_filters(evidence, endpoint, post_car_t)
    studies = response_studies(evidence, endpoint)
    if post_car_t is not None:
        studies = studies[studies["stratum"].eq("post_car_t").eq(post_car_t).to_numpy()]
    pooled = pool_within_strata(studies, "endpoint")
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    order = dict(zip(evidence.classes["class_id"], evidence.classes["display_order"], strict=True))
    sets = dict(zip(studies["result_id"].astype(str), studies["analysis_set"].astype(str), strict=True))
    rows = [_summary_row(row, names, sets) for row in pooled.to_dict("records")]
    out = pd.DataFrame(rows, columns=columns("ClassSummary"))
    if not out.empty:
        out = out.assign(_o=out["class_id"].map(order), _s=out["stratum"].map(STRATA.index)) \
            .sort_values(["_o", "_s", "disease"], kind="mergesort").drop(columns=["_o", "_s"])
    return out.reset_index(drop=True).astype(
        {"n_studies": "int64", "total_patients": "int64", "single_study": "bool"})


# Claim explanations show one decimal where it matters (54.1%), whole numbers otherwise (54%).
_pct = partial(percent, digits=1, trim=True)
_span = partial(percent_range, digits=1, trim=True)


def _verdict(claim: tuple[float, float], rates: tuple[float, float], cis: tuple[float, float],
             n_studies: int, subject: str) -> tuple[str, str]:
    """The verdict and its explanation (rules in :func:`check_reported_ranges`)."""
    (low, high), (rate_min, rate_max), (ci_min, ci_max) = claim, rates, cis
    said = f"The claimed {_span(low, high)} for {subject}"
    if n_studies == 0:
        return "unsupported", f"{said} cannot be checked: there is no matching primary result."
    if n_studies == 1:
        data = f"1 primary study reports {_pct(rate_min)} (95% CI {_span(ci_min, ci_max)})"
    else:
        data = f"{n_studies} primary studies report {_span(rate_min, rate_max)}" \
            f" (95% CIs together {_span(ci_min, ci_max)})"
    tol = ROUNDING_TOLERANCE
    beyond, left_out = [], []
    if low < ci_min - tol:
        beyond.append(f"its lower end is below the lowest bound, {_pct(ci_min)}")
    if high > ci_max + tol:
        beyond.append(f"its upper end is above the highest bound, {_pct(ci_max)}")
    if low > rate_min + tol:
        left_out.append(f"rates as low as {_pct(rate_min)}")
    if high < rate_max - tol:
        left_out.append(f"rates as high as {_pct(rate_max)}")
    omits = f"it leaves out {' and '.join(left_out)}" if left_out else ""
    if beyond:
        also = f", and {omits}" if omits else ""
        return "wider", f"{said} goes beyond the primary results: {data}; " \
            f"{' and '.join(beyond)}{also}."
    if low > rate_max + tol or high < rate_min - tol:
        side = "above" if low > rate_max + tol else "below"
        return "shifted", f"{said} lies {side} every primary result: {data}."
    if left_out:
        return "narrower", f"{said} is narrower than the primary results: {data}; {omits}."
    return "consistent", f"{said} agrees with the primary results: {data}."


def check_reported_ranges(evidence: Evidence) -> pd.DataFrame:
    """Check each range quoted by a secondary source against the primary results.

    For each row of ``reported_ranges`` the matching primary results are the studies (see the
    module docstring) of the same class and endpoint: post-CAR-T results when the range's
    ``post_car_t`` is true, whole populations otherwise. With the claim ``[L, H]`` (percent / 100),
    the study rates ``[rate_min, rate_max]`` and the envelope of their exact 95% intervals
    ``[ci_min, ci_max]``, and a tolerance ``t`` of :data:`ROUNDING_TOLERANCE` (half a percentage
    point, for rounding), the verdict is the first that applies:

    - ``unsupported``: there is no matching primary result;
    - ``wider``: the claim reaches beyond the envelope, ``L < ci_min - t`` or ``H > ci_max + t``
      (it states rates the data do not support, even allowing for chance);
    - ``shifted``: the claim lies within the envelope but wholly above or below every study rate,
      ``L > rate_max + t`` or ``H < rate_min - t`` (it misstates where the results are);
    - ``narrower``: the claim lies within the envelope but does not cover every study rate,
      ``L > rate_min + t`` or ``H < rate_max - t`` (it leaves out reported results);
    - ``consistent``: otherwise - the claim covers every study rate and lies within the envelope.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.

    Returns
    -------
    pandas.DataFrame
        One row per range, columns :class:`~.frames.RangeCheck`: claim and primary values are proportions
        0-1 (NaN when unsupported); ``explanation`` is a plain sentence with percents;
        ``result_ids`` names the primary results used ("; "-joined).

    Examples
    --------
    >>> checks = check_reported_ranges(load_evidence())          # doctest: +SKIP
    >>> checks[["range_id", "verdict", "explanation"]]         # doctest: +SKIP
    """
    ranges = evidence.reported_ranges
    studies = {
        (endpoint, flag): _studies(evidence, endpoint, flag)
        for endpoint in topic.response_measures(evidence) for flag in (False, True)
    }
    names = dict(zip(evidence.classes["class_id"], evidence.classes["name"], strict=True))
    rows = [_range_row(claim, studies, names) for claim in ranges.itertuples(index=False)]
    return pd.DataFrame(rows, columns=columns("RangeCheck")).astype({"n_studies": "int64"})


def _range_row(claim, studies: dict, names: dict[str, str]) -> dict[str, object]:
    post_car_t = bool(claim.post_car_t) if pd.notna(claim.post_car_t) else False
    pool = studies.get((claim.endpoint, post_car_t), _NO_STUDIES)
    match = pool[pool["class_id"].eq(claim.class_id).fillna(False).astype(bool).to_numpy()]
    low, high = float(claim.low_percent) / 100, float(claim.high_percent) / 100
    rates = (match["rate"].min(), match["rate"].max()) if len(match) else (np.nan, np.nan)
    cis = (match["ci_low"].min(), match["ci_high"].max()) if len(match) else (np.nan, np.nan)
    subject = f"{names.get(claim.class_id, claim.class_id)} ({claim.endpoint}" \
        f"{', after CAR-T' if post_car_t else ''})"
    verdict, explanation = _verdict((low, high), rates, cis, len(match), subject)
    return {
        "range_id": claim.range_id, "class_id": claim.class_id, "endpoint": claim.endpoint,
        "claim_low": low, "claim_high": high, "primary_low": rates[0], "primary_high": rates[1],
        "primary_ci_low": cis[0], "primary_ci_high": cis[1], "n_studies": len(match),
        "verdict": verdict, "explanation": explanation, "source_id": claim.source_id,
        "result_ids": "; ".join(match["result_id"].astype(str)),
    }
