"""Shared fixtures: the real evidence, loaded once, and throw-away copies of it to break on purpose.

Helpers that tests import (paths, cell editing, digests) live in :mod:`helpers`, not here: a conftest is a
pytest plugin, not a module to import from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EVIDENCE, copy_evidence


@pytest.fixture(scope="session")
def evidence():
    """The real evidence, loaded and validated once per test session (tests must not change it)."""
    from lymphoma_evidence import load_evidence

    return load_evidence(EVIDENCE)


@pytest.fixture
def evidence_copy(tmp_path: Path) -> Path:
    """A copy of the real evidence folder that a test may change freely."""
    return copy_evidence(EVIDENCE, tmp_path / "evidence")
