"""The educators' figure set as slide-sized PNG and SVG, drawn from the analysis tables it is given.

:func:`build_figures` takes the :class:`~lymphoma_evidence.analysis.frames.AnalysisTables` that
:func:`lymphoma_evidence.analysis.tables.analysis_tables` computes once, picks the rows each figure shows
and hands them to the drawing functions of :mod:`.charts` and :mod:`.directness`. Nothing here calls the
analysis.

Output is deterministic: the same evidence gives the same bytes. SVG ids use a fixed hash salt, no
creation dates are written into the files, and the date printed in figures.md (and on the title
slide of the deck) is today's unless ``SOURCE_DATE_EPOCH`` is set.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.frames import ANY_CLASS, AnalysisTables, TopicWords
from ..errors import ParameterError, UsageError
from ..fileio import write_atomic, write_text_atomic
from ..formatting import build_date, percent
from .charts import describe_profile, eligibility_plot, name_map, ranges_plot
from .style import SLIDE_SIZE, house_style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
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



#: Every figure the set can make, in the order of the set: name -> what it shows.
FIGURE_NAMES: dict[str, str] = {
    "forest_orr_direct": "the main response measure (measures.csv lead_order 1) after CAR-T failure: "
                         "post-CAR-T and partly post-CAR-T studies",
    "forest_cr_direct": "the next response measure (measures.csv display order) after CAR-T failure",
    "forest_orr_indirect": "the main response measure in people who had not had CAR-T or whose share was "
                           "not reported",
    "forest_cr_indirect": "the next response measure in the same indirect populations",
    "outcomes_after_car_t": "survival 12 months after CAR-T failure, by first treatment",
    "harms": "serious side effects by option (direct evidence in colour)",
    "eligibility": "options for the example patient, by eligibility",
    "stated_ranges": "ranges stated by reviews vs the trials (for analysts; not in the default set)",
}
#: The figures made when none are named (the analyst-only chart is left out).
DEFAULT_FIGURES = tuple(n for n in FIGURE_NAMES if n != "stated_ranges")
_DIRECT_ONLY = ("forest_orr_direct", "forest_cr_direct", "outcomes_after_car_t", "harms", "eligibility")


def parse_names(names: str | Iterable[str] | None) -> tuple[str, ...]:
    """Figure names from ``"forest_orr_direct,harms"`` or a list (None or empty: the default set).

    Raises
    ------
    UsageError
        For a name that is not in :data:`FIGURE_NAMES` (a :class:`ParameterError`; the CLI exits 2).
    """
    if not names:
        return DEFAULT_FIGURES
    items = names.split(",") if isinstance(names, str) else [p for n in names for p in str(n).split(",")]
    wanted = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    unknown = [n for n in wanted if n not in FIGURE_NAMES]
    if unknown or not wanted:
        raise UsageError(f"unknown figure name(s) {', '.join(unknown) or repr(names)}; expected some of: "
                             f"{', '.join(FIGURE_NAMES)} (comma-separated).")
    return wanted


def build_figures(tables: AnalysisTables, names: Iterable[str] | str | None = None, *,
                  post_car_t_only: bool = False,
                  progress: Callable[[str], None] | None = None) -> FigureSet:
    """The figures of the set, in the order of :data:`FIGURE_NAMES`.

    Parameters
    ----------
    tables : AnalysisTables
        From :func:`lymphoma_evidence.analysis.tables.analysis_tables`; its ``profile`` is the patient of
        the eligibility overview (None leaves it out), and ``stated_ranges`` needs its range checks.
    names : str or iterable of str, optional
        Figures to make (see :data:`FIGURE_NAMES`); default :data:`DEFAULT_FIGURES`.
    post_car_t_only : bool
        Only figures of direct evidence (no indirect forest plots; side effects from post-CAR-T
        cohorts only).
    progress : callable, optional
        Called with one line per figure as it is drawn (the CLI prints it).

    Figures without data (e.g. no side effects in the evidence) are left out rather than drawn empty.

    Raises
    ------
    ParameterError
        When ``tables`` is not an :class:`AnalysisTables`, or ``stated_ranges`` is asked for from tables
        made without the range checks.
    """
    if not isinstance(tables, AnalysisTables):
        raise ParameterError(f"tables must be the AnalysisTables of analysis_tables(evidence); got "
                             f"{type(tables).__name__}.")
    wanted = [n for n in FIGURE_NAMES if n in parse_names(names)]
    if post_car_t_only:
        wanted = [n for n in wanted if n in _DIRECT_ONLY]
    if tables.profile is None and "eligibility" in wanted:
        wanted.remove("eligibility")
    if "stated_ranges" in wanted and tables.range_checks is None:
        raise ParameterError("the stated_ranges figure needs the range checks; make the tables with "
                             "analysis_tables(evidence, stated_ranges=True).")
    context = _Context(tables, post_car_t_only)
    figures = []
    for name in wanted:
        if progress:
            progress(f"drawing {name} ({FIGURE_NAMES[name]})")
        item = _MAKERS[name](context, name)
        if item is not None:
            figures.append(item)
        elif progress:
            progress(f"  skipped {name}: no data for it in the evidence")
    return FigureSet(tuple(figures), tables.version, tables.content_hash, build_date())


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Formats from ``"png,svg"`` or a list, lower-cased, duplicates dropped, each checked."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = tuple(dict.fromkeys(str(f).strip().lower().lstrip(".") for f in items if str(f).strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(f"format {','.join(unknown) or repr(formats)} is not supported; expected "
                         f"one or more of {', '.join(FORMATS)}, comma-separated (e.g. png,svg).")
    return wanted


def export_figures(figure_set: FigureSet, out_dir: Path | str,
                   formats: str | Iterable[str] = FORMATS, dpi: int = MIN_DPI,
                   progress: Callable[[str], None] | None = None) -> list[Path]:
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
    progress : callable, optional
        Called with one line per file as it is written.

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
                if progress is not None:
                    progress(f"wrote {path}")
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

@dataclass(frozen=True)
class _Context:
    tables: AnalysisTables
    post_car_t_only: bool

    @property
    def studies(self) -> pd.DataFrame:
        return self.tables.studies

    @property
    def pooled(self) -> pd.DataFrame:
        return self.tables.pooled

    @property
    def numbers(self) -> pd.DataFrame:
        return self.tables.numbers

    @property
    def class_names(self) -> dict[str, str]:
        return name_map(self.tables.classes, "class_id", "name")

    @property
    def source_labels(self) -> dict[str, str]:
        return name_map(self.tables.sources, "source_id", "label")

    def citations(self, source_ids: Iterable[Any]) -> tuple[str, ...]:
        """The full citations of ``source_ids`` as readers see them, in order, each once."""
        return citations(self.tables.sources, source_ids)

    def option_classes(self) -> set[str]:
        """Classes that are options after CAR-T failure (not the therapy that failed)."""
        classes = self.tables.classes
        if "role" in classes.columns:
            classes = classes[classes["role"].astype("string").fillna("option") != "context"]
        return set(classes["class_id"])


_DIRECT_STRATA, _INDIRECT_STRATA = ("post_car_t", "partly"), ("car_t_naive", "unknown")


def _response_of(words: TopicWords, name: str) -> str:
    """The response measure a forest plot of the set shows: ``forest_orr_*`` the main one (measures.csv
    ``lead_order`` 1), ``forest_cr_*`` the next response measure in display order ("" when none)."""
    main = words.response_measure
    if "_orr_" in name:
        return main
    others = [m for m in words.responses if m != main]
    return others[0] if others else ""


def _forest(ctx: _Context, name: str) -> NamedFigure | None:
    from .directness import directness_forest_plot

    endpoint = _response_of(ctx.tables.words, name)
    if not endpoint:
        return None
    direct = name.endswith("_direct")
    strata = _DIRECT_STRATA if direct else _INDIRECT_STRATA
    studies = ctx.studies[(ctx.studies["endpoint"] == endpoint) & ctx.studies["stratum"].isin(strata)
                          & ctx.studies["class_id"].isin(ctx.option_classes())]
    if studies.empty:
        return None
    after = studies[studies["stratum"] == "post_car_t"]  # only they are "after CAR-T failure"
    people = int(after["n"].sum())
    k = after["population_key"].nunique()
    words = ctx.tables.words.headings.get(endpoint, endpoint).lower()
    if direct and k:
        title = (f"After CAR-T failure, {k} {'study reports' if k == 1 else 'studies report'} {words} "
                 f"rates in {people} people")
        subtitle = "Every patient (top) or some patients (Partly) had CAR T-cell therapy before"
    elif direct:
        title = f"Partly after CAR-T: {words} figures from trials in which some patients had CAR-T"
        subtitle = "Some patients (Partly) had CAR T-cell therapy before"
    else:
        title = f"Most {words} figures come from people who had not had CAR-T, or not reported"
        subtitle = ("Indirect evidence, shown grey: these trials do not tell us how well the treatment "
                    "works after CAR-T")
        if len(ctx.studies[(ctx.studies["endpoint"] == endpoint)
                           & ctx.studies["stratum"].isin(_DIRECT_STRATA)]) >= len(studies):
            title = f"Indirect {words} figures: people who had not had CAR-T, or not reported"
    fig, alt = directness_forest_plot(studies, ctx.pooled, endpoint=endpoint, title=title,
                                      subtitle=subtitle, class_names=ctx.class_names, strata=strata)
    return NamedFigure(name, title, fig, alt, ctx.citations(studies["source_id"]))


def _outcomes(ctx: _Context, name: str) -> NamedFigure | None:
    from .directness import outcomes_plot

    words = ctx.tables.words
    measures = {m: words.headings.get(m, m) for m in words.figure_measures.get("outcomes", ())}
    rows = ctx.numbers[(ctx.numbers["stratum"] == "post_car_t")
                       & ctx.numbers["measure"].isin(measures) & (ctx.numbers["class_id"] != ANY_CLASS)]
    if rows.empty:
        return None
    last = list(measures)[-1]
    ordered = rows[rows["measure"] == last].sort_values("rate")
    if len(ordered) >= 2:
        low, high = ordered.iloc[0], ordered.iloc[-1]
        title = (f"After CAR-T failure, {percent(low['rate'])} to {percent(high['rate'])} "
                 f"{words.sentences.get(last, last)}, among those given each treatment")
    else:
        title = f"{words.headings.get(last, last)} after CAR-T failure, by the treatment given next"
    fig, alt = outcomes_plot(ctx.numbers, ctx.class_names, ctx.source_labels, title=title,
                             measures=measures)
    sources = [s.strip() for ids in rows["source_ids"] for s in str(ids).split(";")]
    return NamedFigure(name, title, fig, alt, ctx.citations(sources))


def _harms(ctx: _Context, name: str) -> NamedFigure | None:
    from .directness import harms_plot

    numbers = ctx.numbers[ctx.numbers["class_id"].isin(ctx.option_classes())]
    if ctx.post_car_t_only:
        numbers = numbers[numbers["stratum"] == "post_car_t"]
    words = ctx.tables.words
    events = {m: words.headings.get(m, m) for m in words.figure_measures.get("harms", ())}
    rows = numbers[numbers["measure"].isin(events) & numbers["rate"].notna()]
    if rows.empty:
        return None
    title = "Serious side effects differ between the options after CAR-T"
    fig, alt = harms_plot(numbers, ctx.class_names, ctx.source_labels, title=title, events=events,
                          shorts=words.shorts)
    sources = [s.strip() for ids in rows["source_ids"] for s in str(ids).split(";")]
    return NamedFigure(name, title, fig, alt, ctx.citations(sources))


def _ranges(ctx: _Context, name: str) -> NamedFigure | None:
    checks, trials = ctx.tables.range_checks, ctx.tables.range_trials
    if checks is None or trials is None or checks.empty:
        return None
    fig, alt = ranges_plot(checks, trials, class_names=ctx.class_names, source_labels=ctx.source_labels)
    verdicts = checks["verdict"].value_counts()
    title = "Stated ranges vs trial data: " + ", ".join(
        f"{count} {verdict}" for verdict, count in verdicts.items())
    sources = pd.concat([checks["source_id"], trials["source_id"]])
    return NamedFigure(name, title, fig, alt, ctx.citations(sources))


def _short_reason(reason: str) -> str:
    """The deciding reason as the chart shows it: the first one, without the list of what was met."""
    first = reason.split("; ")[0]
    return "meets every listed criterion" if first.startswith("meets every listed") else first


def _eligibility(ctx: _Context, name: str) -> NamedFigure | None:
    options, profile = ctx.tables.options, ctx.tables.profile
    if options is None or options.empty:
        return None
    shown = options.assign(reasons=[  # the deciding reason, or for an option that fits, its caveat
        [f"fits, but {caveat.replace('may still be', 'may be')}" if caveat else _short_reason(str(reason))]
        for reason, caveat in zip(options["reasons"], options["caveat"], strict=True)])
    label = describe_profile(profile)
    if ctx.tables.example_profile:
        label = f"example patient with {label}"
    fig, alt = eligibility_plot(shown, profile_label=label, source_labels=ctx.source_labels)
    agents = "; ".join(f"{o['name']}: {o['agents']}" for o in options.to_dict("records") if o["agents"])
    alt += f" Agents beneath each option: {agents}." if agents else ""
    counts = options["status"].value_counts()
    who = "the example patient" if ctx.tables.example_profile else "this patient"  # possessive below
    fits = counts.get("eligible", 0)
    title = f"{fits} of {len(options)} options fit {who}'s listed criteria"
    if options["caveat"].astype(bool).any():
        title += "; fitting is not working well"
    caveat_ids = [s for ids in options["caveat_source_ids"] for s in str(ids).split("; ") if s]
    sources = [*options["source_id"], *caveat_ids]
    return NamedFigure(name, title, fig, alt, ctx.citations(sources))


_MAKERS: dict[str, Callable[[_Context, str], NamedFigure | None]] = {
    "forest_orr_direct": _forest, "forest_cr_direct": _forest, "forest_orr_indirect": _forest,
    "forest_cr_indirect": _forest, "outcomes_after_car_t": _outcomes, "harms": _harms,
    "eligibility": _eligibility, "stated_ranges": _ranges,
}


def reader_citation(source: dict[str, Any]) -> str:
    """A citation as readers see it: the ``reader_citation`` the analysis tables give each source
    (:func:`~lymphoma_evidence.analysis.citations.reader_citation`: curators' bracketed notes removed, the
    PMID or DOI added); the citation as written for a source row without one."""
    shown = source.get("reader_citation")
    return shown if isinstance(shown, str) and shown else str(source.get("citation", ""))


def citations(sources: pd.DataFrame, source_ids: Iterable[Any]) -> tuple[str, ...]:
    """The :func:`reader_citation` of each of ``source_ids`` (rows of ``sources``), in order, each once;
    an id without a row is shown as itself."""
    by_id = {str(r["source_id"]): r for r in sources.to_dict("records")}
    ids = dict.fromkeys(str(s) for s in source_ids if not pd.isna(s))
    return tuple(reader_citation(by_id[s]) if s in by_id else s for s in ids)
