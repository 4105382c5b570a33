"""One chart, or the teaching deck, straight from the evidence: the analysis call and the drawing in one step.

For notebooks and the public API (``figure_html(*forest_figure(load_evidence(), "ORR"))``). Each function
runs the analysis it needs and hands the tables to a drawing function of :mod:`lymphoma_evidence.figures`,
which never calls the analysis itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.eligibility import PatientProfile, eligible_options
from ..analysis.selections import forest_rows_for, ranges_trials
from ..analysis.strata import STRATUM_LABELS
from ..analysis.summaries import check_reported_ranges, class_summary
from ..analysis.tables import EXAMPLE_PROFILE, analysis_tables
from ..analysis.topic import check_endpoint, measure_words
from ..figures.charts import describe_profile, eligibility_plot, forest_plot, name_map, ranges_plot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data.evidence import Evidence

__all__ = ["eligibility_figure", "forest_figure", "ranges_figure", "write_deck"]


def forest_figure(evidence: Evidence, endpoint: str | None = None, post_car_t: bool | None = None,
                  ) -> tuple[Figure, str]:
    """:func:`~lymphoma_evidence.figures.charts.forest_plot` of ``evidence`` for one endpoint (a response
    measure of measures.csv; None: the topic's first in display order).

    ``post_car_t`` selects the studies as ``class_summary`` does; with ``None`` the post-CAR-T
    subgroups are shown too (marked), but the diamonds pool whole populations only.
    """
    endpoint = check_endpoint(evidence, endpoint)
    summary = class_summary(evidence, endpoint=endpoint, post_car_t=post_car_t)
    summary = summary.assign(stratum_label=summary["stratum"].map(STRATUM_LABELS))
    words = measure_words(evidence, "axis").get(endpoint)
    return forest_plot(forest_rows_for(evidence, summary, post_car_t), summary, endpoint_words=words)


def ranges_figure(evidence: Evidence) -> tuple[Figure, str]:
    """:func:`~lymphoma_evidence.figures.charts.ranges_plot` of every stated range in ``evidence``, with the
    trials behind each."""
    checks = check_reported_ranges(evidence)
    return ranges_plot(checks, ranges_trials(evidence, checks),
                       class_names=name_map(evidence.classes, "class_id", "name"),
                       source_labels=name_map(evidence.sources, "source_id", "label"))


def eligibility_figure(evidence: Evidence, profile: PatientProfile) -> tuple[Figure, str]:
    """:func:`~lymphoma_evidence.figures.charts.eligibility_plot` of the options
    ``eligible_options(evidence, profile)`` returns."""
    return eligibility_plot(eligible_options(evidence, profile),
                            profile_label=describe_profile(profile),
                            source_labels=name_map(evidence.sources, "source_id", "label"))


def write_deck(evidence: Evidence, out_path: Path | str, *, title: str | None = None,
               profile: PatientProfile | None = EXAMPLE_PROFILE, post_car_t_only: bool = False,
               progress: Callable[[str], None] | None = None) -> Path:
    """The teaching deck of ``evidence`` written to ``out_path``: :func:`analysis_tables` once, then
    :func:`lymphoma_evidence.figures.slides.write_deck` (see there for the parameters; ``title`` None is
    the topic's, texts.csv ``deck_title``)."""
    from ..figures import slides  # python-pptx: imported for a deck only, not by the report kernels

    return slides.write_deck(analysis_tables(evidence, profile), out_path, title=title,
                             post_car_t_only=post_car_t_only, progress=progress)
