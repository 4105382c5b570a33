"""The report build: notebooks in, self-contained HTML briefings out.

Modules, one concern each: ``definitions`` (reports.toml), ``params`` (parameter checks), ``kernels``
(warm kernel pool), ``execute`` (papermill on a warm kernel), ``export`` (nbconvert HTML), ``manifest``
(input hashes for incremental builds), ``index`` (reports/index.html), ``atomic`` (atomic writes and the
build lock), ``evidence_cache`` (the validated bundle kernels reuse), ``engine`` (the orchestration) and
``refresh`` (``make notebooks``: re-run the notebooks and save their outputs). Import :func:`run_build` from
``engine``; nothing heavy is imported here, so ``import lymphoma_evidence.publish`` stays cheap.

May import: :mod:`lymphoma_evidence.reports` and every layer below it (figures, analyst, analysis, data,
the foundation). Never the CLI. Kernels import the modules the notebooks import
(read from the notebooks: ``definitions.notebook_modules``).
"""
