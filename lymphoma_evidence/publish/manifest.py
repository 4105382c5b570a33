"""The build manifest: the input hashes of each report, for incremental builds, and its last status.

A report is skipped when its input key (notebook content, parameters, evidence content hash, library
version and source) equals the key recorded when it was last built successfully and its HTML exists.
The manifest lives in the output folder as ``.manifest.json`` and is rewritten atomically.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic

MANIFEST_NAME = ".manifest.json"
FORMAT = 1
PACKAGE_FILES = ("*.py", "*.j2", "*.css", "*.json")


@dataclass(frozen=True)
class ReportRecord:
    """What the last build of one report used and produced.

    Attributes
    ----------
    inputs : str
        The input key (hex sha256) of the attempt.
    status : str
        ``built`` or ``failed``.
    built_at : str
        When the attempt finished, ISO 8601 UTC.
    seconds : float
        Wall time of execution and export, in seconds.
    error : str
        The failure (cell and exception) when ``status == "failed"``, else ``""``.
    evidence_hash : str
        Content hash of the evidence the attempt used (validated before it ran).
    """

    inputs: str
    status: str
    built_at: str
    seconds: float
    error: str = ""
    evidence_hash: str = ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_digest() -> str:
    """Version plus a hash of the installed ``lymphoma_evidence`` package's code and templates."""
    from .. import __version__

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode() + b"\0")
    for pattern in PACKAGE_FILES:
        for file in sorted(root.rglob(pattern)):
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def input_key(notebook: Path, parameters: dict[str, Any], evidence_hash: str, library: str) -> str:
    """The hex sha256 identifying one report's inputs."""
    payload = json.dumps({"notebook": _sha256(Path(notebook).read_bytes()), "parameters": parameters,
                          "evidence": evidence_hash, "library": library}, sort_keys=True)
    return _sha256(payload.encode())


class Manifest:
    """The records of the reports in one output folder; thread-safe, saved atomically."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / MANIFEST_NAME
        self._lock = threading.Lock()
        self.records: dict[str, ReportRecord] = self._read()

    def _read(self) -> dict[str, ReportRecord]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: ReportRecord(**item) for name, item in data["reports"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def is_current(self, name: str, inputs: str, html: Path) -> bool:
        """Whether report ``name`` was built successfully from exactly ``inputs`` and its HTML exists."""
        record = self.records.get(name)
        return (record is not None and record.status == "built" and record.inputs == inputs
                and html.is_file())

    def record(self, name: str, record: ReportRecord) -> None:
        """Store ``record`` for ``name`` and save the manifest atomically."""
        with self._lock:
            self.records[name] = record
            payload = {"format": FORMAT,
                       "reports": {key: asdict(value) for key, value in sorted(self.records.items())}}
            write_text_atomic(self.path, json.dumps(payload, indent=1, sort_keys=True) + "\n")
