"""Show figures in notebooks and HTML reports as images that carry their alt text."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Resolution of figures embedded in reports: sharp on high-density screens, files stay small.
HTML_DPI = 150


@dataclass(frozen=True)
class FigureHTML:
    """A rendered figure: PNG bytes plus alt text; Jupyter displays it as an ``<img>`` with ``alt``."""

    png: bytes
    alt: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
                'style="max-width:100%;height:auto">')

    def __str__(self) -> str:
        return self._repr_html_()

    def __html__(self) -> str:
        """Markup for :mod:`markupsafe` (a report section embeds the image as is)."""
        return self._repr_html_()


def figure_html(fig: Figure, alt: str, dpi: int = HTML_DPI) -> FigureHTML:
    """Render ``fig`` as a PNG for a notebook or HTML report, with ``alt`` as its alt text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. the first item a :mod:`lymphoma_evidence.figures.charts` function returns.
    alt : str
        What the chart shows, in words (escaped for HTML here).
    dpi : int
        Resolution of the PNG in dots per inch.

    Returns
    -------
    FigureHTML
        An object with ``_repr_html_`` (the last expression of a cell displays it).
    """
    from ..figures.style import house_style

    buffer = io.BytesIO()
    with house_style():
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return FigureHTML(buffer.getvalue(), alt)
