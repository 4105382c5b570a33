"""The project's ``[kernels] preload`` names only modules its reports import.

The kernel template imports the preload in every build, for every kernel: a module no report imports is
CPU every build pays for nothing (``pandera`` stayed preloaded after the reports stopped importing it).
Each notebook runs here in a process of its own, on the validated evidence bundle as in a build, and the
modules it imported are compared with the preload.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from lymphoma_evidence.publish.definitions import load_definitions, load_preload
from lymphoma_evidence.publish.engine import given_evidence, kernel_environment
from lymphoma_evidence.publish.evidence_cache import write_evidence_cache

pytestmark = pytest.mark.slow

DEFINITIONS = ROOT / "notebooks" / "reports.toml"

#: Runs one notebook's code cells, with its parameters injected as papermill does, in a fresh process;
#: prints the modules imported.
RUN_NOTEBOOK = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

notebook = parameterize_notebook(load_notebook_node(sys.argv[1]), json.loads(sys.argv[2]))
shell = InteractiveShell.instance()
for cell in notebook.cells:
    if cell.cell_type == "code" and not shell.run_cell(cell.source, silent=True).success:
        sys.exit("a cell failed: " + cell.source[:300])
print(json.dumps(sorted(sys.modules)))
"""


def started(notebook: Path, parameters: dict, env: dict[str, str]) -> subprocess.Popen:
    """A process running ``notebook`` with ``parameters``; it prints the modules it imported."""
    return subprocess.Popen([sys.executable, "-c", RUN_NOTEBOOK, str(notebook), json.dumps(parameters)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=notebook.parent)


def imported(process: subprocess.Popen) -> set[str]:
    """The modules ``process`` (from :func:`started`) imported."""
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return set(json.loads(out.splitlines()[-1]))


def without_release(parameters: dict) -> dict:
    """``parameters`` without the audit's comparison with the latest release (``since_release``)."""
    return {name: value for name, value in parameters.items() if name != "since_release"}


def test_every_preloaded_module_is_imported_by_every_notebook(tmp_path, evidence):
    preload = load_preload(DEFINITIONS)
    assert preload, "the project preloads the modules its reports share"
    cache = write_evidence_cache(tmp_path, evidence, "test")
    env = kernel_environment(tmp_path / "shared")
    specs = given_evidence(load_definitions(DEFINITIONS), evidence.path, cache)
    first_of_each = {spec.notebook: spec for spec in reversed(specs)}
    # the audit's comparison with the latest release validates that release's own evidence (read from its
    # tag, another folder than the bundle the build gives): left out here, where the current evidence is
    # checked to be read from the bundle
    runs = {spec.name: (notebook, started(notebook, without_release(spec.parameters), env))
            for notebook, spec in sorted(first_of_each.items())}
    assert len(runs) >= 5, "one run per notebook of the default set"
    try:
        for name, (notebook, process) in runs.items():
            modules = imported(process)
            # validation imports pandera (and scipy.special), so a notebook that validated instead of reading
            # the bundle would make an unused preload look used
            assert "pandera" not in modules, f"{notebook.name} imported pandera: did it validate?"
            unused = [module for module in preload if module not in modules]
            assert not unused, f"{notebook.name} ({name}) does not import {unused}: drop them from preload"
    finally:
        for _, process in runs.values():
            process.kill()
            process.communicate()
