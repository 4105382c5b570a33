"""Releases of the evidence: a semantic version in ``datapackage.json``, a CHANGELOG entry, a git tag.

``lymphoma-evidence release [major|minor|patch]`` validates the evidence, requires a ``## <new version>``
section in ``CHANGELOG.md`` (dating it when it has no date), writes the new version into
``datapackage.json`` (only that value changes, the rest of the file keeps its bytes) and, inside a git
repository, commits those two files (the message ends with the trailer ``Evidence-Release: <version>``, so a
clone made without tags still finds the release) and tags the commit ``evidence-v<version>``.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import EvidenceError, ReleaseError, UsageError
from ..paths import SCHEMA_FILE
from .changelog import CHANGELOG_FILE, date_heading, read_changelog, release_dates
from .revisions import RELEASE_TRAILER, TAG_PREFIX, release_day, release_revision
from .textio import replace_files

BUMPS = ("major", "minor", "patch")
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_VERSION_VALUE = re.compile(r'^(\s*"version"\s*:\s*")([^"]*)(")', re.MULTILINE)


@dataclass(frozen=True)
class Release:
    """What a release did.

    Attributes
    ----------
    previous, version : str
        The version before and after.
    released : str
        The release date, ``YYYY-MM-DD`` (from the CHANGELOG heading).
    tag : str or None
        The git tag made, or ``None`` outside a git repository (or with ``git=False``).
    changed_files : tuple of str
        Files of the evidence folder that were rewritten.
    """

    previous: str
    version: str
    released: str
    tag: str | None
    changed_files: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseRecord:
    """When and where a version of the evidence was released, as pages state it.

    Attributes
    ----------
    version : str
        The evidence version.
    released : str
        ``YYYY-MM-DD``: the day of its release commit, else the date of its CHANGELOG.md heading;
        ``""`` when the version is not released.
    revision : str
        The release tag, or the release commit in a clone without tags (see
        :func:`.revisions.release_revision`); ``""`` when neither is here (a copy without git: the date
        then comes from CHANGELOG.md).
    """

    version: str
    released: str
    revision: str = ""


def release_record(folder: Path | str, version: str) -> ReleaseRecord:
    """The release of ``version`` of the evidence in ``folder``: the day of its release commit (found by its
    tag ``evidence-v<version>``, or in a clone without tags by its ``Evidence-Release`` trailer); otherwise
    the date of the version's ``## <version> - <date>`` heading in CHANGELOG.md (a source copy without git);
    ``released == ""`` when neither exists."""
    folder = Path(folder)
    revision = (release_revision(version, folder) or "") if version else ""
    day = release_day(revision, folder) if revision else ""
    if day:
        return ReleaseRecord(version, day, revision)
    return ReleaseRecord(version, release_dates(read_changelog(folder / CHANGELOG_FILE)).get(version, ""))


def next_version(current: str, bump: str) -> str:
    """``current`` (``MAJOR.MINOR.PATCH``) with one part bumped and the parts after it reset to 0.

    Raises
    ------
    UsageError
        When ``bump`` is not major, minor or patch.
    ReleaseError
        When ``current`` is not a ``MAJOR.MINOR.PATCH`` version.
    """
    if bump not in BUMPS:
        raise UsageError(f"Invalid bump {bump!r}. Expected one of: {', '.join(BUMPS)}.")
    match = _SEMVER.match(current)
    if not match:
        raise ReleaseError(f"{SCHEMA_FILE}: version {current!r} is not MAJOR.MINOR.PATCH (e.g. 0.1.0); "
                           "set it by hand once, then release")
    major, minor, patch = (int(part) for part in match.groups())
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def with_version(schema_text: str, version: str) -> str:
    """``datapackage.json`` text with its top-level ``version`` set to ``version``, nothing else changed."""
    match = next((m for m in _VERSION_VALUE.finditer(schema_text)
                  if len(m.group(1)) - len(m.group(1).lstrip()) <= 2), None)  # top level: indent <= 2
    if match is None:
        raise ReleaseError(f'{SCHEMA_FILE} has no top-level "version"; add "version": "0.1.0"')
    updated = schema_text[:match.start(2)] + version + schema_text[match.end(2):]
    if json.loads(updated).get("version") != version:
        raise ReleaseError(f"{SCHEMA_FILE}: could not set the version; edit it by hand")
    return updated


def _git(args: list[str], cwd: Path) -> str | None:
    """Run git; its output, or ``None`` when ``cwd`` is not in a repository (or git is missing)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return done.stdout if done.returncode == 0 else None


def _git_checked(args: list[str], cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout


def _check_repository(folder: Path, tag: str) -> None:
    """The tag must be new and every evidence file but the two a release writes must be committed."""
    if _git(["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"], folder) is not None:
        raise ReleaseError(f"the tag {tag} exists already; bump to a later version, or delete the "
                           "tag if it was made by mistake")
    status = _git(["status", "--porcelain", "--untracked-files=all", "--", "."], folder) or ""
    written = {SCHEMA_FILE, CHANGELOG_FILE}
    pending = [line[3:] for line in status.splitlines() if Path(line[3:]).name not in written]
    if pending:
        raise ReleaseError(f"uncommitted evidence changes ({', '.join(pending)}); commit them first so "
                           f"that the tag {tag} holds the released tables")


def release_evidence(folder: Path | str, bump: str, today: date | None = None,
                     git: bool = True) -> Release:
    """Release the evidence in ``folder``: validate, check the CHANGELOG, bump the version, tag.

    Parameters
    ----------
    folder : Path
        The evidence folder.
    bump : {"major", "minor", "patch"}
        Which part of the version to raise.
    today : datetime.date, optional
        The date written into an undated CHANGELOG heading (default: today).
    git : bool
        Commit and tag when ``folder`` is inside a git repository (default). ``False`` only writes the
        files.

    Raises
    ------
    EvidenceError
        When the evidence does not validate (nothing is changed).
    ReleaseError
        When CHANGELOG.md has no section for the new version, evidence changes are uncommitted, the tag
        exists, or git fails.
    """
    from ..data.validate import validate_evidence

    folder = Path(folder)
    problems = validate_evidence(folder)
    if problems:
        raise EvidenceError(problems, folder)
    schema_text = (folder / SCHEMA_FILE).read_text(encoding="utf-8")
    previous = str(json.loads(schema_text).get("version", ""))
    version = next_version(previous, bump)
    changelog = read_changelog(folder / CHANGELOG_FILE)
    dates = release_dates(changelog)
    if version not in dates:
        raise ReleaseError(f"{folder / CHANGELOG_FILE} has no section for {version}; add a heading "
                           f"'## {version}' (newest first) saying what changed, then release again")
    released = dates[version] or (today or date.today()).isoformat()
    in_repository = git and _git(["rev-parse", "--show-toplevel"], folder) is not None
    tag = f"{TAG_PREFIX}{version}"
    if in_repository:
        _check_repository(folder, tag)
    files = {SCHEMA_FILE: with_version(schema_text, version),
             CHANGELOG_FILE: date_heading(changelog, version, released)}
    changed = replace_files(folder, files)
    if not in_repository:
        return Release(previous, version, released, None, tuple(changed))
    message = f"Evidence release {version}"
    _git_checked(["add", "--", *files], folder)
    trailer = f"{RELEASE_TRAILER}: {version}"   # finds the release in a clone made without tags
    _git_checked(["commit", "-q", "-m", message, "-m", trailer, "--", *files], folder)
    _git_checked(["tag", "-a", tag, "-m", message], folder)
    return Release(previous, version, released, tag, tuple(changed))
