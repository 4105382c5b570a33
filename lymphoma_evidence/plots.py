"""Slide-ready figures: response forest plots, stated ranges vs trial data, eligibility overviews.

Every figure function returns ``(figure, alt_text)``: a matplotlib Figure drawn with the object
API (no pyplot) in the house style of :mod:`lymphoma_evidence.style`, and a description in words of
what the chart shows, numbers included, for the image's alt text. The ``*_plot`` functions take the
prepared DataFrames (``response_table``, ``class_summary``, ``check_reported_ranges``,
``eligible_options``); the ``*_figure`` functions are thin wrappers taking an ``Evidence``.

Artists carry ids (``gid``) naming what they show - ``result:<result_id>``, ``pooled:<class_id>``,
``stated:<range_id>``, ``primary:<range_id>``, ``option:<scope_id>`` - so tests and SVG readers can
find them. Rates are proportions (0-1) in and percent on the page.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .display import figure_html
from .errors import ParameterError
from .style import (
    COLORS,
    FONT_SIZES,
    SLIDE_SIZE,
    add_source_line,
    house_style,
    new_figure,
    percent,
    percent_range,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .evidence import Evidence

__all__ = ["forest_plot", "ranges_plot", "eligibility_plot", "forest_figure", "ranges_figure",
           "eligibility_figure", "forest_rows_for", "ranges_trials", "describe_profile", "figure_html",
           "name_map"]

ENDPOINT_NAMES = {"ORR": "overall response rate (ORR)", "CR": "complete response rate (CR)"}
STATUS_ORDER = ("eligible", "check", "not_eligible")
STATUS_NAMES = {"eligible": "Eligible", "check": "Check with team", "not_eligible": "Not eligible"}
_STATUS_MARKERS = {"eligible": "o", "check": "^", "not_eligible": "X"}
_PROFILE_FLAGS = {"prior_car_t": ("after CAR T", "no prior CAR T"),
                  "transplant_fit": ("fit for transplant", "not fit for transplant"),
                  "has_donor": ("donor available", "no donor")}
_PROFILE_NUMBERS = {"prior_lines": "{} prior lines", "ecog": "ECOG {}"}

TABLE_COLUMNS = ("result_id", "class_id", "class_name", "agent_name", "regimen", "trial",
                 "post_car_t", "endpoint", "n", "rate", "ci_low", "ci_high", "source_label")
SUMMARY_COLUMNS = ("class_id", "endpoint", "analysis_set", "n_studies", "total_patients",
                   "pooled_rate", "pooled_ci_low", "pooled_ci_high")
CHECK_COLUMNS = ("range_id", "class_id", "endpoint", "claim_low", "claim_high", "primary_low",
                 "primary_high", "primary_ci_low", "primary_ci_high", "n_studies", "verdict",
                 "source_id")
OPTION_COLUMNS = ("scope_id", "scope_type", "name", "status", "reasons", "source_id")


@dataclass(frozen=True)
class _Row:
    """One line of a row-based chart: what it is, its label, and the numbers drawn on it."""

    kind: str  # header | result | pooled | stated | primary
    label: str
    key: str = ""
    rate: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    n: int | None = None
    post_car_t: bool = False
    note: str = ""
    envelope: tuple[float, float] = (float("nan"), float("nan"))  # primary rows: lowest/highest CI


# ---------------------------------------------------------------- public figure functions

def forest_plot(table: pd.DataFrame, summary: pd.DataFrame, *, title: str | None = None,
                ) -> tuple[Figure, str]:
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

    Returns
    -------
    (Figure, str)
        The figure and its alt text.

    Raises
    ------
    ParameterError
        When a column is missing, the table is empty or mixes endpoints.
    """
    table = _checked(table, TABLE_COLUMNS, "table")
    summary = _checked(summary, SUMMARY_COLUMNS, "summary")
    endpoint = _single_endpoint(table)
    rows = _forest_rows(table, summary[summary["endpoint"] == endpoint])
    title = title or f"{_sentence(_endpoint_name(endpoint))} with 95% confidence intervals"
    with house_style():
        fig, ax = _row_figure(rows, title, table["source_label"])
        _draw_rows(ax, rows)
        _percent_axis(ax, f"{_sentence(_endpoint_name(endpoint))}, % (95% CI)")
        _legend(fig, pooled=any(r.kind == "pooled" for r in rows))
    return fig, _forest_alt(rows, endpoint)


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
    checks = _checked(checks, CHECK_COLUMNS, "checks")
    if checks.empty:
        raise ParameterError("checks has no rows: there is no stated range to plot. "
                             "Add rows to reported_ranges.csv or skip this figure.")
    table = None if table is None else _checked(table, TABLE_COLUMNS, "table")
    class_names, source_labels = dict(class_names or {}), dict(source_labels or {})
    rows = _ranges_rows(checks, table, class_names, source_labels)
    sources = [source_labels.get(s, s) for s in checks["source_id"].dropna()]
    if table is not None:
        sources += list(table["source_label"].dropna())
    with house_style():
        fig, ax = _row_figure(rows, title, sources)
        _draw_stated_bands(ax, rows)
        _draw_rows(ax, rows)
        _percent_axis(ax, "Response rate, % (95% CI)")
        _legend(fig, stated=True)
    return fig, _ranges_alt(checks, class_names, source_labels)


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
    options = _checked(options, OPTION_COLUMNS, "options")
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
        fig, ax = _eligibility_axes(options, title, sources)
        if profile_label:
            fig.text(0.15 / SLIDE_SIZE[0], 1 - 0.6 / SLIDE_SIZE[1],
                     textwrap.shorten(f"Profile: {profile_label}", 120, placeholder="..."),
                     fontsize=FONT_SIZES["base"], va="top", gid="profile")
        _draw_options(ax, options)
    return fig, _eligibility_alt(options, profile_label)


