"""The house style of every figure: colour-blind-safe colours, slide-sized canvases, readable fonts.

Figures are drawn at 16:9 slide size (13.33 x 7.5 in), so a PNG or SVG placed full-width on a
slide needs no rescaling and its text keeps the point sizes set here. matplotlib is imported only
when a figure is made, never at import time; pyplot is never used (no global state in kernels).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..formatting import percent as percent  # re-exported: one definition, in formatting
from ..formatting import percent_range as percent_range

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The Okabe-Ito palette (Okabe & Ito 2008): distinguishable with common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: What each colour means, so every figure uses the same colour for the same thing.
COLORS: dict[str, str] = {
    "all_patients": OKABE_ITO["blue"],
    "post_car_t": OKABE_ITO["vermillion"],
    "pooled": OKABE_ITO["black"],
    "stated": OKABE_ITO["orange"],
    "primary": OKABE_ITO["blue"],
    "eligible": OKABE_ITO["bluish_green"],
    "check": OKABE_ITO["orange"],
    "not_eligible": OKABE_ITO["vermillion"],
    "muted": "#595959",
    "indirect": "#8C8C8C",
    "grid": "#E3E3E3",
}

#: Slide size in inches (16:9, as PowerPoint's default widescreen slide).
SLIDE_SIZE: tuple[float, float] = (13.33, 7.5)

#: Font sizes in points at slide size (13.33 x 7.5 in): nothing below 14 pt, so a figure placed full
#: width on a slide stays readable when projected (the deck places figures at full width).
FONT_SIZES: dict[str, float] = {"title": 24, "base": 18, "small": 16, "min": 14}

#: Salt for the ids in SVG output, so the same figure always gives the same file.
SVG_HASHSALT = "lymphoma-evidence"
#: Height of one line of label text in a row chart, in multiples of the font size (matplotlib's line
#: spacing 1.2, plus air between rows).
ROW_LINE_SPACING = 1.35


def row_line_inches(size: float) -> float:
    """Inches one line of row-chart text at ``size`` points takes, so no two rows' labels overlap."""
    return size * ROW_LINE_SPACING / 72


def rc_params() -> dict[str, Any]:
    """matplotlib rcParams of the house style: no top/right spines or frames, Okabe-Ito colours."""
    from cycler import cycler

    return {
        "font.size": FONT_SIZES["base"],
        "axes.titlesize": FONT_SIZES["title"],
        "axes.titlelocation": "left",
        "axes.titlepad": 12,
        "axes.labelsize": FONT_SIZES["base"],
        "axes.labelcolor": "#222222",
        "axes.edgecolor": "#444444",
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())),
        "xtick.labelsize": FONT_SIZES["small"],
        "ytick.labelsize": FONT_SIZES["small"],
        "xtick.color": "#444444",
        "ytick.color": "#222222",
        "legend.frameon": False,
        "legend.fontsize": FONT_SIZES["small"],
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.dpi": 200,
        "svg.hashsalt": SVG_HASHSALT,
        "svg.fonttype": "none",  # text stays <text>: editable in PowerPoint and Inkscape
    }


@contextmanager
def house_style() -> Iterator[None]:
    """Context in which figures are drawn and saved in the house style.

    rcParams are read when artists are created and when files are written, so both the drawing and
    the export of a figure run inside this context.
    """
    import matplotlib

    with matplotlib.rc_context(rc_params()):  # type: ignore[arg-type]
        yield


def new_figure(size: tuple[float, float] = SLIDE_SIZE) -> Figure:
    """A new, unmanaged matplotlib Figure (object API, no pyplot), 16:9 slide size by default.

    Parameters
    ----------
    size : (float, float)
        Width and height in inches.
    """
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout=None)


def source_line(labels: Iterable[str]) -> str:
    """The text of a figure's source line: ``"Source: A; B."`` with duplicates and blanks dropped.

    Parameters
    ----------
    labels : iterable of str
        Short source labels (sources.csv ``label``), in the order they should appear.
    """
    cleaned = (str(label).strip() for label in labels if isinstance(label, str))
    unique = list(dict.fromkeys(label for label in cleaned if label))
    if not unique:
        return ""
    prefix = "Source: " if len(unique) == 1 else "Sources: "
    return prefix + "; ".join(unique) + "."


def add_source_line(fig: Figure, labels: Iterable[str]) -> float:
    """Write the source line under a figure, wrapped to its width, in small muted text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to annotate.
    labels : iterable of str
        Short source labels, as for :func:`source_line`.

    Returns
    -------
    float
        Height of the source block as a fraction of the figure height (0 when there are no
        labels), so the caller can keep its axes clear of it.
    """
    text = source_line(labels)
    if not text:
        return 0.0
    size = FONT_SIZES["min"]
    width_in, height_in = fig.get_size_inches()
    chars_per_line = max(40, int((width_in - 0.4) * 72 / (size * 0.6)))
    wrapped = textwrap.fill(text, chars_per_line)
    n_lines = wrapped.count("\n") + 1
    margin_in = 0.15
    fig.text(margin_in / width_in, margin_in / height_in, wrapped, fontsize=size,
             color=COLORS["muted"], ha="left", va="bottom", gid="source-line")
    return (2 * margin_in + n_lines * size * 1.25 / 72) / height_in
