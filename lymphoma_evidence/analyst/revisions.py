"""Evidence at a git revision, read with git itself (never by checking out), and the released versions.

A "side" of a comparison is either an evidence folder or a revision (``HEAD~1``, a tag, a commit) of the
repository holding the evidence folder. A revision's evidence files are copied out with ``git show`` into a
temporary folder, so the work tree is never touched.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError, UsageError
from ..paths import SCHEMA_FILE
from .changelog import CHANGELOG_FILE, previous_version, read_changelog, released_versions

#: Files of an evidence folder that a revision is read for.
EVIDENCE_SUFFIXES = (".csv", ".json", ".md")
#: Tag names that mark a released evidence version, tried in this order.
RELEASE_TAGS = ("evidence-v{version}", "v{version}")
#: The git trailer naming the version a release commit released (``Evidence-Release: 0.3.0``).
RELEASE_TRAILER = "Evidence-Release"



@dataclass(frozen=True)
class Side:
    """One side of a comparison: what the user wrote, the folder holding its files, its revision if any."""

    label: str
    folder: Path
    revision: str | None = None


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise GitError("git is not installed; install it to compare revisions") from err
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise GitError(f"git {' '.join(args)} failed in {cwd}: {message}")
    return done.stdout


def _repository(evidence_path: Path) -> tuple[Path, str]:
    """The repository's top folder and the evidence folder's path inside it (``evidence/``)."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], evidence_path).decode().strip()
        prefix = _git(["rev-parse", "--show-prefix"], evidence_path).decode().strip()
    except GitError as err:
        raise GitError(f"{evidence_path} is not inside a git repository, so revisions cannot be "
                       "read; compare two folders instead") from err
    return Path(top), prefix


def resolve_revision(revision: str, evidence_path: Path) -> str:
    """The commit id ``revision`` names in the repository of ``evidence_path``.

    Raises
    ------
    UsageError
        When ``revision`` names no commit.
    """
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                    Path(evidence_path)).decode().strip()
    except GitError as err:
        raise UsageError(
            f"{revision!r} is neither an evidence folder nor a revision of the repository holding "
            f"{evidence_path}; give a folder with {SCHEMA_FILE} or a revision such as HEAD~1 or a tag"
        ) from err


def export_revision(revision: str, evidence_path: Path, destination: Path) -> list[str]:
    """Copy the evidence files (CSV, JSON, Markdown) of ``revision`` into ``destination``.

    Returns the names copied; an empty list when the evidence folder did not exist at that revision.
    """
    evidence_path = Path(evidence_path)
    commit = resolve_revision(revision, evidence_path)
    top, prefix = _repository(evidence_path)
    listing = _git(["ls-tree", "--name-only", "-z", commit, "--", prefix], top).decode()
    names = []
    for path in filter(None, listing.split("\0")):
        name = path[len(prefix):]
        if "/" in name or not name.endswith(EVIDENCE_SUFFIXES):
            continue
        (Path(destination) / name).write_bytes(_git(["show", f"{commit}:{path}"], top))
        names.append(name)
    return names


@contextmanager
def open_side(spec: str | Path, evidence_path: Path) -> Iterator[Side]:
    """Yield the :class:`Side` that ``spec`` names: an existing folder, else a git revision.

    A revision is exported to a temporary folder that is removed when the block ends.
    """
    folder = Path(spec)
    if folder.is_dir():
        yield Side(str(spec), folder)
        return
    with tempfile.TemporaryDirectory(prefix="lymphoma-evidence-") as temp:
        export_revision(str(spec), evidence_path, Path(temp))
        yield Side(str(spec), Path(temp), revision=str(spec))


def _version_at(commit: str, path: str, top: Path) -> str | None:
    try:
        return str(json.loads(_git(["show", f"{commit}:{path}"], top)).get("version", ""))
    except (GitError, json.JSONDecodeError):
        return None


