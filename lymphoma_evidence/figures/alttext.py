"""Alt text for the figures: what each chart shows, in words, numbers included.

Internal to :mod:`lymphoma_evidence.figures.charts`; not part of the public API. Rates are proportions
(0-1) in and percent in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..formatting import percent, percent_range
from ..stats import POOLED_BY
from ..vocabulary import STATUS_NAMES, STATUS_ORDER
from .labels import as_int, num, plain, short_name

if TYPE_CHECKING:
    from .rows import Row

__all__ = ["forest_alt", "ranges_alt", "eligibility_alt"]


def forest_alt(rows: Sequence[Row], endpoint: str) -> str:
    """Alt text for a forest plot of ``endpoint`` (in words, e.g. "overall response rate (ORR)"): how
    many results and classes, the rate range, pooled estimates."""
    results = [r for r in rows if r.kind == "result"]
    classes = [r.label for r in rows if r.kind == "header"]
    rates = [r.rate for r in results]
    text = (f"Forest plot of the {endpoint} with 95% confidence intervals for "
            f"{_count(len(results), 'trial result')} in {_count(len(classes), 'therapy class')} "
            f"({', '.join(classes)}). Individual rates range from "
            f"{percent_range(min(rates), max(rates))}.")
    post = sum(r.post_car_t for r in results)
    if post:
        text += (f" {post} of the results {'comes' if post == 1 else 'come'} from patients who all "
                 "had prior CAR T-cell therapy (square markers).")
    pooled = [r for r in rows if r.kind == "pooled"]
    if pooled:
        header = {r.key: r.label for r in rows if r.kind == "header"}
        text += f" Pooled class estimates ({POOLED_BY}): " + "; ".join(
            f"{header[r.key]} {percent(r.rate)} (95% CI {percent_range(r.low, r.high)}; "
            f"{r.note})" for r in pooled) + "."
    return text


def ranges_alt(checks: pd.DataFrame, class_names: Mapping[str, str],
               source_labels: Mapping[str, str]) -> str:
    """Alt text for the stated-ranges chart: each stated range against its trial data and verdict."""
    parts = []
    for c in checks.itertuples(index=False):
        n = as_int(c.n_studies) or 0
        spread = percent_range(num(c.primary_low), num(c.primary_high))
        cis = percent_range(num(c.primary_ci_low), num(c.primary_ci_high))
        primary = (f"{_count(n, 'trial result')} report{'s' if n == 1 else ''} {spread} "
                   f"(95% CIs spanning {cis})" if n else "no trial results are available")
        parts.append(f"{class_names.get(c.class_id, plain(c.class_id))} {c.endpoint}: "
                     f"{source_labels.get(c.source_id, c.source_id)} states "
                     f"{percent_range(num(c.claim_low), num(c.claim_high))}; {primary}; "
                     f"verdict: {plain(c.verdict)}")
    return (f"Chart comparing {_count(len(parts), 'response-rate range')} stated by secondary sources "
            "with the primary trial data. " + ". ".join(parts) + ".")


def eligibility_alt(options: pd.DataFrame, profile_label: str) -> str:
    """Alt text for the eligibility chart: the options per status, with the deciding reasons."""
    who = f" for {profile_label}" if profile_label else ""
    parts = []
    for status in STATUS_ORDER:
        group = options[options["status"] == status]
        if len(group):
            names = [short_name(r.name) for r in group.itertuples(index=False)]
            if status == "eligible":
                items = ", ".join(names)
            else:
                items = "; ".join(f"{n}: {r}" if r else n for n, r in zip(names, group["reason"],
                                                                           strict=True))
            parts.append(f"{STATUS_NAMES[status].lower()}: {len(group)} ({items})")
    return (f"Chart of {len(options)} treatment options by eligibility status{who}. "
            + "; ".join(parts) + ".")


def _count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("s") else "s")
    return f"{n} {noun if n == 1 else plural}"
