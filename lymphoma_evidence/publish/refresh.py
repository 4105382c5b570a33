"""The outputs stored in the project's notebooks: re-execute them in place, stamped with the evidence hash.

The notebooks in ``notebooks/`` are committed with their outputs, and ``pytest --nbval`` compares a fresh
run with those outputs, so a changed number fails the tests. After an intended evidence change an analyst
refreshes the stored outputs in one step (``make notebooks``, i.e. ``python -m
lymphoma_evidence.publish.refresh``). Each refreshed notebook records the evidence content hash it was run
on in ``metadata["lymphoma_evidence"]["evidence_hash"]``, so a test can tell stale outputs from fresh ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from ..errors import BuildError
from ..fileio import write_text_atomic

METADATA_KEY = "lymphoma_evidence"
HASH_KEY = "evidence_hash"
REFRESH_COMMAND = "make notebooks"
#: Seconds one cell may run before the refresh gives up.
CELL_TIMEOUT = 600


def project_notebooks(root: Path | None = None) -> list[Path]:
    """The project's notebooks (``notebooks/*.ipynb``), sorted by name."""
    from ..paths import notebooks_dir

    return sorted(notebooks_dir(root).glob("*.ipynb"))


def stored_evidence_hash(path: Path) -> str | None:
    """The evidence content hash recorded in a notebook's metadata, or ``None`` when it has none."""
    notebook = nbformat.read(path, as_version=4)
    return notebook.metadata.get(METADATA_KEY, {}).get(HASH_KEY)


def stale_notebooks(root: Path | None = None) -> list[Path]:
    """Notebooks whose stored outputs were not made from the project's current evidence.

    A notebook is stale when its recorded evidence hash is missing or differs from
    :func:`lymphoma_evidence.data.evidence.content_hash` of ``evidence/``.
    """
    from ..data.evidence import content_hash
    from ..paths import evidence_dir

    current = content_hash(evidence_dir(root))
    return [path for path in project_notebooks(root) if stored_evidence_hash(path) != current]


def refresh_notebook(path: Path, evidence_hash: str, timeout: int = CELL_TIMEOUT) -> None:
    """Execute ``path`` from a fresh kernel and save its outputs in place, stamped with ``evidence_hash``.

    Source cells are never changed; only outputs, execution counts and the notebook's
    ``lymphoma_evidence`` metadata are. The kernel runs in the notebook's folder, as JupyterLab and nbval
    run it, so the notebook's default parameters load the project's evidence. The file is replaced
    atomically, and left untouched when a cell raises.

    Raises
    ------
    BuildError
        When a cell raises or times out (the message names the notebook and the error).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        raise BuildError(f"{path.name}: a cell raised {err.ename}: {err.evalue}. Its stored outputs were "
                         f"kept; fix the cause, then run `{REFRESH_COMMAND}` again.") from err
    except CellTimeoutError as err:
        raise BuildError(f"{path.name}: a cell ran longer than {timeout} s. Its stored outputs were kept; "
                         f"fix the cause, then run `{REFRESH_COMMAND}` again.") from err
    notebook.metadata[METADATA_KEY] = {HASH_KEY: evidence_hash}
    _write_atomically(notebook, path)


def refresh_notebooks(root: Path | None = None) -> list[Path]:
    """Validate the evidence, then refresh the stored outputs of every project notebook.

    Returns
    -------
    list of Path
        The notebooks refreshed, in order.

    Raises
    ------
    EvidenceError
        When the evidence is invalid (no notebook is touched).
    BuildError
        When a notebook fails (notebooks refreshed before it keep their new outputs).
    """
    from ..data.evidence import load_evidence
    from ..paths import evidence_dir

    evidence = load_evidence(evidence_dir(root))
    notebooks = project_notebooks(root)
    for path in notebooks:
        refresh_notebook(path, evidence.content_hash)
    return notebooks


def _write_atomically(notebook: nbformat.NotebookNode, path: Path) -> None:
    text = nbformat.writes(notebook)
    write_text_atomic(path, text if text.endswith("\n") else text + "\n")


def main() -> int:
    """Refresh every notebook's stored outputs; print each one refreshed. Exit code 1 on failure."""
    from ..errors import LymphomaEvidenceError

    try:
        for path in refresh_notebooks():
            print(f"refreshed {path}")
    except LymphomaEvidenceError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
