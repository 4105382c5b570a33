"""Data layer: the evidence contract and the validated :class:`~.evidence.Evidence` bundle.

Modules: :mod:`.schema` (datapackage.json), :mod:`.csvread` (CSV text, no types), :mod:`.coerce` (typed
columns), :mod:`.checks` (cross-table and domain checks, with :mod:`.counts` for counting rules,
:mod:`.provenance` for sources and identifiers, :mod:`.rules` for directness, harms cohorts, approval dates
and certainty, :mod:`.topic_checks` for the topic tables), :mod:`.derive` (columns the loader adds),
:mod:`.validate` (every problem collected), :mod:`.hashing` (content hash of an evidence folder) and
:mod:`.evidence` (``load_evidence`` and its cache).

May import: the foundation (``errors``, ``paths``, ``vocabulary``, ``formatting``, ``fileio``, ``stats``) and
third-party libraries. Never analysis, figures, reports, build, analyst or the CLI. Nothing is imported here.
"""
