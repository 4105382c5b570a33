"""Show figures in notebooks and HTML reports as images that carry their alt text."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Resolution of figures embedded in reports: sharp on high-density screens, files stay small.
HTML_DPI = 150
#: Environment variable naming the folder of figures rendered during one report build (set by the build
#: for its kernels, emptied at the start of every build).
FIGURE_CACHE_ENV = "LYMPHOMA_EVIDENCE_FIGURES"


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


def _fingerprint(value: object) -> bytes | None:
    """Bytes that identify an argument of a drawing function, or ``None`` when it cannot be keyed."""
    import pandas as pd

    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        try:
            hashed = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        except TypeError:  # unhashable cells (lists): the pickle identifies the frame instead
            hashed = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        header = repr((list(value.columns), [str(dtype) for dtype in value.dtypes]))
        return header.encode() + hashed
    content_hash = getattr(value, "content_hash", None)
    if isinstance(content_hash, str):  # an Evidence bundle: validated content is named by its hash
        return content_hash.encode() if content_hash else None
    if value is None or isinstance(value, str | int | float | bool | tuple | list | dict | frozenset) \
            or dataclasses.is_dataclass(value):
        return repr(value).encode()
    return None


def _call_key(draw: Callable, args: tuple, kwargs: dict, dpi: int) -> str | None:
    import matplotlib

    digest = hashlib.sha256(f"{draw.__module__}.{draw.__qualname__}|{dpi}".encode())
    digest.update(repr(sorted(matplotlib.rcParams.items())).encode())
    for value in (*args, *sorted(kwargs.items())):
        part = _fingerprint(value)
        if part is None:
            return None
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def cached_figure_html(draw: Callable[..., tuple], *args: object, dpi: int = HTML_DPI,
                       **kwargs: object) -> FigureHTML:
    """``figure_html(*draw(*args, **kwargs))``, drawn and rendered once per report build.

    Inside a build (``LYMPHOMA_EVIDENCE_FIGURES`` set), the rendering of a call with the same drawing
    function, arguments (DataFrames by content, evidence by content hash), ``dpi`` and rcParams is saved
    there and reused by every later report; the build empties the folder when it starts. Elsewhere, or
    when an argument cannot be keyed, the figure is drawn as usual.

    Parameters
    ----------
    draw : callable
        A chart function returning ``(figure, alt text)``.
    *args, **kwargs
        Its arguments.
    dpi : int
        Resolution of the PNG in dots per inch.
    """
    folder = os.environ.get(FIGURE_CACHE_ENV)
    key = _call_key(draw, args, kwargs, dpi) if folder else None
    path = Path(folder) / f"{key}.pickle" if folder and key else None
    if path is not None:
        try:
            cached = pickle.loads(path.read_bytes())
            if isinstance(cached, FigureHTML):
                return cached
        except Exception:
            pass
    fig, alt = draw(*args, **kwargs)
    rendered = figure_html(fig, alt, dpi=dpi)
    if path is not None:
        from ..fileio import write_atomic

        try:
            write_atomic(path, pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # the cache only saves time; a report never fails for it
    return rendered
