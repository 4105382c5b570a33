"""Citations as readers see them: curators' bracketed notes never reach a reader.

A curator writes what is still to complete inside square brackets in ``sources.citation``
("[Authors not verified]", "[... IDENTIFIER TO COMPLETE]", "[title truncated in the address; ...]").
:func:`reader_citation` gives the citation without them (and with its PMID or DOI when the text lacks
it); :func:`citations_to_complete` lists the sources that still carry such a note, for the analyst audit.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["CURATOR_NOTE", "plain_citation", "reader_citation", "reader_sources", "citations_to_complete"]

#: A curator's note inside a citation: any text in square brackets.
CURATOR_NOTE = re.compile(r"\s*\[[^\]]*\]")


def plain_citation(text: object) -> str:
    """``text`` without curators' bracketed notes and the punctuation they leave behind, e.g.
    ``"[Authors not verified]. Polatuzumab ... [exact title not verified]. Blood Adv."`` ->
    ``"Polatuzumab .... Blood Adv."``."""
    cleaned = CURATOR_NOTE.sub("", "" if pd.isna(text) else str(text))
    cleaned = re.sub(r"^\s*[.,;:]\s*", "", cleaned)          # a note that opened the citation
    cleaned = re.sub(r"\s+([.,;:])", r"\1", cleaned)         # a space left before punctuation
    cleaned = re.sub(r"([.,;:])(?:\s*[.,;:])+", r"\1", cleaned)  # punctuation doubled by a removed note
    return re.sub(r"\s{2,}", " ", cleaned).strip()


def reader_citation(source: dict[str, Any]) -> str:
    """A citation as readers see it: :func:`plain_citation`, then the PMID or DOI when the text lacks it,
    e.g. ``"Polatuzumab vedotin plus ... Blood Adv. doi:10.1182/..."``."""
    text = plain_citation(source.get("citation", "")).strip(" .")
    ids = []
    pmid, doi = source.get("pmid"), source.get("doi")
    if pmid is not None and not pd.isna(pmid) and str(pmid) not in text:
        ids.append(f"PMID {pmid}")
    if isinstance(doi, str) and doi not in text:
        ids.append(f"doi:{doi}")
    return ". ".join([text, *ids]) + "."


def reader_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``sources`` whose ``citation`` column is each source's :func:`reader_citation`: the table
    drawing modules are handed, so that no curator's note reaches a figure or slide."""
    shown = sources.copy()
    shown["citation"] = [reader_citation(r) for r in sources.to_dict("records")]
    return shown


def citations_to_complete(sources: pd.DataFrame) -> pd.DataFrame:
    """Sources whose citation still carries a curator's bracketed note (what to complete).

    Returns columns ``source_id, label, to_complete`` (the notes, "; "-joined), in sources.csv order.
    """
    notes = sources["citation"].astype("string").fillna("").map(
        lambda text: "; ".join(n.strip(" []") for n in CURATOR_NOTE.findall(str(text))))
    flagged = notes.ne("").to_numpy()
    return sources.loc[flagged, ["source_id", "label"]].assign(to_complete=notes[flagged]) \
        .reset_index(drop=True)
