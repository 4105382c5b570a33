"""Where the project's folders are: every default path derives from here."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ProjectNotFoundError

SCHEMA_FILE = "datapackage.json"
#: Environment variable naming the folder of results the reports of one build share (set by the build for
#: its kernels, emptied at the start of every build; read by ``data.shared``).
SHARED_CACHE_ENV = "LYMPHOMA_EVIDENCE_SHARED"


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` that holds ``evidence/datapackage.json``.

    ``LYMPHOMA_EVIDENCE_ROOT`` in the environment overrides the search.
    """
    env = os.environ.get("LYMPHOMA_EVIDENCE_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "evidence" / SCHEMA_FILE).is_file():
            return folder
    raise ProjectNotFoundError(
        f"No project found at or above {here}: expected a folder holding evidence/{SCHEMA_FILE}. "
        "Run the command from the project folder, or pass --evidence DIR."
    )


def evidence_dir(root: Path | None = None) -> Path:
    """The default evidence folder: ``<project>/evidence``."""
    return (root or find_project_root()) / "evidence"


def notebooks_dir(root: Path | None = None) -> Path:
    """The notebooks folder: ``<project>/notebooks``."""
    return (root or find_project_root()) / "notebooks"


def reports_dir(root: Path | None = None) -> Path:
    """The default output folder of the report build: ``<project>/reports``."""
    return (root or find_project_root()) / "reports"


def shown_path(path: Path) -> Path:
    """``path`` as a person would type it from the working folder: a relative path stays as given, an
    absolute one below the working folder becomes relative to it, any other stays absolute."""
    if not path.is_absolute():
        return path
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def cache_file(cache_folder: Path, evidence_hash: str) -> Path:
    """Where the validated bundle of the evidence with content hash ``evidence_hash`` is saved."""
    return Path(cache_folder) / f"evidence-{evidence_hash}.pickle"
