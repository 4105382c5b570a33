"""Export executed notebooks to self-contained HTML with one reused nbconvert exporter.

The project template (``templates/lymphoma_report``) extends JupyterLab's ``lab`` template, hides input
code, embeds images, loads nothing from the network, inlines the project's stylesheet, and adds the
provenance header and the disclaimer to every report. The disclaimer appears once per page: cells tagged
``disclaimer`` (the notebooks' own disclaimer section, for readers in JupyterLab) are left out.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from ..vocabulary import DISCLAIMER, PATIENT_DISCLAIMER

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "lymphoma_report"
STYLESHEET = TEMPLATES / TEMPLATE_NAME / "report.css"
#: Cells with this tag are left out of built pages, whose header already shows the disclaimer.
DISCLAIMER_TAG = "disclaimer"


@dataclass(frozen=True)
class Provenance:
    """What every report states about how it was made.

    Attributes
    ----------
    build_date : str
        ``YYYY-MM-DD HH:MM UTC``; from ``SOURCE_DATE_EPOCH`` when set, for reproducible output.
    evidence_version : str
        The evidence data package version.
    evidence_hash : str
        Content hash (hex sha256) of the evidence tables and schema.
    project_version : str
        The lymphoma-evidence version.
    evidence_released : str
        The release date of ``evidence_version`` (``YYYY-MM-DD``, from the evidence CHANGELOG.md), or
        ``""`` when that version is not released.
    """

    build_date: str
    evidence_version: str
    evidence_hash: str
    project_version: str
    evidence_released: str = ""

    def page(self) -> dict[str, str]:
        """What the shared page header shows: every field, plus the dates in words."""
        from ..formatting import day_in_words

        return {**asdict(self), "build_day": day_in_words(self.build_date),
                "released_day": day_in_words(self.evidence_released), "disclaimer": DISCLAIMER}


def release_date(evidence: Path, version: str) -> str:
    """The date ``version`` was released (``YYYY-MM-DD``) per ``CHANGELOG.md`` in ``evidence``, or ``""``."""
    from ..analyst.changelog import CHANGELOG_FILE, read_changelog, release_dates

    return release_dates(read_changelog(Path(evidence) / CHANGELOG_FILE)).get(version, "")



@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The project's report stylesheet (inlined in every report and the index)."""
    return STYLESHEET.read_text(encoding="utf-8")


class ReportExporter:
    """One ``HTMLExporter`` configured with the project template, shared by every report of a build."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": {DISCLAIMER_TAG}}})
        self._exporter = HTMLExporter(config=config, template_name=TEMPLATE_NAME,
                                      extra_template_basedirs=[str(TEMPLATES)],
                                      exclude_input=True, exclude_input_prompt=True,
                                      exclude_output_prompt=True, embed_images=True)
        self._lock = threading.Lock()

    def export(self, notebook, title: str, provenance: Provenance, audience: str = "any") -> str:
        """Render an executed notebook (``nbformat.NotebookNode``) to a complete HTML document.

        ``audience="patient"`` gives the patient page frame: no hash or toolkit version, the date in words
        and one plain disclaimer at the foot.
        """
        notebook.metadata["title"] = title
        patient = audience == "patient"
        report: dict[str, object] = {**provenance.page(), "title": title, "css": stylesheet(),
                                     "patient": patient}
        if patient:
            report["disclaimer"] = PATIENT_DISCLAIMER
        resources = {"metadata": {"name": title}, "report": report}
        with self._lock:
            body, _ = self._exporter.from_notebook_node(notebook, resources=resources)
        return body
