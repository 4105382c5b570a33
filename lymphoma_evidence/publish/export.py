"""Export executed notebooks to self-contained HTML with one reused nbconvert exporter.

The project template (``templates/lymphoma_report``) extends JupyterLab's ``lab`` template, hides input
code, embeds images, loads nothing from the network, inlines the project's stylesheet, and adds the
provenance header and the disclaimer to every report. The disclaimer appears once per page: cells tagged
``disclaimer`` (the notebooks' own disclaimer section, for readers in JupyterLab) are left out.
"""

from __future__ import annotations

import re
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
        The release date of ``evidence_version`` (``YYYY-MM-DD``, see :func:`release_date`), or ``""``
        when that version is not released.
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
    """The date ``version`` was released (``YYYY-MM-DD``), or ``""``: the day of its release commit (found
    by its tag ``evidence-v<version>`` or, in a clone without tags, by its ``Evidence-Release`` trailer),
    or, in a copy without git, the date of its heading in ``CHANGELOG.md``
    (:func:`..analyst.release.release_record`)."""
    from ..analyst.release import release_record

    return release_record(Path(evidence), version).released



#: What nbconvert's closing accessibility pass adds, done on the text: outputs can take keyboard focus (a
#: wide table scrolls with the arrow keys), and an image without alternative text says it has none.
_OUTPUT_DIV = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*")')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
NO_ALT = "No description has been provided for this image"


def accessible_outputs(page: str) -> str:
    """``page`` with ``tabindex="0"`` on every output area and ``alt`` on every image that lacks one."""
    page = _OUTPUT_DIV.sub(r'\1 tabindex="0"', page)
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', page)


#: Tag of the cell papermill adds with a report's parameters; nbformat gives it a random id.
INJECTED_TAG = "injected-parameters"


def stable_cell_ids(notebook) -> None:
    """Give papermill's injected-parameters cell the id ``injected-parameters`` (nbformat draws a random
    one, which the page shows as ``id="cell-id=..."``), so that a build of the same inputs writes the same
    bytes. The other cells keep the ids committed with the notebook."""
    for cell in notebook.get("cells", []):
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", ()) and "id" in cell:
            cell["id"] = INJECTED_TAG


@lru_cache(maxsize=1)
def _exporter_class():
    """nbconvert's ``HTMLExporter``, its closing BeautifulSoup pass replaced by :func:`accessible_outputs`.

    That pass parses and re-serialises the whole page to add two attributes: measured on the project's
    reports it was three quarters of the export time (1.2 of 1.6 s for 15 reports), plus 0.4 s compiling
    CSS selectors once per build. The steps before it are ``HTMLExporter.from_notebook_node``'s own.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            highlight_code = self.filters.get("highlight_code",
                                              Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible_outputs(page), resources

    return ReportHTMLExporter


#: A section heading as the reports write it (``reports.html.heading``): its id and its words.
_SECTION_HEADING = re.compile(r'<h2 id="(s-[a-z0-9-]+)">(.*?)</h2>', re.S)
#: Pages with fewer sections than this get no table of contents.
CONTENTS_MIN_SECTIONS = 4


def contents(notebook) -> list[dict[str, str]]:
    """The page's sections, in order, for its table of contents: ``[{"id": ..., "title": ...}]`` from the
    section headings of the notebook's HTML outputs, cells tagged ``disclaimer`` aside (they are not on the
    page); empty for a page with few sections."""
    found: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        if DISCLAIMER_TAG in cell.get("metadata", {}).get("tags", []):
            continue  # left out of the page (its header shows the disclaimer)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            for anchor, title in _SECTION_HEADING.findall("".join(html) if isinstance(html, list) else html):
                found.setdefault(anchor, re.sub(r"<[^>]+>", "", title))
    if len(found) < CONTENTS_MIN_SECTIONS:
        return []
    return [{"id": anchor, "title": title} for anchor, title in found.items()]


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The project's report stylesheet (inlined in every report and the index)."""
    return STYLESHEET.read_text(encoding="utf-8")


class ReportExporter:
    """One ``HTMLExporter`` configured with the project template, shared by every report of a build."""

    def __init__(self) -> None:
        from traitlets.config import Config

        config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": {DISCLAIMER_TAG}}})
        self._exporter = _exporter_class()(config=config, template_name=TEMPLATE_NAME,
                                      extra_template_basedirs=[str(TEMPLATES)],
                                      exclude_input=True, exclude_input_prompt=True,
                                      exclude_output_prompt=True, embed_images=True,
                                      # the page is validated once, after the last preprocessor, instead
                                      # of after each of the 12: 9 -> 5.5 ms of CPU per report
                                      optimistic_validation=True)
        self._lock = threading.Lock()

    def warm_up(self, provenance: Provenance) -> None:
        """Export an empty notebook once, so the first report does not pay the one-time costs.

        The first export compiles the Jinja templates and the CSS selectors nbconvert runs over the page
        (0.3-0.8 s of CPU); the build calls this while its kernels are still warming up.
        """
        from nbformat.v4 import new_notebook

        self.export(new_notebook(), "warm-up", provenance)

    def export(self, notebook, title: str, provenance: Provenance, audience: str = "any") -> str:
        """Render an executed notebook (``nbformat.NotebookNode``) to a complete HTML document.

        ``audience="patient"`` gives the patient page frame: no hash or toolkit version, the date in words
        and one plain disclaimer at the foot.
        """
        notebook.metadata["title"] = title
        stable_cell_ids(notebook)
        patient = audience == "patient"
        report: dict[str, object] = {**provenance.page(), "title": title, "css": stylesheet(),
                                     "patient": patient, "contents": contents(notebook)}
        if patient:
            report["disclaimer"] = PATIENT_DISCLAIMER
        resources = {"metadata": {"name": title}, "report": report}
        with self._lock:
            body, _ = self._exporter.from_notebook_node(notebook, resources=resources)
        return body
