"""The content hash of an evidence folder: plain file bytes, no pandas, so a no-op build stays light."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..paths import SCHEMA_FILE


def content_hash(path: Path | str) -> str:
    """SHA-256 over the schema and every CSV in the evidence folder (names and bytes), hex encoded.

    Raises
    ------
    OSError
        When ``datapackage.json`` or a CSV cannot be read (``FileNotFoundError`` when the schema is
        missing).
    """
    digest = hashlib.sha256()
    folder = Path(path)
    for file in [folder / SCHEMA_FILE, *sorted(folder.glob("*.csv"))]:
        digest.update(file.name.encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()
