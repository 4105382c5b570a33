"""Figures that say who the numbers come from: forest plots by stratum of directness, survival after
CAR-T failure by first therapy, and side effects.

The functions draw the tables they are given (from :mod:`lymphoma_evidence.analysis.strata` and
:mod:`lymphoma_evidence.analysis.headline`); they never compute. Every row of a forest plot carries a
unique, untruncated label in plain words: the treatment, the trial with its cohort, and the number of
patients (long labels wrap onto a second line rather than being cut). Direct (post-CAR-T) rows are drawn
in colour; rows from people who had not had CAR-T, or whose share is not reported, are grey and sit under
their own heading. Text is never smaller than 14 pt at slide size. Rates are proportions (0-1) in and
percent on the page. Artists carry ``gid`` s (``result:<id>``, ``pooled:<class>:<stratum>``,
``bar:<class>:<measure>``) so tests and SVG readers can find them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.frames import ANY_CLASS
from ..errors import ParameterError
from ..formatting import approximately, percent, percent_range
from .labels import short_name
from .style import COLORS, FONT_SIZES, add_source_line, house_style, new_figure, row_line_inches

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ForestLine", "forest_lines", "directness_forest_plot", "outcomes_plot", "harms_plot",
           "SECTION_TITLES"]

#: Headings of the strata in a forest plot (direct first).
SECTION_TITLES = {
    "post_car_t": "After CAR-T failure: every patient had CAR T-cell therapy before",
    "partly": "Partly after CAR-T: only some patients had CAR T-cell therapy before",
    "car_t_naive": "Indirect: patients who had not had CAR T-cell therapy",
    "unknown": "Indirect: how many had CAR T-cell therapy before was not reported",
}
_STRATA = tuple(SECTION_TITLES)
_TREATMENT_CHARS, _TRIAL_CHARS = 27, 25
STUDY_COLUMNS = ("result_id", "class_id", "agent_name", "regimen", "trial", "stratum", "n", "rate",
                 "ci_low", "ci_high", "source_label")
POOLED_COLUMNS = ("class_id", "stratum", "measure", "n_studies", "n_patients", "rate", "ci_low", "ci_high",
                  "trials")


@dataclass(frozen=True)
class ForestLine:
    """One line of a forest plot: a section heading, a study or a pooled estimate."""

    kind: str  # section | study | pooled
    treatment: str
    trial: str = ""
    key: str = ""
    stratum: str = ""
    n: int | None = None
    rate: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    approximate: bool = False

    @property
    def direct(self) -> bool:
        return self.stratum == "post_car_t"

    @property
    def label(self) -> str:
        """The full label in one line (unique within a figure), e.g. for alt text."""
        if self.kind == "section":
            return self.treatment
        return f"{self.treatment}, {self.trial}, n = {self.n}"


def _treatment(rec: Any, class_names: Mapping[str, str]) -> str:
    agent = rec.get("agent_name")
    if not isinstance(agent, str) or not agent:
        return f"{class_names.get(rec['class_id'], rec['class_id'])} (several agents)"
    regimen = rec.get("regimen")
    if isinstance(regimen, str) and "+" in regimen:
        return regimen[:1].upper() + regimen[1:]
    return short_name(agent)


def _trial(rec: Any) -> str:
    trial = str(rec["trial"])
    sub = rec.get("subgroup_of")
    if isinstance(sub, str) and sub.strip():
        trial += ", prior-CAR-T subgroup" if rec["stratum"] == "post_car_t" else ", subgroup"
    relapse = rec.get("time_to_relapse")
    if isinstance(relapse, str) and relapse.strip() and relapse != "any":
        trial += f", relapse {relapse} after CAR-T"
    share = rec.get("prior_car_t_percent")
    if rec["stratum"] == "partly" and share is not None and not pd.isna(share):
        trial += f" ({share:g}% had CAR-T)"
    return trial


def forest_lines(studies: pd.DataFrame, pooled: pd.DataFrame, class_names: Mapping[str, str],
                 strata: Sequence[str] = _STRATA) -> list[ForestLine]:
    """The lines of a forest plot: per stratum (in ``strata`` order) a heading, its studies by class,
    and after each class with two or more studies its pooled diamond. Labels are made unique (a repeated
    label gets its trial's result id)."""
    lines: list[ForestLine] = []
    seen: set[str] = set()
    for stratum in strata:
        group = studies[studies["stratum"] == stratum]
        if group.empty:
            continue
        lines.append(ForestLine("section", SECTION_TITLES[stratum], key=stratum, stratum=stratum))
        for class_id, rows in group.groupby("class_id", sort=False):
            for rec in rows.to_dict("records"):
                line = ForestLine("study", _treatment(rec, class_names), _trial(rec), str(rec["result_id"]),
                                  stratum, int(rec["n"]), float(rec["rate"]), float(rec["ci_low"]),
                                  float(rec["ci_high"]),
                                  str(rec.get("responders_basis", "")) == "rounded")
                if line.label in seen:
                    line = ForestLine(line.kind, line.treatment, f"{line.trial} [{line.key}]", line.key,
                                      stratum, line.n, line.rate, line.low, line.high, line.approximate)
                seen.add(line.label)
                lines.append(line)
            match = pooled[(pooled["class_id"] == class_id) & (pooled["stratum"] == stratum)
                           & (pooled["n_studies"] >= 2)]
            for rec in match.to_dict("records"):
                lines.append(ForestLine(
                    "pooled", f"{class_names.get(class_id, class_id)}",
                    f"Pooled: {int(rec['n_studies'])} studies above", f"{class_id}:{stratum}", stratum,
                    int(rec["n_patients"]), float(rec["rate"]), float(rec["ci_low"]),
                    float(rec["ci_high"]), bool(rec.get("approximate", False))))
    return lines


def _checked(frame: pd.DataFrame, columns: Iterable[str], name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks column(s) {', '.join(missing)}; pass the output of the "
                             "matching analysis function (response_studies, pool_within_strata, "
                             "headline_numbers).")
    return frame.copy()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _title(fig: Figure, title: str, subtitle: str = "") -> float:
    """Title (wrapped, never cut) and subtitle at the top; returns the height they take, in inches."""
    width, height = fig.get_size_inches()
    size = FONT_SIZES["title"]
    wrapped = _wrap(title, int((width - 0.4) * 72 / (size * 0.62)))
    lines = wrapped.count("\n") + 1
    fig.text(0.2 / width, 1 - 0.15 / height, wrapped, fontsize=size, fontweight="bold", va="top",
             gid="title", linespacing=1.1)
    used = 0.15 + lines * size * 1.2 / 72
    if subtitle:
        fig.text(0.2 / width, 1 - (used + 0.08) / height, subtitle, fontsize=FONT_SIZES["min"],
                 color=COLORS["muted"], va="top", gid="subtitle")
        used += 0.4
    return used + 0.15


def directness_forest_plot(studies: pd.DataFrame, pooled: pd.DataFrame, *, endpoint: str, title: str,
                           class_names: Mapping[str, str], subtitle: str = "",
                           strata: Sequence[str] = _STRATA) -> tuple[Figure, str]:
    """Forest plot of response rates by stratum of directness (direct first, indirect in grey).

    Parameters
    ----------
    studies : DataFrame
        ``response_studies`` rows of one endpoint (rates and bounds as proportions 0-1).
    pooled : DataFrame
        ``pool_within_strata`` rows; a class with two or more studies in a stratum gets a diamond there.
    endpoint : {"ORR", "CR"}
        Named on the axis and in the alt text.
    title, subtitle : str
        The message title (a sentence) and a line under it.
    class_names : mapping
        class_id -> display name.
    strata : sequence of str
        Strata to draw, in order.

    Returns
    -------
    (Figure, str)
        The figure and its alt text.

    Raises
    ------
    ParameterError
        When a column is missing or no study is in ``strata``.
    """
    studies = _checked(studies, STUDY_COLUMNS, "studies")
    pooled = _checked(pooled, POOLED_COLUMNS, "pooled")
    pooled = pooled[pooled["measure"] == endpoint]
    lines = forest_lines(studies[studies["endpoint"] == endpoint] if "endpoint" in studies else studies,
                         pooled, class_names, strata)
    if not any(line.kind == "study" for line in lines):
        raise ParameterError(f"no {endpoint} study in the strata {', '.join(strata)}; nothing to draw. "
                             "Choose other strata or another endpoint.")
    sources = list(studies.loc[studies["stratum"].isin(strata), "source_label"])
    with house_style():
        fig = new_figure()
        short = _draw_forest(fig, lines, endpoint, title, subtitle, sources)
        if short > 0:  # more rows than a slide holds: a taller figure, so wrapped labels never overlap
            width, height = fig.get_size_inches()
            fig = new_figure((width, height + short))
            _draw_forest(fig, lines, endpoint, title, subtitle, sources)
    return fig, _forest_alt(lines, endpoint, title)


def _draw_forest(fig: Figure, lines: list[ForestLine], endpoint: str, title: str, subtitle: str,
                 sources: Iterable[str]) -> float:
    """Draw the forest plot on ``fig``; return the inches of height its rows lacked (0 when they fit)."""
    width, height = fig.get_size_inches()
    size = FONT_SIZES["min"]
    top_in = _title(fig, title, subtitle) + 0.45
    bottom_in = add_source_line(fig, sources) * height + 0.75
    texts = [(_wrap(ln.treatment, _TREATMENT_CHARS if ln.kind != "section" else 120),
              _wrap(ln.trial, _TRIAL_CHARS)) for ln in lines]
    weights = [max(a.count("\n"), b.count("\n")) + 1 for a, b in texts]
    total = sum(weights)
    short = total * row_line_inches(size) - (height - top_in - bottom_in)
    ax = fig.add_axes((6.1 / width, bottom_in / height, 4.2 / width, (height - top_in - bottom_in) / height))
    ax.set_ylim(total, 0)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="x", labelsize=size)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=COLORS["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"{endpoint} with 95% confidence interval", fontsize=size)
    for x_in, ha, text in ((0.2, "left", "Treatment"), (3.4, "left", "Trial or series"),
                           (10.95, "right", "n"), (11.1, "left", f"{endpoint} (95% CI)")):
        fig.text(x_in / width, 1 - (top_in - 0.1) / height, text, fontsize=size, fontweight="bold",
                 ha=ha, va="bottom")
    to_fig = ax.transData + fig.transFigure.inverted()
    y = 0.0
    for line, (treatment, trial), weight in zip(lines, texts, weights, strict=True):
        centre = y + weight / 2
        fy = to_fig.transform((0, centre))[1]
        muted = line.kind != "section" and not line.direct and line.stratum != "partly"
        color = COLORS["indirect"] if muted else "#222222"
        bold = "bold" if line.kind in ("section", "pooled") else None
        if line.kind == "section":
            fig.text(0.2 / width, fy, treatment, fontsize=size, fontweight="bold", va="center",
                     color=COLORS["post_car_t"] if line.direct else "#222222", gid=f"section:{line.key}")
            y += weight
            continue
        fig.text(0.35 / width, fy, treatment, fontsize=size, va="center", color=color, fontweight=bold)
        fig.text(3.4 / width, fy, trial, fontsize=size, va="center", color=color, fontweight=bold)
        fig.text(10.95 / width, fy, str(line.n), fontsize=size, va="center", ha="right", color=color,
                 fontweight=bold)
        shown = f"{percent(line.rate)} ({percent_range(line.low, line.high)})"
        fig.text(11.1 / width, fy, approximately(shown, line.approximate), fontsize=size, va="center",
                 color=color, fontweight=bold)
        mark = COLORS["indirect"] if muted else (COLORS["post_car_t"] if line.direct else COLORS["primary"])
        if line.kind == "pooled":
            ax.fill([line.low, line.rate, line.high, line.rate],
                    [centre, centre - 0.3, centre, centre + 0.3], color=mark if muted else COLORS["pooled"],
                    gid=f"pooled:{line.key}")
        else:
            ax.plot([line.low, line.high], [centre, centre], color=mark, linewidth=2, gid=f"ci:{line.key}")
            ax.plot([line.rate], [centre], marker="s" if line.direct else "o", markersize=9, color=mark,
                    linestyle="none", gid=f"result:{line.key}")
        y += weight
    return max(short, 0.0)


def _forest_alt(lines: Sequence[ForestLine], endpoint: str, title: str) -> str:
    parts = [f"Forest plot: {title}"]
    for line in lines:
        if line.kind == "section":
            parts.append(f"{line.treatment}:")
        else:
            parts.append(f"{line.treatment}, {line.trial}, {line.n} patients, {endpoint} "
                         f"{approximately(percent(line.rate), line.approximate)} (95% CI "
                         f"{percent_range(line.low, line.high)});")
    return " ".join(parts).rstrip(";") + "."


# ---------------------------------------------------------------- bars: outcomes and harms

#: Height of one legend line (one key per line, so long keys never run off the figure), in inches.
_LEGEND_LINE_IN = 0.3


#: Height of one bar slot of a bar figure, in inches (a bar and its share of the gap between groups).
_BAR_SLOT_IN = 0.42


def _bar_figure(items: list[dict], title: str, subtitle: str, sources: Iterable[str], xlabel: str,
                legend: Sequence[tuple[str, str]], fit: bool = False) -> Figure:
    """Grouped horizontal bars: each item has group (label), bars [(measure, rate, low, high, colour)].

    Slide-sized; with ``fit``, no taller than its bars need (a chart of one option on a report page)."""
    fig = new_figure()
    needed = _draw_bars(fig, items, title, subtitle, list(sources), xlabel, legend)
    if fit and needed < fig.get_size_inches()[1]:
        fig = new_figure((fig.get_size_inches()[0], needed))
        _draw_bars(fig, items, title, subtitle, list(sources), xlabel, legend)
    return fig


def _draw_bars(fig: Figure, items: list[dict], title: str, subtitle: str, sources: list[str], xlabel: str,
               legend: Sequence[tuple[str, str]]) -> float:
    """Draw the bars of :func:`_bar_figure` on ``fig``; returns the height in inches they need."""
    from matplotlib.patches import Patch

    width, height = fig.get_size_inches()
    size = FONT_SIZES["min"]
    legend_top = _title(fig, title, subtitle)
    top_in = legend_top + _LEGEND_LINE_IN * len(legend) + 0.35
    bottom_in = add_source_line(fig, sources) * height + 0.8
    ax = fig.add_axes((4.6 / width, bottom_in / height, 6.2 / width, (height - top_in - bottom_in) / height))
    slots = sum(len(item["bars"]) + 1 for item in items)
    ax.set_ylim(slots - 0.5, -0.7)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="x", labelsize=size)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=COLORS["grid"], linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(xlabel, fontsize=size)
    pos = 0
    for item in items:
        label_y = pos + (len(item["bars"]) - 1) / 2
        ax.text(-0.02, label_y, _wrap(item["group"], 34), transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize=size, color=item.get("color", "#222222"))
        for measure, rate, low, high, colour, text in item["bars"]:
            ax.barh(pos, rate, height=0.8, color=colour, gid=f"bar:{item['key']}:{measure}")
            if low == low and high == high:
                ax.plot([low, high], [pos, pos], color="#222222", linewidth=1.5)
            ax.text(max(rate, high if high == high else rate) + 0.01, pos, text, va="center", fontsize=size)
            pos += 1
        pos += 1
    fig.legend(handles=[Patch(color=c, label=label) for label, c in legend], loc="upper left",
               bbox_to_anchor=(0.2 / width, 1 - legend_top / height), ncol=1, fontsize=size,
               borderaxespad=0, frameon=False)
    return top_in + bottom_in + (slots + 1.2) * _BAR_SLOT_IN


