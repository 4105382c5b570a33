"""Citations for patients: numbered markers, and a short source list in plain words with links.

The clinician reports list full journal citations; the patient aid lists each source as what it is
("A research study", "The official medicine information") with its short label, year and one link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import html as h
from .context import Citations

#: source_type -> what the source is, in plain words.
KIND_WORDS = {
    "trial_publication": "Research paper",
    "conference_abstract": "Short report from a medical meeting",
    "label": "Official medicine leaflet",
    "guideline": "Treatment guide",
    "review": "Summary of many studies",
    "article": "Web article",
    "registry_record": "Trial record",
    "agency_page": "Medicines regulator page",
    "patient_organisation": "Patient group page",
}


def plain_link(row: pd.Series) -> h.Fragment:
    """One link for a source: PubMed, then DOI, then its web address; empty when none is known. Printed
    pages show its address as a reader types it."""
    if pd.notna(row.get("pmid")):
        return h.link(f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/", "Read it on PubMed", printed=True)
    if pd.notna(row.get("doi")):
        return h.link(f"https://doi.org/{row['doi']}", "Read it online", printed=True)
    if pd.notna(row.get("url")):
        return h.link(row["url"], "Read it online", printed=True)
    return h.Fragment("")


def plain_label(label: str) -> str:
    """A source's short label without its bracketed parts (nested brackets included), where curators keep
    trial names and cohort codes: ``"Smith 2025 (TRIAL-1, cohort B)" -> "Smith 2025"``,
    ``"REGISTRY-2 (J Med 2024;8(20):5371)" -> "REGISTRY-2"``."""
    text, previous = str(label), None
    while text != previous:  # innermost brackets first, until none is left
        previous, text = text, re.sub(r"\s*\([^()]*\)", "", text)
    text = re.sub(r"\s*\[[^\]]*\]", "", text).strip()
    return text or str(label)


@dataclass
class PlainCitations(Citations):
    """Numbers sources in order of first citation; renders markers and the plain source list.

    Parameters
    ----------
    sources : pandas.DataFrame
        ``sources.csv`` (``source_id``, ``label``, ``year``, ``source_type``, ``pmid``, ``doi``, ``url``).
    """

    def cite(self, *source_ids: str) -> h.Fragment:
        """A superscript marker such as ``[1, 3]`` linking to the source list; unknown ids are skipped."""
        numbers = self.numbers(*source_ids)
        links = ", ".join(f'<a href="#src-{n}" aria-label="source {n}">{n}</a>' for n in numbers)
        return h.Fragment(f'<sup class="cite">[{links}]</sup>' if numbers else "")

    def source_list(self) -> h.Fragment:
        """The numbered sources: label, what it is, year, and one link each."""
        by_id = self.sources.set_index("source_id")
        items = []
        for number, source_id in enumerate(self.order, start=1):
            row = by_id.loc[source_id]
            kind = KIND_WORDS.get(str(row["source_type"]), "Source")
            label = plain_label(row["label"])
            year = str(int(row["year"])) if pd.notna(row.get("year")) else ""
            year = f", {year}" if year and year not in label else ""
            items.append(f'<li id="src-{number}">{h.esc(label)}. {h.esc(kind)}{year}. '
                         f"{plain_link(row)}</li>")
        return h.Fragment('<ol class="aid-sources">' + "".join(items) + "</ol>")
