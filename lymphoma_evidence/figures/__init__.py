"""Figures layer: matplotlib charts and python-pptx slides, drawn from the tables analysis returns.

Modules: :mod:`.style` (house style, palette, source line), :mod:`.labels` (display names on charts),
:mod:`.rows` (one drawable row per table row), :mod:`.alttext` (a description in words of each chart),
:mod:`.charts` (the chart functions), :mod:`.figureset` (the educator figure set and its export) and
:mod:`.slides` (the slide deck).

May import: :mod:`lymphoma_evidence.analysis`, :mod:`lymphoma_evidence.data` and the foundation. Never
reports, build, analyst or the CLI. Nothing is imported here, so ``import lymphoma_evidence.figures`` does
not load matplotlib.
"""
