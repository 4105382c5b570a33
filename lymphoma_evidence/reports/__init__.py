"""Reports layer: the HTML sections the notebooks display, one module per notebook with the notebook's name.

Modules: :mod:`.html` (escaped HTML fragments), :mod:`.display` (a figure as embedded HTML),
:mod:`.wording` (audience wording), :mod:`.context` (the report context every notebook shares: evidence,
filters, wording, citations, lead, references, disclaimer), and one module per notebook, named like it:
:mod:`.briefing` (``notebooks/briefing.ipynb``), :mod:`.class_profile` (``class_profile.ipynb``),
:mod:`.patient_options` (``patient_options.ipynb``) and :mod:`.evidence_audit` (``evidence_audit.ipynb``);
:mod:`.evidence_figures` draws one chart, or the deck, straight from the evidence (the public API).

May import: :mod:`lymphoma_evidence.figures`, :mod:`lymphoma_evidence.analyst`,
:mod:`lymphoma_evidence.analysis`, :mod:`lymphoma_evidence.data` and the foundation. Never build or the CLI.
Nothing is imported here.
"""
