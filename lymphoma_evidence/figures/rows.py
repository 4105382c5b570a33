"""Row-based charts (forest plot, stated ranges): the row record, preparing rows, drawing them.

A chart is a list of :class:`Row` drawn top to bottom on one axes, labels on the left and the n and
rate texts on the right. Internal to :mod:`lymphoma_evidence.figures.charts`; not part of the public API.
Rates are proportions (0-1) in and percent on the page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..formatting import percent, percent_range
from ..stats import POOLED_BY
from .labels import as_int, num, plain, short_name
from .style import COLORS, FONT_SIZES, add_source_line, new_figure, row_line_inches

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Row", "forest_rows", "result_row", "ranges_rows", "trials_for", "pool_qualifier",
           "row_figure", "row_spans", "row_centres", "draw_rows", "draw_stated_bands", "percent_axis",
           "draw_legend", "row_font_size"]


@dataclass(frozen=True)
class Row:
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


# ---------------------------------------------------------------- preparing rows

def forest_rows(table: pd.DataFrame, summary: pd.DataFrame) -> list[Row]:
    """Forest-plot rows: per class a header, its results, then a row per set pooled over 2+ studies."""
    rows: list[Row] = []
    for class_id, group in table.groupby("class_id", sort=False):
        rows.append(Row("header", str(group["class_name"].iloc[0]), key=str(class_id)))
        rows += [result_row(rec) for rec in group.itertuples(index=False)]
        pooled = summary[summary["class_id"] == class_id]
        several = len(pooled) > 1
        for rec in pooled[pooled["n_studies"] >= 2].itertuples(index=False):
            studies = f"{rec.n_studies} studies" + (f" ({pool_qualifier(rec)})" if several else "")
            rows.append(Row("pooled", f"Pooled, {studies}", key=str(class_id), rate=num(rec.pooled_rate),
                            low=num(rec.pooled_ci_low), high=num(rec.pooled_ci_high),
                            n=as_int(rec.total_patients), note=studies))
    return rows


def result_row(rec: Any, key_prefix: str = "") -> Row:
    """The row for one ``response_table`` record; ``key_prefix`` keeps keys unique per chart."""
    name = short_name(rec.agent_name)
    regimen = str(rec.regimen) if isinstance(rec.regimen, str) else ""
    label = regimen[:1].upper() + regimen[1:] if "+" in regimen else name
    label = textwrap.fill(f"{label} ({rec.trial})", 44, break_on_hyphens=False)
    return Row("result", label, key=key_prefix + str(rec.result_id), rate=num(rec.rate),
               low=num(rec.ci_low), high=num(rec.ci_high), n=as_int(rec.n),
               post_car_t=_flag(rec.post_car_t))


def ranges_rows(checks: pd.DataFrame, table: pd.DataFrame | None, class_names: Mapping[str, str],
                source_labels: Mapping[str, str]) -> list[Row]:
    """Per stated range: a header (verdict), the stated band, its trials, the trial range."""
    rows: list[Row] = []
    for c in checks.itertuples(index=False):
        name = class_names.get(c.class_id, plain(c.class_id))
        rows.append(Row("header", f"{name}: {c.endpoint}", key=str(c.range_id),
                        note=f"Verdict: {plain(c.verdict)}"))
        rows.append(Row("stated", f"Stated by {source_labels.get(c.source_id, c.source_id)}",
                        key=str(c.range_id), low=num(c.claim_low), high=num(c.claim_high)))
        if table is not None:
            trials = trials_for(table, c).itertuples(index=False)
            rows += [result_row(rec, f"{c.range_id}:") for rec in trials]
        n = as_int(c.n_studies) or 0
        rows.append(Row("primary", f"Trials: range of estimates ({n})", key=str(c.range_id),
                        low=num(c.primary_low), high=num(c.primary_high), n=n,
                        envelope=(num(c.primary_ci_low), num(c.primary_ci_high))))
    return rows


def trials_for(table: pd.DataFrame, check: Any) -> pd.DataFrame:
    """The ``table`` rows behind one ``check_reported_ranges`` record."""
    if "range_id" in table.columns:
        return table[table["range_id"] == check.range_id]
    return table[(table["class_id"] == check.class_id) & (table["endpoint"] == check.endpoint)]


def pool_qualifier(rec: Any) -> str:
    """What tells pooled sets of one class apart: stratum of directness (its ``stratum_label`` when the
    caller gave one), disease (when known) and analysis set."""
    stratum = getattr(rec, "stratum_label", None) or getattr(rec, "stratum", None)
    disease = getattr(rec, "disease", None)
    parts = [str(p) for p in (stratum, disease) if isinstance(p, str) and p]
    return ", ".join([*parts, plain(rec.analysis_set)])


def _flag(value: Any) -> bool:
    return False if pd.isna(value) else bool(value)


# ---------------------------------------------------------------- drawing

def row_spans(rows: Sequence[Row]) -> list[tuple[float, float]]:
    """Each row's top and bottom in axis units, top to bottom: a row takes one unit per line of its label,
    so a wrapped label has the room it needs."""
    spans, y = [], 0.0
    for row in rows:
        lines = row.label.count("\n") + 1
        spans.append((y, y + lines))
        y += lines
    return spans


def row_centres(rows: Sequence[Row]) -> list[float]:
    """The y of each row's label and markers (the middle of its span)."""
    return [(top + bottom) / 2 for top, bottom in row_spans(rows)]


