"""Icon arrays: a row (or grid) of person figures, some filled, for numbers such as "about 4 out of 10".

The figures layer draws what it is given: a count out of a denominator and the words for both groups.
The two groups differ by shape and fill (solid figure with a dark outline, or an empty dashed outline),
never by colour alone, so the array reads in grey-scale print and with colour-vision deficiencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ParameterError
from .style import OKABE_ITO, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Denominators an icon array may use: one row of 10, or a grid of 10 rows of 10.
DENOMINATORS = (10, 100)
#: Figures per row: 10 for both, so a 100-figure grid is square and each figure is as wide as in a row of
#: 10 (readable on a 390 px phone).
PER_ROW = 10

#: Fill and outline of the two groups; ``hatch`` adds a pattern so fill is not the only cue.
MARKED = {"face": OKABE_ITO["blue"], "edge": "#0b2a4a", "hatch": "", "style": "solid"}
UNMARKED = {"face": "white", "edge": "#595959", "hatch": "", "style": "dashed"}
#: Harms use the vermillion of the house palette with a diagonal pattern.
MARKED_HARM = {"face": OKABE_ITO["vermillion"], "edge": "#5a2000", "hatch": "////", "style": "solid"}


@dataclass(frozen=True)
class IconArray:
    """What an icon array shows: ``count`` marked figures out of ``denominator``.

    Attributes
    ----------
    count : int
        Marked figures, 0 to ``denominator``.
    denominator : int
        10 or 100 figures in all.
    marked : str
        Who the marked figures are, in words, e.g. ``"people whose lymphoma shrank"``.
    unmarked : str
        Who the other figures are, e.g. ``"people whose lymphoma did not shrink"``.
    harm : bool
        Draw the marked figures in the harm style (vermillion with a pattern).
    """

    count: int
    denominator: int
    marked: str
    unmarked: str
    harm: bool = False

    def __post_init__(self) -> None:
        if self.denominator not in DENOMINATORS:
            raise ParameterError(f"Invalid denominator {self.denominator!r}. Expected one of: 10, 100.")
        if not 0 <= self.count <= self.denominator:
            raise ParameterError(f"count={self.count!r} is out of range; expected 0 to {self.denominator}.")

    def alt_text(self) -> str:
        """The numbers in words, e.g. ``"A row of 10 figures: 4 are people whose lymphoma shrank, and
        6 are people whose lymphoma did not shrink."``"""
        shape = "A row of 10 figures" if self.denominator == 10 else "100 figures in 10 rows of 10"
        rest = self.denominator - self.count
        return (f"{shape}: {self.count} {'is' if self.count == 1 else 'are'} {self.marked}, "
                f"and {rest} {'is' if rest == 1 else 'are'} {self.unmarked}.")


def _person(ax: Axes, x: float, y: float, scale: float, style: dict) -> None:
    """One upright person figure (a head above a rounded body) centred on ``(x, y)`` in axes data units,
    y growing upwards."""
    from matplotlib.patches import Circle, FancyBboxPatch

    common = {"facecolor": style["face"], "edgecolor": style["edge"], "hatch": style["hatch"] or None,
              "linewidth": 1.4, "linestyle": style["style"]}
    # add_artist, not add_patch: the axes limits are fixed, so the data limits add_patch would update
    # from each curve (half the time of an aid build) are never used; what is drawn is the same.
    ax.add_artist(Circle((x, y + 0.28 * scale), 0.15 * scale, **common))
    ax.add_artist(FancyBboxPatch((x - 0.22 * scale, y - 0.42 * scale), 0.44 * scale, 0.5 * scale,
                                 boxstyle=f"round,pad=0,rounding_size={0.12 * scale}", **common))


def icon_array_figure(array: IconArray, width_in: float = 3.4) -> tuple[Figure, str]:
    """Draw ``array``: marked figures first (left to right, top to bottom), then the others; 10 figures
    in one row, 100 in ten rows of 10. Figures stand upright: the y axis grows upwards and the first row
    is the top one.

    Parameters
    ----------
    array : IconArray
        The count, denominator and the words for both groups.
    width_in : float
        Width of the figure in inches; the height follows from the number of rows.

    Returns
    -------
    (matplotlib.figure.Figure, str)
        The figure (no text inside it: the words sit beside it in the report) and its alt text.
    """
    rows = array.denominator // PER_ROW
    cell = width_in / PER_ROW
    fig = new_figure((width_in, cell * rows * 1.05))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, PER_ROW)
    ax.set_ylim(0, rows)
    ax.set_aspect("equal")
    ax.axis("off")
    harm_or_help = MARKED_HARM if array.harm else MARKED
    for index in range(array.denominator):
        row, column = divmod(index, PER_ROW)
        style = harm_or_help if index < array.count else UNMARKED
        _person(ax, column + 0.5, rows - row - 0.5, 1.0, style)
    return fig, array.alt_text()
