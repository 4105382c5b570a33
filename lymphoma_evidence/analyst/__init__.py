"""Analyst tools: evidence diff and changelog rule, audit, spreadsheet round trip, trial-record import.

Modules: :mod:`.diff` (and :mod:`.diffreport` to render it), :mod:`.revisions` (git revisions and
releases), :mod:`.changelog`, :mod:`.audit`, :mod:`.xlsx`, :mod:`.ctgov`, and :mod:`.textio` (CSV text
and atomic writes) which they share. Import from the modules; this package imports nothing eagerly.
"""
