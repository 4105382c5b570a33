"""The build's cache of validated evidence: kernels reuse the bundle the build validated once.

The build validates the evidence, then saves the bundle (pickled) as ``<out>/.cache/evidence-<hash>.pickle``
and gives its notebooks ``<out>/.cache`` (their ``evidence_cache`` parameter); ``load_evidence(...,
cache=...)`` in a kernel uses the file only when the evidence files still hash to ``<hash>``. Only validated
bundles are written.

Beside the bundle, ``evidence-<hash>.validator`` (JSON) names what validated it (:func:`validator_identity`:
the library's code digest and the versions of the libraries validation runs on), the bundle's sha256 and the
evidence version. The next build of the same folder reuses the bundle instead of validating again only when
both the evidence content hash and that identity are unchanged, and the bundle's bytes are the ones saved:
validation is a function of those alone (no clock, no other file). Reusing needs neither pandas nor the
bundle in the build process: only the kernels load it. Validating does not either when kernels are forked:
:func:`validate_and_save` then runs in a child of the kernel template, which has pandas imported.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import ensure_folder, remove_stale_temporaries, write_atomic

if TYPE_CHECKING:
    from ..data.evidence import Evidence

CACHE_FOLDER = ".cache"


#: The libraries whose versions are part of :func:`validator_identity`.
VALIDATION_LIBRARIES = ("pandas", "numpy", "pandera", "scipy")
#: Suffix of the record beside a bundle saying what validated it (JSON).
VALIDATOR_SUFFIX = ".validator"


def validator_identity(library: str) -> str:
    """What validation depends on besides the evidence: ``library`` (the toolkit's code digest) and the
    versions of :data:`VALIDATION_LIBRARIES` (read from their metadata, without importing them)."""
    from importlib.metadata import version

    return "; ".join([library, *(f"{name} {version(name)}" for name in VALIDATION_LIBRARIES)])


def validated_version(out: Path, evidence_hash: str, validator: str) -> str | None:
    """The evidence version of the bundle an earlier build saved for ``evidence_hash`` and validated with
    ``validator``, or ``None`` when there is no such bundle (then the caller validates).

    Anything missing, different, unreadable, or a bundle whose bytes are not the ones saved gives ``None``.
    """
    from ..paths import cache_file

    bundle = cache_file(Path(out) / CACHE_FOLDER, evidence_hash)
    try:
        saved = json.loads(bundle.with_suffix(VALIDATOR_SUFFIX).read_text(encoding="utf-8"))
        if saved["validator"] != validator or saved["bundle_sha256"] != _sha256(bundle):
            return None
        return str(saved["version"])
    except Exception:  # missing, or left half-written by a killed build: validate instead
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_evidence_cache(out: Path, evidence: Evidence, validator: str) -> Path:
    """Save the validated ``evidence`` in ``out/.cache`` atomically, with ``validator``; return the folder.

    Bundles saved for other content hashes, and temporaries of a killed build, are removed (the caller
    holds the build lock), so the folder holds one bundle: the one this build validated. The validator
    file is written after the bundle, so a bundle is never taken as validated before it is complete.

    Raises
    ------
    BuildError
        When the cache folder cannot be written.
    """
    from ..paths import cache_file

    folder = Path(out) / CACHE_FOLDER
    ensure_folder(folder)
    remove_stale_temporaries(folder)
    target = cache_file(folder, evidence.content_hash)
    for old in [*folder.glob(cache_file(folder, "*").name),
                *folder.glob(cache_file(folder, "*").with_suffix(VALIDATOR_SUFFIX).name)]:
        if old not in (target, target.with_suffix(VALIDATOR_SUFFIX)):
            old.unlink(missing_ok=True)
    write_atomic(target, pickle.dumps(evidence, protocol=pickle.HIGHEST_PROTOCOL))
    record = {"validator": validator, "bundle_sha256": _sha256(target), "version": evidence.version}
    write_atomic(target.with_suffix(VALIDATOR_SUFFIX), json.dumps(record, indent=1).encode("utf-8"))
    return folder


def validate_and_save(evidence: str | Path, out: str | Path, expected_hash: str, validator: str) -> str:
    """Validate the evidence folder ``evidence`` and save the bundle in ``out/.cache`` (with
    ``validator``); the evidence version.

    Runs in the build process, or in a child forked from the kernel template, which has pandas imported
    already (the build then reads the version the child returns through the template's result pipe:
    :meth:`.kernel_template.KernelTemplate.call_result`).

    Raises
    ------
    EvidenceError
        When the evidence is invalid (nothing is saved).
    BuildError
        When the evidence no longer hashes to ``expected_hash`` (it changed while the build started), or
        the cache folder cannot be written.
    """
    from ..data.evidence import load_evidence  # pandas and pandera: only when validating
    from ..errors import BuildError

    loaded = load_evidence(evidence)
    if loaded.content_hash != expected_hash:
        raise BuildError(f"the evidence in {evidence} changed while the build started; run it again.")
    write_evidence_cache(Path(out), loaded, validator)
    return loaded.version


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
