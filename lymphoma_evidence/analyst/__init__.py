"""Analyst tools: evidence diff and changelog rule, audit, spreadsheet round trip, trial-record import.

Modules: :mod:`.diff` (and :mod:`.diffreport` to render it), :mod:`.revisions` (git revisions and
releases), :mod:`.changelog`, :mod:`.audit`, :mod:`.xlsx`, :mod:`.ctgov`, and :mod:`.textio` (CSV text
reading; writes go through :mod:`lymphoma_evidence.fileio`) which they share. Import from the modules;
this package imports nothing eagerly.

May import: :mod:`lymphoma_evidence.analysis`, :mod:`lymphoma_evidence.data` and the foundation. Never
figures, reports, build or the CLI (the evidence audit report imports the analyst tools, not the reverse).
"""