def forest_figure(evidence: Evidence, endpoint: str = "ORR", post_car_t: bool | None = None,
                  ) -> tuple[Figure, str]:
    """:func:`forest_plot` of ``evidence`` for one endpoint.

    ``post_car_t`` selects the studies as ``class_summary`` does; with ``None`` the post-CAR-T
    subgroups are shown too (marked), but the diamonds pool whole populations only.
    """
    from .summaries import class_summary

    summary = class_summary(evidence, endpoint=endpoint, post_car_t=post_car_t)
    return forest_plot(forest_rows_for(evidence, summary, post_car_t), summary)


def forest_rows_for(evidence: Evidence, summary: pd.DataFrame, post_car_t: bool | None = None,
                    ) -> pd.DataFrame:
    """The ``response_table`` rows a forest plot shows: the studies behind ``summary``, plus the
    post-CAR-T results (subgroups included) when ``post_car_t`` is None; one data cut per cohort.
    """
    from .summaries import class_summary, response_table

    endpoint = str(summary["endpoint"].iloc[0]) if len(summary) else "ORR"
    ids = _result_ids(summary)
    if post_car_t is None:
        ids |= _result_ids(class_summary(evidence, endpoint=endpoint, post_car_t=True))
    table = response_table(evidence, endpoint=endpoint, post_car_t=post_car_t)
    return table[table["result_id"].isin(ids)].reset_index(drop=True)


def ranges_figure(evidence: Evidence) -> tuple[Figure, str]:
    """:func:`ranges_plot` of every stated range in ``evidence``, with the trials behind each."""
    from .summaries import check_reported_ranges

    checks = check_reported_ranges(evidence)
    return ranges_plot(checks, ranges_trials(evidence, checks),
                       class_names=name_map(evidence.classes, "class_id", "name"),
                       source_labels=name_map(evidence.sources, "source_id", "label"))


def eligibility_figure(evidence: Evidence, profile: Any) -> tuple[Figure, str]:
    """:func:`eligibility_plot` of the options ``eligible_options(evidence, profile)`` returns."""
    from .eligibility import eligible_options

    return eligibility_plot(eligible_options(evidence, profile),
                            profile_label=describe_profile(profile),
                            source_labels=name_map(evidence.sources, "source_id", "label"))