def row_figure(rows: Sequence[Row], title: str, sources: Iterable[str]) -> tuple[Figure, Axes]:
    """A slide-wide figure with title, source line and one axes holding ``rows`` top to bottom.

    Slide-sized (16:9) when the rows fit at the smallest house font size; taller when they do not, so no
    two labels overlap.
    """
    sources = list(sources)
    fig = new_figure()
    width, height = fig.get_size_inches()
    lines = row_spans(rows)[-1][1] if rows else 1.0
    source_in = add_source_line(new_figure(), sources) * height  # the same width: the same wrapping
    needed = 1.15 + source_in + 0.8 + lines * row_line_inches(FONT_SIZES["min"])
    if needed > height:
        fig, height = new_figure((width, needed)), needed
    bottom = add_source_line(fig, sources) + 0.8 / height
    fig.text(0.15 / width, 1 - 0.15 / height, title, fontsize=FONT_SIZES["title"],
             fontweight="bold", va="top", gid="title")
    left, right, top = 0.33, 0.76, 1 - 1.15 / height
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.set_ylim(lines, 0)
    size = row_font_size((top - bottom) * height / lines)  # the height of one line of label
    labels = [r.label if r.kind == "header" else f"   {r.label}" for r in rows]
    ax.set_yticks(row_centres(rows), labels=labels)
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
    for y, row in zip(row_centres(rows), rows, strict=True):
        n_text, rate_text = _row_numbers(row)
        weight = "bold" if row.kind in ("header", "pooled") else None
        for x, ha, text in ((1.10, "right", n_text), (1.13, "left", rate_text)):
            ax.text(x, y, text, transform=ax.get_yaxis_transform(), ha=ha, va="center",
                    fontsize=size, fontweight=weight)
    return fig, ax


def _row_numbers(row: Row) -> tuple[str, str]:
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


def draw_rows(ax: Axes, rows: Sequence[Row]) -> None:
    """Draw each row's markers: intervals and points, pooled diamonds, stated and trial bars."""
    for y, row in zip(row_centres(rows), rows, strict=True):
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


def draw_stated_bands(ax: Axes, rows: Sequence[Row]) -> None:
    """Shade each stated range across the rows of its group, so trial estimates read against it."""
    spans = row_spans(rows)
    for i, row in enumerate(rows):
        if row.kind == "stated":
            end = next(j for j in range(i, len(rows)) if rows[j].kind == "primary")
            ax.fill_betweenx([spans[i][0], spans[end][1]], row.low, row.high, color=COLORS["stated"],
                             alpha=0.18, linewidth=0, gid=f"stated:{row.key}")


def percent_axis(ax: Axes, label: str) -> None:
    """A 0-100% x axis (data in proportions 0-1) with ``label`` under it."""
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    ax.set_xlim(0, 1)
    ax.set_xticks(ticks, labels=[percent(t) for t in ticks])
    ax.set_xlabel(label)


def draw_legend(fig: Figure, *, pooled: bool = False, stated: bool = False) -> None:
    """One legend line under the title, explaining markers and bands."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Line2D([], [], color=COLORS["all_patients"], marker="o", label="Trial population"),
        Line2D([], [], color=COLORS["post_car_t"], marker="s", label="All patients had prior CAR T")]
    if pooled:
        handles.append(Line2D([], [], color=COLORS["pooled"], marker="D", linestyle="none",
                              markersize=9, label=f"Pooled class estimate (95% CI; {POOLED_BY})"))
    if stated:
        handles += [Patch(color=COLORS["stated"], alpha=0.5, label="Range stated by source"),
                    Patch(color=COLORS["primary"], label="Range of trial estimates")]
    width, height = fig.get_size_inches()
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.1 / width, 1 - 0.55 / height),
               ncol=len(handles), borderaxespad=0, handletextpad=0.4, columnspacing=1.5)


def row_font_size(row_height_in: float) -> float:
    """Font size (points) for rows ``row_height_in`` inches tall, within the house limits."""
    return min(FONT_SIZES["small"], max(FONT_SIZES["min"], row_height_in * 72 * 0.62))
