"""Slide-ready figures: response forest plots, stated ranges vs trial data, eligibility overviews.

Every figure function returns ``(figure, alt_text)``: a matplotlib Figure drawn with the object
API (no pyplot) in the house style of :mod:`lymphoma_evidence.figures.style`, and a description in words of
what the chart shows, numbers included, for the image's alt text. The ``*_plot`` functions take the
prepared DataFrames (``response_table``, ``class_summary``, ``check_reported_ranges``,
``eligible_options``; their columns are the models of :mod:`lymphoma_evidence.analysis.frames`) and never
call the analysis themselves; the ``*_figure`` functions taking an ``Evidence`` are in
:mod:`lymphoma_evidence.reports.evidence_figures`.

Artists carry ids (``gid``) naming what they show - ``result:<result_id>``, ``pooled:<class_id>``,
``stated:<range_id>``, ``primary:<range_id>``, ``option:<scope_id>`` - so tests and SVG readers can
find them. Rates are proportions (0-1) in and percent on the page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.frames import check_columns
from ..errors import ParameterError
from ..vocabulary import STATUS_NAMES, STATUS_ORDER
from .alttext import eligibility_alt, forest_alt, ranges_alt
from .labels import plain, short_name
from .rows import (
    draw_legend,
    draw_rows,
    draw_stated_bands,
    forest_rows,
    percent_axis,
    ranges_rows,
    row_figure,
)
from .style import COLORS, FONT_SIZES, SLIDE_SIZE, add_source_line, house_style, new_figure, row_line_inches

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["forest_plot", "ranges_plot", "eligibility_plot", "describe_profile", "name_map"]

_STATUS_MARKERS = {"eligible": "o", "check": "^", "not_eligible": "X"}
_PROFILE_FLAGS = {"prior_car_t": ("after CAR T", "no prior CAR T"),
                  "transplant_fit": ("fit for transplant", "not fit for transplant"),
                  "has_donor": ("donor available", "no donor")}
_PROFILE_NUMBERS = {"prior_lines": "{} prior lines", "ecog": "ECOG {}"}


# ---------------------------------------------------------------- public figure functions

def forest_plot(table: pd.DataFrame, summary: pd.DataFrame, *, title: str | None = None,
                endpoint_words: str | None = None) -> tuple[Figure, str]:
    """Forest plot of response rates with 95% intervals, grouped by therapy class.

    Parameters
    ----------
    table : DataFrame
        ``response_table`` output for one endpoint (rates and intervals as proportions 0-1).
    summary : DataFrame
        ``class_summary`` output; classes pooled over two or more studies get a diamond
        (pooled rate and its 95% CI). Rows for other endpoints are ignored.
    title : str, optional
        Figure title; default names the endpoint.
    endpoint_words : str, optional
        The endpoint on the axis and in the title and alt text, e.g. "overall response rate (ORR)"
        (the measure's ``axis`` words of measures.csv); default the endpoint code.

    Returns
    -------
    (Figure, str)
        The figure and its alt text.

    Raises
    ------
    ParameterError
        When a column is missing, the table is empty or mixes endpoints.
    """
    table = check_columns(table, "ResponseTable", "table", "response_table()")
    summary = check_columns(summary, "ClassSummary", "summary", "class_summary()")
    endpoint = _single_endpoint(table)
    rows = forest_rows(table, summary[summary["endpoint"] == endpoint])
    named = endpoint_words or endpoint
    title = title or f"{_sentence(named)} with 95% confidence intervals"
    with house_style():
        fig, ax = row_figure(rows, title, table["source_label"])
        draw_rows(ax, rows)
        percent_axis(ax, f"{_sentence(named)}, % (95% CI)")
        draw_legend(fig, pooled=any(r.kind == "pooled" for r in rows))
    return fig, forest_alt(rows, named)


def ranges_plot(checks: pd.DataFrame, table: pd.DataFrame | None = None, *,
                class_names: Mapping[str, str] | None = None,
                source_labels: Mapping[str, str] | None = None,
                title: str = "Ranges stated by secondary sources vs primary trial data",
                ) -> tuple[Figure, str]:
    """Each stated range (shaded band) beside the trial estimates and their range.

    Parameters
    ----------
    checks : DataFrame
        ``check_reported_ranges`` output (claims and primary ranges as proportions 0-1).
    table : DataFrame, optional
        ``response_table`` rows to show individually under each claim. Rows are matched to a claim
        by ``range_id`` when the table has that column, else by ``class_id`` and ``endpoint``.
    class_names, source_labels : mapping, optional
        Display names for class ids and short labels for source ids (ids are shown otherwise).
    title : str
        Figure title.

    Returns
    -------
    (Figure, str)
        The figure and its alt text.
    """
    checks = check_columns(checks, "RangeCheck", "checks", "check_reported_ranges()")
    if checks.empty:
        raise ParameterError("checks has no rows: there is no stated range to plot. "
                             "Add rows to reported_ranges.csv or skip this figure.")
    table = None if table is None else check_columns(table, "ResponseTable", "table", "response_table()")
    class_names, source_labels = dict(class_names or {}), dict(source_labels or {})
    rows = ranges_rows(checks, table, class_names, source_labels)
    sources = [source_labels.get(s, s) for s in checks["source_id"].dropna()]
    if table is not None:
        sources += list(table["source_label"].dropna())
    with house_style():
        fig, ax = row_figure(rows, title, sources)
        draw_stated_bands(ax, rows)
        draw_rows(ax, rows)
        percent_axis(ax, "Response rate, % (95% CI)")
        draw_legend(fig, stated=True)
    return fig, ranges_alt(checks, class_names, source_labels)


def eligibility_plot(options: pd.DataFrame, *, profile_label: str = "",
                     source_labels: Mapping[str, str] | None = None) -> tuple[Figure, str]:
    """Treatment options by eligibility status for one patient profile, with the deciding reason.

    Parameters
    ----------
    options : DataFrame
        ``eligible_options`` output (status: eligible | check | not_eligible; reasons a string or a
        list of strings, the first being the deciding one).
    profile_label : str
        Plain-words description of the profile, shown in the title and the alt text.
    source_labels : mapping, optional
        Short labels for source ids, for the source line.

    Returns
    -------
    (Figure, str)
        The figure and its alt text.
    """
    options = check_columns(options, "EligibleOptions", "options", "eligible_options()")
    unknown = sorted(set(options["status"].dropna()) - set(STATUS_ORDER))
    if unknown or options.empty:
        raise ParameterError(f"options must have rows with status in {', '.join(STATUS_ORDER)}; "
                             f"got {len(options)} row(s), unknown status {unknown}. "
                             "Pass the output of eligible_options().")
    options = options.assign(reason=options["reasons"].map(_first_reason),
                             _order=options["status"].map(STATUS_ORDER.index))
    options = options.sort_values("_order", kind="stable").reset_index(drop=True)
    labels = dict(source_labels or {})
    title = "Treatment options by eligibility status"
    with house_style():
        sources = [labels.get(s, s) for s in options["source_id"].dropna()]
        fig, ax, centres = _eligibility_axes(options, title, sources)
        if profile_label:
            fig.text(0.15 / SLIDE_SIZE[0], 1 - 0.7 / fig.get_size_inches()[1],
                     textwrap.fill(f"Profile: {profile_label}", 110),
                     fontsize=FONT_SIZES["base"], va="top", gid="profile")
        _draw_options(ax, options, centres)
    return fig, eligibility_alt(options, profile_label)


def describe_profile(profile: Any) -> str:
    """A short plain-words label for a patient profile, naming only what is known.

    ``PatientProfile(prior_lines=3, prior_car_t=True, antigens={"CD19": "negative"})`` gives
    ``"3 prior lines, after CAR T, CD19 negative"``; fields without a wording show as
    ``name value``; anything that is not a dataclass is shown with ``str``.
    """
    if not is_dataclass(profile):
        return str(profile)
    parts = []
    for f in fields(profile):
        value = getattr(profile, f.name)
        if value is None or (hasattr(value, "__len__") and not len(value)):
            continue
        if f.name == "antigens":
            parts += [f"{antigen} {state}" for antigen, state in value.items()]
        elif isinstance(value, bool) and f.name in _PROFILE_FLAGS:
            parts.append(_PROFILE_FLAGS[f.name][0 if value else 1])
        elif f.name in _PROFILE_NUMBERS:
            parts.append(_PROFILE_NUMBERS[f.name].format(value))
        else:
            parts.append(f"{plain(f.name)} {plain(value)}")
    return ", ".join(parts)


def name_map(frame: pd.DataFrame, key: str, value: str) -> dict[str, str]:
    """``{key: value}`` from two columns of an evidence table, e.g. source_id -> label."""
    return {str(k): str(v) for k, v in zip(frame[key], frame[value], strict=True) if not pd.isna(v)}


# ---------------------------------------------------------------- eligibility chart

#: Room above the eligibility chart's rows: title, profile and the status column headings, in inches.
_ELIGIBILITY_TOP_IN = 1.75


def _eligibility_axes(options: pd.DataFrame, title: str, sources: Iterable[str],
                      ) -> tuple[Figure, Axes, list[float]]:
    """The axes of the eligibility chart and the y of each option's row. A row is as tall as its longer
    text (the wrapped name or the wrapped deciding reason), so no two rows' words meet; the figure grows
    taller than a slide when the rows need it."""
    size = FONT_SIZES["min"]
    width = SLIDE_SIZE[0]
    left, right = 0.26, 0.47
    chars = int((1 - right - 0.04) * width * 72 / (size * 0.58))
    names = [textwrap.fill(short_name(n), 27, break_on_hyphens=False) for n in options["name"]]
    reasons = [textwrap.fill(r, chars, break_on_hyphens=False) if r else "" for r in options["reason"]]
    lines = [max(n.count("\n"), r.count("\n")) + 1 for n, r in zip(names, reasons, strict=True)]
    spans = [sum(lines[:i]) for i in range(len(lines) + 1)]
    centres = [(a + b) / 2 for a, b in zip(spans, spans[1:], strict=False)]
    sources = list(sources)
    source_in = add_source_line(new_figure(), sources) * SLIDE_SIZE[1]
    height = max(SLIDE_SIZE[1], _ELIGIBILITY_TOP_IN + 0.2 + source_in + spans[-1] * row_line_inches(size))
    fig = new_figure((width, height))
    bottom = add_source_line(fig, sources) + 0.2 / height
    fig.text(0.15 / width, 1 - 0.15 / height, title,
             fontsize=FONT_SIZES["title"], fontweight="bold", va="top", gid="title")
    top = 1 - _ELIGIBILITY_TOP_IN / height
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.set_ylim(spans[-1], 0)
    ax.set_xlim(-0.5, len(STATUS_ORDER) - 0.5)
    ax.set_yticks(centres, labels=names, fontsize=size)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(STATUS_ORDER)), labels=[textwrap.fill(STATUS_NAMES[s], 10)
                                                     for s in STATUS_ORDER],
                  fontsize=FONT_SIZES["min"], fontweight="bold")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_yticks(spans[1:-1], minor=True)
    ax.grid(axis="y", which="minor", color=COLORS["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    ax.text(1.04, 1.0, "Deciding reason", transform=ax.transAxes, va="bottom",
            fontsize=FONT_SIZES["small"], fontweight="bold")
    for y, reason in zip(centres, reasons, strict=True):
        ax.text(1.04, y, reason, transform=ax.get_yaxis_transform(), va="center", fontsize=size,
                linespacing=1.15)
    return fig, ax, centres


def _draw_options(ax: Axes, options: pd.DataFrame, centres: list[float]) -> None:
    for y, rec in zip(centres, options.itertuples(index=False), strict=True):
        ax.plot([STATUS_ORDER.index(rec.status)], [y], marker=_STATUS_MARKERS[rec.status],
                markersize=11, color=COLORS[rec.status], linestyle="none",
                gid=f"option:{rec.scope_id}:{rec.status}")


# ---------------------------------------------------------------- small helpers

def _single_endpoint(table: pd.DataFrame) -> str:
    endpoints = list(table["endpoint"].dropna().unique())
    if len(endpoints) != 1:
        raise ParameterError(f"table must hold one endpoint; got {endpoints or 'no rows'}. "
                             "Filter it, e.g. response_table(evidence, endpoint='ORR').")
    return str(endpoints[0])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_reason(reasons: Any) -> str:
    if isinstance(reasons, (list, tuple)):
        return str(reasons[0]) if reasons else ""
    return "" if pd.isna(reasons) else str(reasons).split("; ")[0]
