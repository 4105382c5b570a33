"""Show figures in notebooks and HTML reports as images that carry their alt text."""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..data.shared import call_key, saved_or_computed
from ..paths import SHARED_CACHE_ENV

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Pixels per inch of figure a report shows: the size an image takes on the page (the image itself is
#: vector, sharp at any zoom).
HTML_DPI = 150
#: The size attributes matplotlib writes on the root element of an SVG (in points).
_SVG_SIZE = re.compile(rb'<svg([^>]*?) width="[0-9.]+pt" height="[0-9.]+pt"')


@dataclass(frozen=True)
class FigureHTML:
    """A rendered figure: SVG bytes plus alt text; Jupyter displays it as an ``<img>`` with ``alt``."""

    svg: bytes
    alt: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.svg).decode("ascii")
        return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
                'style="max-width:100%;height:auto">')

    def __str__(self) -> str:
        return self._repr_html_()

    def __html__(self) -> str:
        """Markup for :mod:`markupsafe` (a report section embeds the image as is)."""
        return self._repr_html_()


def figure_html(fig: Figure, alt: str, dpi: int = HTML_DPI) -> FigureHTML:
    """Render ``fig`` as an SVG image for a notebook or HTML report, with ``alt`` as its alt text.

    SVG rather than PNG (measured in benchmarks/RESULTS.md): 4-6x faster to write and about a tenth of
    the size, sharp at any zoom on a phone, and its words stay text in the file (``svg.fonttype: none``,
    drawn with the reader's sans-serif font). Inside an ``<img>`` that text is not selectable; the alt
    text says what the chart shows.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. the first item a :mod:`lymphoma_evidence.figures.charts` function returns.
    alt : str
        What the chart shows, in words (escaped for HTML here).
    dpi : int
        Pixels per inch of figure: the image's width and height on the page, as a PNG at this
        resolution would have.

    Returns
    -------
    FigureHTML
        An object with ``_repr_html_`` (the last expression of a cell displays it).
    """
    from ..figures.style import house_style

    buffer = io.BytesIO()
    with house_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    width, height = (round(float(size) * dpi) for size in fig.get_size_inches())
    svg = _SVG_SIZE.sub(rb'<svg\1 width="%d" height="%d"' % (width, height), buffer.getvalue(), count=1)
    return FigureHTML(svg, alt)


def _figure_key(draw: Callable, args: tuple, kwargs: dict, dpi: int) -> str | None:
    import matplotlib

    return call_key(draw, args, kwargs, salt=f"{dpi}|{sorted(matplotlib.rcParams.items())!r}")


def cached_figure_html(draw: Callable[..., tuple], *args: object, dpi: int = HTML_DPI,
                       **kwargs: object) -> FigureHTML:
    """``figure_html(*draw(*args, **kwargs))``, drawn and rendered once per report build.

    Inside a build (:mod:`lymphoma_evidence.data.shared`), the rendering of a call with the same drawing
    function, arguments (DataFrames by content, evidence by content hash), ``dpi`` and rcParams is saved
    and reused by every later report of the build. Elsewhere, or when an argument cannot be keyed, the
    figure is drawn as usual.

    Parameters
    ----------
    draw : callable
        A chart function returning ``(figure, alt text)``.
    *args, **kwargs
        Its arguments.
    dpi : int
        Resolution of the PNG in dots per inch.
    """
    def render() -> FigureHTML:
        fig, alt = draw(*args, **kwargs)
        return figure_html(fig, alt, dpi=dpi)

    key = _figure_key(draw, args, kwargs, dpi) if os.environ.get(SHARED_CACHE_ENV) else None
    return saved_or_computed(key, render, FigureHTML)