def release_revision(version: str, evidence_path: Path) -> str | None:
    """The revision where evidence ``version`` was released, or ``None`` when none is found.

    Its tag ``evidence-v<version>`` (or ``v<version>``) when the clone has it; otherwise the release
    commit, found by the trailer ``Evidence-Release: <version>`` that ``lymphoma-evidence release`` writes
    into its message (a clone made without tags keeps it), returned as an abbreviated commit id. ``None``
    in a clone whose history stops before the release, or for a version released without the trailer.
    """
    evidence_path = Path(evidence_path)
    for pattern in RELEASE_TAGS:
        tag = pattern.format(version=version)
        try:
            _git(["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], evidence_path)
        except GitError:
            continue
        return tag
    return _trailer_commit(version, evidence_path)


def _trailer_commit(version: str, evidence_path: Path) -> str | None:
    """The newest commit whose message has the line ``Evidence-Release: <version>`` and whose
    ``datapackage.json`` holds that version."""
    try:
        top, prefix = _repository(evidence_path)
        pattern = f"^{RELEASE_TRAILER}: {re.escape(version)}$"
        found = _git(["log", "-E", f"--grep={pattern}", "--format=%h", "HEAD", "--"], top).decode().split()
    except GitError:
        return None
    return next((c for c in found if _version_at(c, prefix + SCHEMA_FILE, top) == version), None)


def previous_release(evidence_path: Path) -> tuple[str, str] | None:
    """The previous released version of the evidence in ``evidence_path`` and its revision.

    Released versions are the ``## <version>`` headings of ``CHANGELOG.md``. When the folder's own version
    is released, the previous release is the one listed after it; otherwise it is the newest listed.
    Returns ``None`` when there is no earlier release or its revision cannot be found.
    """
    folder = Path(evidence_path)
    current = json.loads((folder / SCHEMA_FILE).read_text(encoding="utf-8")).get("version", "")
    version = previous_version(read_changelog(folder / CHANGELOG_FILE), str(current))
    if version is None:
        return None
    revision = release_revision(version, folder)
    return None if revision is None else (version, revision)


#: Prefix of the git tags that ``lymphoma-evidence release`` makes (``evidence-v0.2.0``).
TAG_PREFIX = "evidence-v"


def release_tags(evidence_path: Path) -> list[tuple[str, str]]:
    """``(version, tag)`` of every ``evidence-v*`` tag of the repository, newest version first.

    Returns an empty list outside a git repository.
    """
    try:
        listing = _git(["tag", "--list", f"{TAG_PREFIX}*", "--sort=-version:refname"],
                       Path(evidence_path)).decode()
    except GitError:
        return []
    return [(tag[len(TAG_PREFIX):], tag) for tag in listing.split()]


def latest_release(evidence_path: Path) -> tuple[str, str] | None:
    """The latest release of the evidence, ``(version, revision)``: what ``diff`` and ``audit`` compare with.

    Releases are the ``evidence-v*`` tags that ``lymphoma-evidence release`` makes; the newest version
    wins. In a clone without tags, the newest version listed in CHANGELOG.md whose release commit is found
    (see :func:`release_revision`). ``None`` when neither is found (or the folder is not in a git repository).
    """
    folder = Path(evidence_path)
    tags = release_tags(folder)
    if tags:
        return tags[0]
    for version in released_versions(read_changelog(folder / CHANGELOG_FILE)):   # newest first
        revision = release_revision(version, folder)   # a section being written has no release commit yet
        if revision is not None:
            return version, revision
    return None


def release_day(revision: str, evidence_path: Path) -> str:
    """The day the commit at ``revision`` (a release tag or commit) was made, ``YYYY-MM-DD`` in UTC: the
    release date (``release`` commits and tags on the same day). ``""`` when the revision does not exist."""
    try:
        stamp = _git(["log", "-1", "--format=%ct", f"{revision}^{{commit}}", "--"],
                     Path(evidence_path)).decode().strip()
    except GitError:
        return ""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(stamp), UTC).date().isoformat() if stamp else ""


def missing_tag_hint(evidence_path: Path) -> str:
    """Why no release tag may be found although CHANGELOG.md lists releases: ``""`` when nothing is amiss.

    A clone made without tags (``git clone --depth 1``, or ``actions/checkout`` without
    ``fetch-tags``) has the CHANGELOG's releases but not their tags; ``git fetch --tags`` brings them.
    """
    folder = Path(evidence_path)
    listed = previous_version(read_changelog(folder / CHANGELOG_FILE), "")
    if listed is None or latest_release(folder) is not None:
        return ""
    return (f"CHANGELOG.md lists release {listed} but this clone has neither its tag {TAG_PREFIX}{listed} "
            f"nor its release commit (a commit with '{RELEASE_TRAILER}: {listed}'): a clone made without "
            "tags and with a shortened history; run 'git fetch --tags --unshallow'")
