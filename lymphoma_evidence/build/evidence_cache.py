"""The build's cache of validated evidence: kernels reuse the bundle the build validated once.

The build validates the evidence, then saves the bundle (pickled) as ``<out>/.cache/evidence-<hash>.pickle``
and points its kernels at ``<out>/.cache`` through ``LYMPHOMA_EVIDENCE_CACHE``; ``load_evidence`` in a kernel
uses the file only when the evidence files still hash to ``<hash>``. Only validated bundles are written.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import ensure_folder, remove_stale_temporaries, write_atomic

if TYPE_CHECKING:
    from ..data.evidence import Evidence

CACHE_FOLDER = ".cache"


def write_evidence_cache(out: Path, evidence: Evidence) -> Path:
    """Save the validated ``evidence`` in ``out/.cache`` atomically; return the cache folder.

    Bundles saved for other content hashes, and temporaries of a killed build, are removed (the caller
    holds the build lock), so the folder holds one bundle: the one this build validated.

    Raises
    ------
    BuildError
        When the cache folder cannot be written.
    """
    from ..data.evidence import cache_file

    folder = Path(out) / CACHE_FOLDER
    ensure_folder(folder)
    remove_stale_temporaries(folder)
    target = cache_file(folder, evidence.content_hash)
    for old in folder.glob(cache_file(folder, "*").name):
        if old != target:
            old.unlink(missing_ok=True)
    write_atomic(target, pickle.dumps(evidence, protocol=pickle.HIGHEST_PROTOCOL))
    return folder


SHARED_FOLDER = "shared"


def fresh_shared_cache(out: Path) -> Path:
    """Empty ``out/.cache/shared`` (what an earlier build's reports shared) and return it.

    Kernels save there the results the reports of a build share (``LYMPHOMA_EVIDENCE_SHARED``,
    :mod:`lymphoma_evidence.data.shared`): rendered figures and the analysis tables every report quotes,
    each computed once per build. Emptying it at the start of every build means nothing in it outlives the
    library code and evidence that made it. The caller holds the build lock.
    """
    import shutil

    folder = Path(out) / CACHE_FOLDER / SHARED_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    ensure_folder(folder)
    return folder
