"""The README's shell commands run as written, each in a fresh clone of the project (with the work tree's
changes): every line of every ```sh block, except those that install (`make reports`, `make test`, ...)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from lymphoma_evidence.paths import SHARED_CACHE_ENV

pytestmark = pytest.mark.slow

#: make targets that install packages (a venv, Debian packages, npm): not run here.
INSTALLING = {"reports", "test", "quick", "install", "install-test", "tools", "browser", "lint", "bench",
              "bench-tests"}


def readme_commands(text: str) -> list[str]:
    """Every command line of the README's ```sh blocks, without its trailing comment."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    lines = [line.split(" #", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def installs(command: str) -> bool:
    words = command.split()
    return (words[0] == "make" and bool(INSTALLING & set(words[1:]))) or "pip install" in command


COMMANDS = [c for c in readme_commands((ROOT / "README.md").read_text(encoding="utf-8")) if not installs(c)]


def test_the_readme_has_commands_to_run_and_names_no_bare_console_script() -> None:
    every = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"make reports", "make test"} <= set(every)
    assert len(COMMANDS) >= 6
    bare = [c for c in every if c.split()[0] == "lymphoma-evidence"]
    assert not bare, f"not found as written (the console script is in .venv/bin): {bare}"


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of the repository (with its tags) holding the work tree's files, and the project's venv."""
    target = tmp_path_factory.mktemp("readme") / "project"
    subprocess.run(["git", "clone", "-q", "--shared", str(ROOT), str(target)], check=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, tracked.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))
    return target


def test_every_readme_command_runs_as_written_in_order(clone: Path) -> None:
    """One test, in the README's order: a later line may use what an earlier one wrote (the workbook)."""
    # as a reader's shell has it: no venv activated, and none of the tests' shared results
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", SHARED_CACHE_ENV)}
    failed = []
    for command in COMMANDS:
        run = command
        if command.startswith("make "):   # never reinstall the venv the clone borrows
            run = command.replace("make ", "make -o .venv/.installed -o .venv/.installed-test ", 1)
        done = subprocess.run(["bash", "-c", run], cwd=clone, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        if done.returncode != 0:
            failed.append(f"{command!r} exited {done.returncode}:\n{done.stderr[-1500:]}")
    assert not failed, "\n\n".join(failed)