def ranges_trials(evidence: Evidence, checks: pd.DataFrame) -> pd.DataFrame:
    """The response-table rows each stated range was checked against (``checks.result_ids``),
    with a ``range_id`` column naming the range.
    """
    from .summaries import response_table

    parts = []
    for endpoint, group in checks.groupby("endpoint", sort=False):
        table = response_table(evidence, endpoint=str(endpoint))
        parts += [table[table["result_id"].isin(_split_ids(check.result_ids))]
                  .assign(range_id=check.range_id) for check in group.itertuples(index=False)]
    if not parts:
        return pd.DataFrame(columns=[*TABLE_COLUMNS, "range_id"])
    return pd.concat(parts, ignore_index=True)


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
            parts.append(f"{_plain(f.name)} {_plain(value)}")
    return ", ".join(parts)


# ---------------------------------------------------------------- preparing rows

def _forest_rows(table: pd.DataFrame, summary: pd.DataFrame) -> list[_Row]:
    rows: list[_Row] = []
    for class_id, group in table.groupby("class_id", sort=False):
        rows.append(_Row("header", str(group["class_name"].iloc[0]), key=str(class_id)))
        rows += [_result_row(rec) for rec in group.itertuples(index=False)]
        pooled = summary[summary["class_id"] == class_id]
        several = len(pooled) > 1
        for rec in pooled[pooled["n_studies"] >= 2].itertuples(index=False):
            studies = f"{rec.n_studies} studies" + (f" ({_pool_qualifier(rec)})" if several else "")
            rows.append(_Row("pooled", f"Pooled, {studies}", key=str(class_id), rate=_num(rec.pooled_rate),
                             low=_num(rec.pooled_ci_low), high=_num(rec.pooled_ci_high),
                             n=_int(rec.total_patients), note=studies))
    return rows


def _result_row(rec: Any, key_prefix: str = "") -> _Row:
    name = _short_name(rec.agent_name)
    regimen = str(rec.regimen) if isinstance(rec.regimen, str) else ""
    label = regimen[:1].upper() + regimen[1:] if "+" in regimen else name
    label = textwrap.shorten(f"{label} ({rec.trial})", 48, placeholder="...")
    return _Row("result", label, key=key_prefix + str(rec.result_id), rate=_num(rec.rate),
                low=_num(rec.ci_low), high=_num(rec.ci_high), n=_int(rec.n),
                post_car_t=_flag(rec.post_car_t))


def _ranges_rows(checks: pd.DataFrame, table: pd.DataFrame | None, class_names: Mapping[str, str],
                 source_labels: Mapping[str, str]) -> list[_Row]:
    rows: list[_Row] = []
    for c in checks.itertuples(index=False):
        name = class_names.get(c.class_id, _plain(c.class_id))
        rows.append(_Row("header", f"{name}: {c.endpoint}", key=str(c.range_id),
                         note=f"Verdict: {_plain(c.verdict)}"))
        rows.append(_Row("stated", f"Stated by {source_labels.get(c.source_id, c.source_id)}",
                         key=str(c.range_id), low=_num(c.claim_low), high=_num(c.claim_high)))
        if table is not None:
            trials = _trials_for(table, c).itertuples(index=False)
            rows += [_result_row(rec, f"{c.range_id}:") for rec in trials]
        n = _int(c.n_studies) or 0
        rows.append(_Row("primary", f"Trials: range of estimates ({n})", key=str(c.range_id),
                         low=_num(c.primary_low), high=_num(c.primary_high), n=n,
                         envelope=(_num(c.primary_ci_low), _num(c.primary_ci_high))))
    return rows


def _trials_for(table: pd.DataFrame, check: Any) -> pd.DataFrame:
    if "range_id" in table.columns:
        return table[table["range_id"] == check.range_id]
    return table[(table["class_id"] == check.class_id) & (table["endpoint"] == check.endpoint)]


# ---------------------------------------------------------------- drawing

