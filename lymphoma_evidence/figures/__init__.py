"""Figures layer: matplotlib charts and python-pptx slides, drawn from the tables analysis returns.

Modules: drawing modules, which draw the DataFrames they are handed: :mod:`.style` (house style, palette,
source line), :mod:`.labels` (display names on charts), :mod:`.rows` (one drawable row per table row),
:mod:`.alttext` (a description in words of each chart), :mod:`.charts` (the chart functions),
:mod:`.directness` (charts by stratum of directness) and :mod:`.icon_array` (icon arrays for patients);
assembly modules, which take the analysis tables computed once
(:class:`~lymphoma_evidence.analysis.frames.AnalysisTables`): :mod:`.figureset` (the educator figure set
and its export), :mod:`.deck_text` (the words of the deck) and :mod:`.slides` (the slide deck).

May import: :mod:`lymphoma_evidence.analysis.frames` (the table contracts; nothing else from the
analysis, never the evidence: import-linter checks it) and the foundation. Never reports, publish,
analyst or the CLI. Nothing is imported here, so ``import lymphoma_evidence.figures`` does
not load matplotlib.
"""
