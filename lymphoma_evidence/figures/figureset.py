"""The figure set for educators: every chart as a slide-sized PNG and SVG, listed in figures.md.

Output is deterministic: the same evidence gives the same bytes. SVG ids use a fixed hash salt, no
creation dates are written into the files, and the date printed in figures.md (and on the title
slide of the deck) is today's unless ``SOURCE_DATE_EPOCH`` is set.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.eligibility import PatientProfile, eligible_options
from ..analysis.summaries import check_reported_ranges, class_summary
from ..errors import ParameterError
from ..fileio import write_atomic, write_text_atomic
from .charts import (
    describe_profile,
    eligibility_plot,
    forest_plot,
    forest_rows_for,
    name_map,
    ranges_plot,
    ranges_trials,
)
from .style import SLIDE_SIZE, house_style, percent_range

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data.evidence import Evidence

FORMATS = ("png", "svg")
#: The illustrative patient of the eligibility overview in the educators' set.
EXAMPLE_PROFILE = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False)
MIN_DPI = 200
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


@dataclass(frozen=True)
class NamedFigure:
    """One figure of the set.

    Attributes
    ----------
    name : str
        File stem, e.g. ``forest_orr``.
    title : str
        A short takeaway title (used as the slide title).
    figure : matplotlib.figure.Figure
    alt : str
        Alt text: what the chart shows, in words and numbers.
    citations : tuple of str
        Full citations of the sources drawn on, in order of first appearance.
    """

    name: str
    title: str
    figure: Figure
    alt: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class FigureSet:
    """The figures of one evidence version, with the version, content hash and build date."""

    figures: tuple[NamedFigure, ...]
    version: str
    content_hash: str
    built: date


def build_date() -> date:
    """Today's date (UTC), or the date of ``SOURCE_DATE_EPOCH`` (seconds) when that is set.

    Raises
    ------
    ParameterError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(UTC).date()
    if not epoch.isdigit():
        raise ParameterError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since "
                             "1970-01-01; set it like SOURCE_DATE_EPOCH=$(git log -1 --format=%ct).")
    return datetime.fromtimestamp(int(epoch), UTC).date()


def build_figures(evidence: Evidence, endpoints: Sequence[str] = ("ORR", "CR"),
                  profile: PatientProfile | None = EXAMPLE_PROFILE) -> FigureSet:
    """Every figure of the set: a forest plot per endpoint, the stated ranges vs the trials, and
    the eligibility overview for ``profile`` when one is given.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    endpoints : sequence of {"ORR", "CR"}
        One forest plot per endpoint, in this order.
    profile : PatientProfile or None
        The patient of the eligibility overview (default: :data:`EXAMPLE_PROFILE`, labelled as an
        example); None leaves the overview out.
    """
    figures = [_forest(evidence, endpoint) for endpoint in dict.fromkeys(endpoints)]
    if len(evidence.reported_ranges):
        figures.append(_ranges(evidence))
    if profile is not None and len(evidence.eligibility):
        figures.append(_eligibility(evidence, profile))
    return FigureSet(tuple(figures), evidence.version, evidence.content_hash, build_date())


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Formats from ``"png,svg"`` or a list, lower-cased, duplicates dropped, each checked."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = tuple(dict.fromkeys(str(f).strip().lower().lstrip(".") for f in items if str(f).strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ParameterError(f"format {','.join(unknown) or repr(formats)} is not supported; expected "
                             f"one or more of {', '.join(FORMATS)}, comma-separated (e.g. png,svg).")
    return wanted