def _row_figure(rows: Sequence[_Row], title: str, sources: Iterable[str]) -> tuple[Figure, Axes]:
    """A slide-sized figure with title, source line and one axes holding ``rows`` top to bottom."""
    fig = new_figure()
    width, height = fig.get_size_inches()
    bottom = add_source_line(fig, sources) + 0.8 / height
    fig.text(0.15 / width, 1 - 0.15 / height, title, fontsize=FONT_SIZES["title"],
             fontweight="bold", va="top", gid="title")
    left, right, top = 0.33, 0.76, 1 - 1.15 / height
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.set_ylim(len(rows) - 0.5, -0.5)
    size = _row_font_size((top - bottom) * height / max(len(rows), 1))
    labels = [r.label if r.kind == "header" else f"   {r.label}" for r in rows]
    ax.set_yticks(range(len(rows)), labels=labels)
    for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set(ha="left", fontsize=size,
                 fontweight="bold" if row.kind in ("header", "pooled") else None)
    ax.tick_params(axis="y", length=0, pad=(left * width - 0.15) * 72)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=COLORS["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    for x, ha, head in ((1.10, "right", "n"), (1.13, "left", "Rate (95% CI)")):
        ax.text(x, 1.01, head, transform=ax.transAxes, ha=ha, va="bottom", fontsize=size,
                fontweight="bold")
    for y, row in enumerate(rows):
        n_text, rate_text = _row_numbers(row)
        weight = "bold" if row.kind in ("header", "pooled") else None
        for x, ha, text in ((1.10, "right", n_text), (1.13, "left", rate_text)):
            ax.text(x, y, text, transform=ax.get_yaxis_transform(), ha=ha, va="center",
                    fontsize=size, fontweight=weight)
    return fig, ax


def _row_numbers(row: _Row) -> tuple[str, str]:
    """The n and rate texts printed right of a row."""
    if row.kind == "header":
        return "", row.note
    if row.kind == "stated":
        return "", percent_range(row.low, row.high)
    if row.kind == "primary":
        if not row.n:
            return "", "no trial data"
        return "", f"{percent_range(row.low, row.high)} (CIs {percent_range(*row.envelope)})"
    n = "" if row.n is None else str(row.n)
    return n, f"{percent(row.rate)} ({percent_range(row.low, row.high)})"


def _draw_rows(ax: Axes, rows: Sequence[_Row]) -> None:
    for y, row in enumerate(rows):
        if row.kind == "result":
            color = COLORS["post_car_t" if row.post_car_t else "all_patients"]
            ax.plot([row.low, row.high], [y, y], color=color, linewidth=1.8, gid=f"ci:{row.key}")
            ax.plot([row.rate], [y], marker="s" if row.post_car_t else "o", markersize=8,
                    color=color, linestyle="none", gid=f"result:{row.key}")
        elif row.kind == "pooled":
            ax.fill([row.low, row.rate, row.high, row.rate], [y, y - 0.32, y, y + 0.32],
                    color=COLORS["pooled"], gid=f"pooled:{row.key}")
        elif row.kind == "stated":
            ax.plot([row.low, row.high], [y, y], color=COLORS["stated"], linewidth=9,
                    solid_capstyle="butt", gid=f"stated-bar:{row.key}")
        elif row.kind == "primary" and row.n:
            ax.plot(list(row.envelope), [y, y], color=COLORS["primary"], linewidth=1.2,
                    gid=f"primary-ci:{row.key}")
            ax.plot([row.low, row.high], [y, y], color=COLORS["primary"], linewidth=9,
                    solid_capstyle="butt", gid=f"primary:{row.key}")


def _draw_stated_bands(ax: Axes, rows: Sequence[_Row]) -> None:
    """Shade each stated range across the rows of its group, so trial estimates read against it."""
    for y, row in enumerate(rows):
        if row.kind == "stated":
            end = next(i for i in range(y, len(rows)) if rows[i].kind == "primary")
            ax.fill_betweenx([y - 0.5, end + 0.5], row.low, row.high, color=COLORS["stated"],
                             alpha=0.18, linewidth=0, gid=f"stated:{row.key}")


def _percent_axis(ax: Axes, label: str) -> None:
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    ax.set_xlim(0, 1)
    ax.set_xticks(ticks, labels=[percent(t) for t in ticks])
    ax.set_xlabel(label)


def _legend(fig: Figure, *, pooled: bool = False, stated: bool = False) -> None:
    """One legend line under the title, explaining markers and bands."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=COLORS["all_patients"], marker="o", label="Trial population"),
               Line2D([], [], color=COLORS["post_car_t"], marker="s",
                      label="All patients had prior CAR T")]
    if pooled:
        handles.append(Line2D([], [], color=COLORS["pooled"], marker="D", linestyle="none",
                              markersize=9, label="Pooled class estimate (95% CI)"))
    if stated:
        handles += [Patch(color=COLORS["stated"], alpha=0.5, label="Range stated by source"),
                    Patch(color=COLORS["primary"], label="Range of trial estimates")]
    width, height = fig.get_size_inches()
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.1 / width, 1 - 0.55 / height),
               ncol=len(handles), borderaxespad=0, handletextpad=0.4, columnspacing=1.5)


def _eligibility_axes(options: pd.DataFrame, title: str, sources: Iterable[str],
                      ) -> tuple[Figure, Axes]:
    fig = new_figure()
    width, height = fig.get_size_inches()
    bottom = add_source_line(fig, sources) + 0.2 / height
    fig.text(0.15 / width, 1 - 0.15 / height, title,
             fontsize=FONT_SIZES["title"], fontweight="bold", va="top", gid="title")
    left, right, top = 0.24, 0.56, 1 - 1.3 / height
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.set_ylim(len(options) - 0.5, -0.5)
    ax.set_xlim(-0.5, len(STATUS_ORDER) - 0.5)
    size = _row_font_size((top - bottom) * height / len(options))
    names = [textwrap.shorten(_short_name(n), 34, placeholder="...") for n in options["name"]]
    ax.set_yticks(range(len(options)), labels=names, fontsize=size)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(STATUS_ORDER)), labels=[STATUS_NAMES[s] for s in STATUS_ORDER],
                  fontsize=FONT_SIZES["small"], fontweight="bold")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.grid(axis="y", color=COLORS["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    ax.text(1.04, 1.0, "Deciding reason", transform=ax.transAxes, va="bottom",
            fontsize=FONT_SIZES["small"], fontweight="bold")
    chars = int((1 - right - 0.04) * width * 72 / (size * 0.52))
    for y, reason in enumerate(options["reason"]):
        ax.text(1.04, y, textwrap.shorten(reason, chars, placeholder="...") if reason else "",
                transform=ax.get_yaxis_transform(), va="center", fontsize=size)
    return fig, ax


def _draw_options(ax: Axes, options: pd.DataFrame) -> None:
    for y, rec in enumerate(options.itertuples(index=False)):
        ax.plot([STATUS_ORDER.index(rec.status)], [y], marker=_STATUS_MARKERS[rec.status],
                markersize=11, color=COLORS[rec.status], linestyle="none",
                gid=f"option:{rec.scope_id}:{rec.status}")


# ---------------------------------------------------------------- alt text

def _forest_alt(rows: Sequence[_Row], endpoint: str) -> str:
    results = [r for r in rows if r.kind == "result"]
    classes = [r.label for r in rows if r.kind == "header"]
    rates = [r.rate for r in results]
    text = (f"Forest plot of the {_endpoint_name(endpoint)} with 95% confidence intervals for "
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
        text += " Pooled class estimates: " + "; ".join(
            f"{header[r.key]} {percent(r.rate)} (95% CI {percent_range(r.low, r.high)}; "
            f"{r.note})" for r in pooled) + "."
    return text


def _ranges_alt(checks: pd.DataFrame, class_names: Mapping[str, str],
                source_labels: Mapping[str, str]) -> str:
    parts = []
    for c in checks.itertuples(index=False):
        n = _int(c.n_studies) or 0
        spread = percent_range(_num(c.primary_low), _num(c.primary_high))
        cis = percent_range(_num(c.primary_ci_low), _num(c.primary_ci_high))
        primary = (f"{_count(n, 'trial result')} report{'s' if n == 1 else ''} {spread} "
                   f"(95% CIs spanning {cis})" if n else "no trial results are available")
        parts.append(f"{class_names.get(c.class_id, _plain(c.class_id))} {c.endpoint}: "
                     f"{source_labels.get(c.source_id, c.source_id)} states "
                     f"{percent_range(_num(c.claim_low), _num(c.claim_high))}; {primary}; "
                     f"verdict: {_plain(c.verdict)}")
    return (f"Chart comparing {_count(len(parts), 'response-rate range')} stated by secondary sources "
            "with the primary trial data. " + ". ".join(parts) + ".")


def _eligibility_alt(options: pd.DataFrame, profile_label: str) -> str:
    who = f" for {profile_label}" if profile_label else ""
    parts = []
    for status in STATUS_ORDER:
        group = options[options["status"] == status]
        if len(group):
            names = [_short_name(r.name) for r in group.itertuples(index=False)]
            if status == "eligible":
                items = ", ".join(names)
            else:
                items = "; ".join(f"{n}: {r}" if r else n for n, r in zip(names, group["reason"],
                                                                           strict=True))
            parts.append(f"{STATUS_NAMES[status].lower()}: {len(group)} ({items})")
    return (f"Chart of {len(options)} treatment options by eligibility status{who}. "
            + "; ".join(parts) + ".")


# ---------------------------------------------------------------- small helpers

def _checked(frame: pd.DataFrame, columns: Sequence[str], name: str) -> pd.DataFrame:
    """A copy of ``frame`` after checking it has ``columns`` (ParameterError naming any missing)."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks column(s) {', '.join(missing)}; expected at least "
                             f"{', '.join(columns)}. Pass the output of the matching summaries or "
                             "eligibility function.")
    return frame.copy()