#: Bar colours of the outcomes figure, in the order of its measures.
OUTCOME_COLOURS = (COLORS["primary"], COLORS["eligible"])


def outcomes_plot(numbers: pd.DataFrame, class_names: Mapping[str, str],
                  source_labels: Mapping[str, str], *, title: str,
                  measures: Mapping[str, str], fit: bool = False) -> tuple[Figure, str]:
    """Survival after CAR-T failure, by the first therapy given after it (post-CAR-T rows of
    ``headline_numbers``): one bar per measure of ``measures`` (measure -> legend words, in order; e.g.
    12-month progression-free and overall survival), classes ordered by the last measure, best first.
    Slide-sized; with ``fit``, only as tall as its bars need."""
    numbers = _checked(numbers, ("class_id", "stratum", "measure", "rate", "source_ids", "population"),
                       "numbers")
    shown = {m: (words, OUTCOME_COLOURS[i % len(OUTCOME_COLOURS)])
             for i, (m, words) in enumerate(measures.items())}
    rows = numbers[(numbers["stratum"] == "post_car_t") & numbers["measure"].isin(shown)
                   & numbers["rate"].notna() & (numbers["class_id"] != ANY_CLASS)]
    if rows.empty:
        raise ParameterError(f"numbers has no survival after CAR-T failure (post_car_t rows of "
                             f"{' or '.join(shown) or 'the outcomes figure measures'}); add them to "
                             "outcomes.csv or skip this figure.")
    last = list(shown)[-1]
    order = rows[rows["measure"] == last].sort_values("rate", ascending=False)["class_id"].tolist()
    order += [c for c in dict.fromkeys(rows["class_id"]) if c not in order]
    items, alt = [], []
    for class_id in order:
        group = rows[rows["class_id"] == class_id]
        bars = []
        for measure, (words, colour) in shown.items():
            hit = group[group["measure"] == measure]
            if hit.empty:
                continue
            rec = hit.iloc[0]
            people = f", n = {int(rec['n_patients'])}" if pd.notna(rec["n_patients"]) else ""
            bars.append((measure, float(rec["rate"]), float(rec["ci_low"]), float(rec["ci_high"]), colour,
                         percent(rec["rate"])))
            alt.append(f"{class_names.get(class_id, class_id)}: {words.lower()} {percent(rec['rate'])} "
                       f"({source_labels.get(rec['source_ids'], rec['source_ids'])}{people})")
        items.append({"group": class_names.get(class_id, class_id), "key": class_id, "bars": bars})
    sources = [source_labels.get(s, s) for s in rows["source_ids"]]
    with house_style():
        fig = _bar_figure(items, title, "First treatment after CAR-T failure; separate retrospective "
                          "series, not a comparison between treatments", sources,
                          "Share of patients, 12 months after starting the treatment",
                          [(w, c) for w, c in shown.values()], fit=fit)
    return fig, f"Bar chart: {title}. " + "; ".join(alt) + "."