def export_figures(figure_set: FigureSet, out_dir: Path | str,
                   formats: str | Iterable[str] = FORMATS, dpi: int = MIN_DPI) -> list[Path]:
    """Write each figure as PNG and/or SVG into ``out_dir``, then ``figures.md`` describing them.

    Parameters
    ----------
    figure_set : FigureSet
        From :func:`build_figures`.
    out_dir : path
        Folder to write into (created when missing); files of the same names are replaced.
    formats : str or iterable of str
        ``"png,svg"``, ``["png"]``, ...
    dpi : int
        PNG resolution in dots per inch, at least 200 (a 13.33 x 7.5 in figure at 200 dpi is
        2666 x 1500 pixels).

    Returns
    -------
    list of Path
        The files written, figures.md last.
    """
    formats = parse_formats(formats)
    if not isinstance(dpi, int) or dpi < MIN_DPI:
        raise ParameterError(f"dpi={dpi!r} is too low for slides; expected a whole number >= "
                             f"{MIN_DPI}.")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with house_style():
        for item in figure_set.figures:
            for fmt in formats:
                path = folder / f"{item.name}.{fmt}"
                buffer = io.BytesIO()
                item.figure.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
                write_atomic(path, buffer.getvalue())
                written.append(path)
    index = folder / "figures.md"
    write_text_atomic(index, figures_markdown(figure_set, formats, dpi))
    return [*written, index]


def figures_markdown(figure_set: FigureSet, formats: Sequence[str] = FORMATS,
                     dpi: int = MIN_DPI) -> str:
    """The text of figures.md: per figure its files, alt text and numbered sources."""
    width, height = SLIDE_SIZE
    lines = ["# Figures", "",
             f"Evidence version {figure_set.version or 'unversioned'}"
             + (f" (content {figure_set.content_hash[:12]})" if figure_set.content_hash else "")
             + f", built {figure_set.built.isoformat()}. Each figure is {width} x {height} in "
             f"(16:9 slide size); PNG files at {dpi} dpi.", ""]
    for item in figure_set.figures:
        files = ", ".join(f"[{item.name}.{fmt}]({item.name}.{fmt})" for fmt in formats)
        lines += [f"## {item.title}", "", f"Files: {files}", "", f"Alt text: {item.alt}", "",
                  "Sources:", ""]
        lines += [f"{i}. {citation}" for i, citation in enumerate(item.citations, 1)] or ["none"]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- the figures of the set

def _forest(evidence: Evidence, endpoint: str) -> NamedFigure:
    summary = class_summary(evidence, endpoint=endpoint)
    table = forest_rows_for(evidence, summary)
    fig, alt = forest_plot(table, summary)
    rates = table["rate"].dropna()
    title = (f"{endpoint} {percent_range(rates.min(), rates.max())} across {len(table)} trial "
             f"results in {table['class_id'].nunique()} therapy classes")
    return NamedFigure(f"forest_{endpoint.lower()}", title, fig, alt,
                       _citations(evidence, table["source_id"]))


def _ranges(evidence: Evidence) -> NamedFigure:
    checks = check_reported_ranges(evidence)
    trials = ranges_trials(evidence, checks)
    fig, alt = ranges_plot(checks, trials, class_names=name_map(evidence.classes, "class_id", "name"),
                           source_labels=name_map(evidence.sources, "source_id", "label"))
    verdicts = checks["verdict"].value_counts()
    title = "Stated ranges vs trial data: " + ", ".join(
        f"{count} {verdict}" for verdict, count in verdicts.items())
    sources = pd.concat([checks["source_id"], trials["source_id"]])
    return NamedFigure("stated_ranges", title, fig, alt, _citations(evidence, sources))


def _eligibility(evidence: Evidence, profile: PatientProfile) -> NamedFigure:
    options = eligible_options(evidence, profile)
    label = describe_profile(profile)
    if profile == EXAMPLE_PROFILE:
        label = f"example patient with {label}"
    fig, alt = eligibility_plot(options, profile_label=label,
                                source_labels=name_map(evidence.sources, "source_id", "label"))
    counts = options["status"].value_counts()
    who = "the example patient" if profile == EXAMPLE_PROFILE else "this profile"
    title = f"Options for {who}: " + ", ".join(
        f"{counts.get(status, 0)} {words}" for status, words in
        (("eligible", "eligible"), ("check", "to check"), ("not_eligible", "not eligible")))
    return NamedFigure("eligibility", title, fig, alt, _citations(evidence, options["source_id"]))


def _citations(evidence: Evidence, source_ids: Iterable[Any]) -> tuple[str, ...]:
    cited = name_map(evidence.sources, "source_id", "citation")
    ids = dict.fromkeys(str(s) for s in source_ids if not pd.isna(s))
    return tuple(cited.get(s, s) for s in ids)