def _single_endpoint(table: pd.DataFrame) -> str:
    endpoints = list(table["endpoint"].dropna().unique())
    if len(endpoints) != 1:
        raise ParameterError(f"table must hold one endpoint; got {endpoints or 'no rows'}. "
                             "Filter it, e.g. response_table(evidence, endpoint='ORR').")
    return str(endpoints[0])


def _endpoint_name(endpoint: str) -> str:
    return ENDPOINT_NAMES.get(endpoint, endpoint)


def _row_font_size(row_height_in: float) -> float:
    return min(FONT_SIZES["small"], max(FONT_SIZES["min"], row_height_in * 72 * 0.62))


def _result_ids(frame: pd.DataFrame) -> set[str]:
    """The result ids listed ("; "-joined) in a summary's or check's ``result_ids`` column."""
    if "result_ids" not in frame.columns:
        raise ParameterError("expected a result_ids column (class_summary / check_reported_ranges "
                             f"output); got columns {', '.join(map(str, frame.columns))}.")
    return set().union(*map(_split_ids, frame["result_ids"]))


def _split_ids(value: Any) -> set[str]:
    return set() if pd.isna(value) else {i.strip() for i in str(value).split(";") if i.strip()}


def _pool_qualifier(rec: Any) -> str:
    disease = getattr(rec, "disease", None)
    parts = [str(disease)] if isinstance(disease, str) and disease else []
    return ", ".join([*parts, _plain(rec.analysis_set)])


def _short_name(name: Any) -> str:
    """A display name without its trailing parenthesis: ``"Glofitamab (glofitamab-gxbm)"`` ->
    ``"Glofitamab"``."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", str(name)) or str(name)


def _count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("s") else "s")
    return f"{n} {noun if n == 1 else plural}"


def _flag(value: Any) -> bool:
    return False if pd.isna(value) else bool(value)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_reason(reasons: Any) -> str:
    if isinstance(reasons, (list, tuple)):
        return str(reasons[0]) if reasons else ""
    return "" if pd.isna(reasons) else str(reasons).split("; ")[0]


def name_map(frame: pd.DataFrame, key: str, value: str) -> dict[str, str]:
    """``{key: value}`` from two columns of an evidence table, e.g. source_id -> label."""
    return {str(k): str(v) for k, v in zip(frame[key], frame[value], strict=True) if not pd.isna(v)}


def _plain(value: Any) -> str:
    return str(value).replace("_", " ")


def _num(value: Any) -> float:
    return float("nan") if pd.isna(value) else float(value)


def _int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)
