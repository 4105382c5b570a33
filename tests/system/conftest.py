"""Fixtures of the system tests: the default reports built once, and one Chromium, for the whole session.

Playwright's sync API runs one event loop per thread, so every browser test module shares this one
browser instead of starting its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CHROMIUM, LAUNCH_ARGS


@pytest.fixture(scope="session")
def report_dir(built_reports: Path) -> Path:
    """All reports and the index, built once per test run from the project's evidence (tests/conftest.py)."""
    return built_reports


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (the modules skip first when it is missing)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()
