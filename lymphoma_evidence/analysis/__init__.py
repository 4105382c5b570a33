"""Analysis layer: Evidence in, DataFrames and plain sentences out; no markup, no matplotlib.

Modules: :mod:`.summaries` (response tables, class summaries, claim checks), :mod:`.eligibility` (which
options fit a patient profile), :mod:`.takeaways` (the sentences quoted in reports) and
:mod:`.trial_status` (which registered trials reports may offer); :mod:`.topic` (the topic's words and
choices, read from its tables); :mod:`.frames` (the table contracts, the
only analysis module figures import) and :mod:`.tables` (the tables a figure set or deck draws, computed
once).

May import: :mod:`lymphoma_evidence.data` and the foundation. Never figures, reports, build, analyst or the
CLI. Nothing is imported here.
"""
