"""The report build: notebooks in, self-contained HTML briefings out.

Modules, one concern each: ``definitions`` (reports.toml), ``params`` (parameter checks), ``kernels``
(warm kernel pool), ``execute`` (papermill on a warm kernel), ``export`` (nbconvert HTML), ``manifest``
(input hashes for incremental builds), ``index`` (reports/index.html), ``atomic`` (atomic writes and the
build lock) and ``engine`` (the orchestration). Import :func:`build` from ``engine``; nothing heavy is
imported here, so ``import lymphoma_evidence.build`` stays cheap.
"""
