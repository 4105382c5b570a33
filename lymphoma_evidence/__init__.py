"""Curated evidence on lymphoma treatment after CAR T-cell therapy, and the reports built from it.

The public API is imported lazily, so ``import lymphoma_evidence`` stays cheap for the CLI and kernels;
``dir()``, tab completion and type checkers still see every name.

Layers, lowest first (``make test`` checks them with import-linter; see ``[tool.importlinter]``)::

    errors -> vocabulary | formatting | fileio | stats | paths   the foundation: no package imports
           -> data       schema, CSV reading, validation, the Evidence bundle
           -> analysis   Evidence in, DataFrames and plain sentences out
           -> figures | analyst
           -> reports    HTML sections, one module per notebook
           -> build      papermill, nbconvert, the index     -> cli
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "Evidence": "data.evidence",
    "load_evidence": "data.evidence",
    "validate_evidence": "data.validate",
    "Problem": "errors",
    "EvidenceError": "errors",
    "LymphomaEvidenceError": "errors",
    "ParameterError": "errors",
    "response_table": "analysis.summaries",
    "class_summary": "analysis.summaries",
    "check_reported_ranges": "analysis.summaries",
    "PatientProfile": "analysis.eligibility",
    "eligible_options": "analysis.eligibility",
    "proportion_ci": "stats",
    "pool_proportions": "stats",
    "PooledProportion": "stats",
    "forest_figure": "reports.evidence_figures",
    "ranges_figure": "reports.evidence_figures",
    "eligibility_figure": "reports.evidence_figures",
    "figure_html": "reports.display",
    "export_figures": "figures.figureset",
    "write_deck": "reports.evidence_figures",
    "class_takeaways": "analysis.takeaways",
    "diff_evidence": "analyst.diff",
    "audit_evidence": "analyst.audit",
}

__all__ = [
    "__version__", "Evidence", "load_evidence", "validate_evidence", "Problem", "EvidenceError",
    "LymphomaEvidenceError", "ParameterError", "response_table", "class_summary", "check_reported_ranges",
    "PatientProfile", "eligible_options", "proportion_ci", "pool_proportions", "PooledProportion",
    "forest_figure", "ranges_figure", "eligibility_figure", "figure_html", "export_figures", "write_deck",
    "class_takeaways", "diff_evidence", "audit_evidence",
]

if TYPE_CHECKING:
    from .analysis.eligibility import PatientProfile, eligible_options
    from .analysis.summaries import check_reported_ranges, class_summary, response_table
    from .analysis.takeaways import class_takeaways
    from .analyst.audit import audit_evidence
    from .analyst.diff import diff_evidence
    from .data.evidence import Evidence, load_evidence
    from .data.validate import validate_evidence
    from .errors import EvidenceError, LymphomaEvidenceError, ParameterError, Problem
    from .figures.figureset import export_figures
    from .reports.display import figure_html
    from .reports.evidence_figures import eligibility_figure, forest_figure, ranges_figure, write_deck
    from .stats import PooledProportion, pool_proportions, proportion_ci


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
