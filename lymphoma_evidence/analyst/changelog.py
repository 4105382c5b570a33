"""``evidence/CHANGELOG.md``: the released versions it lists and the ids it names."""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG_FILE = "CHANGELOG.md"

_VERSION_HEADING = re.compile(r"^##\s+\[?v?(\d+(?:\.\d+)*[^\]\s]*)\]?", re.MULTILINE)


def read_changelog(path: Path) -> str:
    """The changelog's text, or ``""`` when the file does not exist."""
    path = Path(path)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def released_versions(text: str) -> list[str]:
    """Versions with a ``## <version>`` (or ``## [<version>]``) heading, in the order they appear."""
    return _VERSION_HEADING.findall(text)


def previous_version(text: str, current: str) -> str | None:
    """The release before ``current``: the one listed after it, or the newest when it is unreleased."""
    versions = released_versions(text)
    if current in versions:
        later = versions[versions.index(current) + 1:]
        return later[0] if later else None
    return versions[0] if versions else None


def names(text: str, identifier: str) -> bool:
    """True when ``text`` names ``identifier`` as a whole word (``zuma1_orr`` is not in ``zuma1_orr_2``)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(identifier)}(?![A-Za-z0-9_])", text) is not None


def unexplained(identifiers: list[str] | tuple[str, ...], text: str) -> list[str]:
    """The identifiers that ``text`` (a changelog) does not name."""
    return [i for i in identifiers if not names(text, i)]


_DATED_HEADING = re.compile(r"^##\s+\[?v?(\d+(?:\.\d+)*[^\]\s]*)\]?(?:\s*[-–]\s*(\d{4}-\d{2}-\d{2}))?",
                            re.MULTILINE)


def release_dates(text: str) -> dict[str, str]:
    """Version -> its release date ``YYYY-MM-DD`` from headings ``## <version> - <date>`` (``""`` if none)."""
    return {version: day or "" for version, day in _DATED_HEADING.findall(text)}


def date_heading(text: str, version: str, day: str) -> str:
    """``text`` with ``## <version>`` given the date ``day`` when it has none (other headings unchanged)."""
    pattern = re.compile(rf"^(##\s+\[?v?{re.escape(version)}\]?)[ \t]*$", re.MULTILINE)
    return pattern.sub(lambda m: f"{m.group(1)} - {day}", text, count=1)
