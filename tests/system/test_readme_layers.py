"""The README's layer table names every module of the package, in the row of its layer.

The table is the map a newcomer reads first; a module added without a line there is one nobody finds.
"""

from __future__ import annotations

import re

from helpers import ROOT

PACKAGE = ROOT / "lymphoma_evidence"
#: Rows of the table whose modules sit at the package root rather than in a layer folder.
ROOT_ROWS = ("foundation", "top")


def layer_rows() -> dict[str, set[str]]:
    """``{layer: names}`` from the README's ``| layer | modules |`` table: a layer folder ("data") or a
    root row ("foundation", "top"), and every name written in backticks in its row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| layer | modules |"):].split("\n\n", 1)[0].splitlines()[2:]
    rows = {}
    for line in table:
        layer, modules = line.strip("|").split(" | ", 1)
        folder = re.match(r"`(\w+)/`", layer.strip())
        rows[folder.group(1) if folder else layer.strip()] = set(re.findall(r"`([\w.]+)`", modules))
    return rows


def package_modules() -> dict[str, set[str]]:
    """``{layer folder or "": module names}`` of the package's Python files (``__init__`` left out)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.stem == "__init__":
            continue
        folder = path.parent.relative_to(PACKAGE).as_posix()
        found.setdefault("" if folder == "." else folder, set()).add(path.stem)
    return found


def test_the_readme_layer_table_names_every_module_in_its_layer_row():
    rows = layer_rows()
    missing = []
    for folder, modules in sorted(package_modules().items()):
        named = set().union(*(rows.get(r, set()) for r in ROOT_ROWS)) if not folder else rows.get(folder)
        if named is None:
            missing.append(f"the layer {folder}/ has no row")
            continue
        missing += [f"{folder or '(package root)'}: {name}" for name in sorted(modules - named)]
    assert not missing, "README.md's layer table lacks: " + "; ".join(missing)


def test_the_readme_layer_table_has_one_row_per_layer_folder():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert set(layer_rows()) == folders | set(ROOT_ROWS)
