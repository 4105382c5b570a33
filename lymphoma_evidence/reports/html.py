"""Small HTML fragments for reports, escaped by default: text from the evidence is data, never markup.

:class:`Fragment` is a :class:`markupsafe.Markup`: joining a plain ``str`` to it, or passing one to any
function here, escapes it; only fragments (and objects with ``__html__``) count as markup. Build markup
with ``Fragment("<p>{}</p>").format(text)``, which escapes ``text``. A fragment shows itself as HTML in
notebooks (``_repr_html_``) and as plain text in a console.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup

SAFE_SCHEMES = ("https://", "http://")


class Fragment(Markup):
    """A piece of trusted HTML; ``+``, ``join`` and ``format`` escape any plain text they are given."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(plain_text(self))


def plain_text(markup: str) -> str:
    """The readable text of an HTML fragment: tags dropped, entities decoded, one line per block."""
    spaced = re.sub(r"</(p|li|h[1-6]|tr|caption|section|div)>", "\n", str(markup))
    spaced = re.sub(r"</t[dh]>", " | ", spaced)
    flat = html.unescape(re.sub(r"<[^>]+>", "", spaced))
    return "\n".join(line.strip() for line in flat.splitlines() if line.strip())


def esc(value: Any) -> Fragment:
    """Escape any value for HTML text or attribute use; missing values become an empty fragment.

    A fragment (or any object with ``__html__``) is already markup and passes unchanged.
    """
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return Fragment("")
    if hasattr(value, "__html__"):
        return Fragment(value.__html__())
    return Fragment(html.escape(str(value), quote=True))


def breakable(value: Any) -> Fragment:
    """Escaped text where identifiers may wrap after each ``_`` (``<wbr>``), so that a long id such as
    ``zuma1_locke2019_prior_analysis_orr`` fits a phone screen and a printed column."""
    return Fragment(str(esc(value)).replace("_", "_<wbr>"))


def concat(parts: Iterable[Any]) -> Fragment:
    """Join parts into one fragment; plain text among them is escaped."""
    return Fragment("").join(esc(p) for p in parts)


def tag(name: str, content: Any, **attrs: Any) -> Fragment:
    """``<name attrs>content</name>``; plain-text ``content`` and attribute values are escaped."""
    rendered = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return Fragment(f"<{name}{rendered}>{esc(content)}</{name}>")


def text(value: Any) -> Fragment:
    """Escaped text as a fragment."""
    return Fragment(esc(value))


def para(*parts: Any, cls: str = "") -> Fragment:
    """A paragraph of fragments and text (text is escaped)."""
    return tag("p", concat(parts), **({"class_": cls} if cls else {}))


def link(url: Any, label: Any, printed: bool = False) -> Fragment:
    """A link when ``url`` is http(s), otherwise the escaped label alone (no other scheme is ever linked).

    ``printed=True`` gives the link its address as a reader types it (``data-address``, see
    :func:`typed_address`), which printed pages show after the link's words.
    """
    if isinstance(url, str) and url.startswith(SAFE_SCHEMES):
        if printed:
            return tag("a", esc(label), href=url, data_address=typed_address(url))
        return tag("a", esc(label), href=url)
    return text(label)


def typed_address(url: str) -> str:
    """A web address as a reader types it: no scheme, no ``www.``, no closing slash
    (``"https://www.example.org/a/" -> "example.org/a"``)."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def bullets(items: Iterable[Any], ordered: bool = False) -> Fragment:
    """A list of fragments and text (text is escaped)."""
    body = concat(Fragment("<li>{}</li>").format(item) for item in items)
    return Fragment(f"<{'ol' if ordered else 'ul'}>{body}</{'ol' if ordered else 'ul'}>")


def heading(level: int, content: Any) -> Fragment:
    """An escaped heading ``<hN>``; a section heading (h2) gets an id from its words (:func:`anchor`), so a
    page's table of contents can link to it."""
    if level == 2:
        return Fragment('<h2 id="{}">{}</h2>').format(anchor(content), content)
    return tag(f"h{level}", esc(content))


def anchor(text: Any) -> str:
    """An id made of the words of ``text``: ``"Who each option is for"`` -> ``"s-who-each-option-is-for"``."""
    words = re.findall(r"[a-z0-9]+", plain_text(str(esc(text))).lower())
    return "s-" + "-".join(words[:8])


def table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    caption: str = "",
    formatters: dict[str, Callable[[pd.Series], Any]] | None = None,
    notes: Sequence[str] = (),
    empty: str = "",
) -> Fragment:
    """An accessible HTML table of ``frame``; an empty ``frame`` gives one sentence instead.

    Parameters
    ----------
    columns
        ``(header, key)`` pairs: the column header shown, and the frame column whose value is shown
        (escaped) unless ``formatters[key]`` builds the cell from the whole row (a fragment is kept as
        markup; plain text is escaped).
    caption
        Table caption (escaped). ``notes`` become numbered footnotes under the table.
    empty
        The sentence shown instead of a table without rows (what is missing); default names the caption.

    Each cell carries its column header as ``data-label``: on a narrow screen the stylesheet shows every
    row as a stacked card of "header: value" lines instead of a table wider than the screen.
    """
    if frame.empty:
        what = empty or f"The evidence has no rows for \u201c{caption or 'this table'}\u201d here."
        return Fragment(f'<p class="empty-table">{esc(what)}</p>')
    formatters = formatters or {}
    head = "".join(f'<th scope="col">{esc(header)}</th>' for header, _ in columns)
    labels = [esc(header) for header, _ in columns]
    rows = []
    for _, row in frame.iterrows():
        cells = [esc(formatters[key](row)) if key in formatters else breakable(row.get(key))
                 for _, key in columns]
        rows.append("<tr>" + "".join(f'<td data-label="{label}">{c}</td>'
                                     for label, c in zip(labels, cells, strict=True)) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    foot = bullets([text(n) for n in notes], ordered=True) if notes else ""
    body = "".join(rows)
    return Fragment(f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
                    f"<tbody>{body}</tbody></table>{foot}</div>")