def _harms_legend(rows: pd.DataFrame, colours: Mapping[str, str],
                  events: Mapping[str, str]) -> list[tuple[str, str]]:
    """Legend keys for the colours the bars use: one per side effect drawn in colour (post-CAR-T rows),
    and one grey key when any bar comes from indirect evidence."""
    direct = set(rows.loc[rows["stratum"] == "post_car_t", "measure"])
    keys = [(f"{events[m]}, after CAR-T", colours[m]) for m in events if m in direct]
    if (rows["stratum"] != "post_car_t").any():
        keys.append(("Grey: indirect evidence, from people who had not had CAR-T or whose prior CAR-T was "
                     "not reported",
                     COLORS["indirect"]))
    return keys


def harms_plot(numbers: pd.DataFrame, class_names: Mapping[str, str], source_labels: Mapping[str, str],
               *, title: str, events: Mapping[str, str], shorts: Mapping[str, str] | None = None,
               classes: Sequence[str] | None = None) -> tuple[Figure, str]:
    """Serious side effects per class: the share of patients with each event of ``events`` (measure ->
    legend words, in order; colours follow that order), from ``headline_numbers`` (direct post-CAR-T rows
    in colour, others grey and named as indirect). ``shorts`` gives the few words printed beside each
    bar, so a grey (indirect) bar still says what it counts."""
    shorts = shorts or {}
    numbers = _checked(numbers, ("class_id", "stratum", "measure", "rate", "ci_low", "ci_high",
                                 "population", "source_ids"), "numbers")
    rows = numbers[numbers["measure"].isin(events) & numbers["rate"].notna()]
    if classes is not None:
        rows = rows[rows["class_id"].isin(classes)]
    # one stratum per class and event: direct first
    rows = rows.assign(_s=rows["stratum"].map(list(SECTION_TITLES).index)).sort_values("_s", kind="stable")
    rows = rows.groupby(["class_id", "measure"], sort=False).head(1)
    if rows.empty:
        asked = ", ".join(events) or "no events given"
        raise ParameterError(f"numbers has no serious side effects ({asked}); add harms.csv rows or skip "
                             "this figure.")
    palette = [COLORS["not_eligible"], COLORS["check"], COLORS["primary"], COLORS["eligible"],
               COLORS["reddish_purple"] if "reddish_purple" in COLORS else COLORS["muted"], COLORS["muted"],
               COLORS["pooled"]]
    colours = dict(zip(events, palette, strict=False))
    items, alt = [], []
    for class_id, group in rows.groupby("class_id", sort=False):
        direct = (group["stratum"] == "post_car_t").all()
        bars = []
        for rec in group.to_dict("records"):
            colour = colours[rec["measure"]] if rec["stratum"] == "post_car_t" else COLORS["indirect"]
            shown = approximately(percent(rec["rate"]), bool(rec.get("approximate")))
            bars.append((rec["measure"], float(rec["rate"]), float(rec["ci_low"]), float(rec["ci_high"]),
                         colour, f"{shown} {shorts.get(rec['measure'], '')}".strip()))
            alt.append(f"{class_names.get(class_id, class_id)}: {events[rec['measure']].lower()} "
                       f"{percent(rec['rate'])} ({rec['population']})")
        label = class_names.get(class_id, class_id) + ("" if direct else " (indirect evidence)")
        items.append({"group": label, "key": class_id, "bars": bars,
                      "color": "#222222" if direct else COLORS["indirect"]})
    sources = [source_labels.get(s.strip(), s.strip()) for ids in rows["source_ids"] for s in ids.split(";")]
    with house_style():
        fig = _bar_figure(items, title, "Each bar names its side effect", sources,
                          "Share of patients (95% CI)", _harms_legend(rows, colours, events))
    return fig, f"Bar chart: {title}. " + "; ".join(alt) + "."
