"""Curated evidence on lymphoma treatment after CAR T-cell therapy, and the reports built from it.

The public API is imported lazily, so ``import lymphoma_evidence`` stays cheap for the CLI and kernels.
"""

from __future__ import annotations

import importlib
from typing import Any

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
    "forest_figure": "figures.charts",
    "ranges_figure": "figures.charts",
    "eligibility_figure": "figures.charts",
    "figure_html": "reports.display",
    "export_figures": "figures.figureset",
    "write_deck": "figures.slides",
    "class_takeaways": "analysis.takeaways",
    "diff_evidence": "analyst.diff",
    "audit_evidence": "analyst.audit",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
