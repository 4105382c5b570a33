"""Report definitions: ``notebooks/reports.toml`` parsed into :class:`ReportSpec` records.

Each ``[[report]]`` table has ``name`` (the output file stem), ``notebook`` (relative to the TOML file),
an optional ``title`` and ``audience`` (defaulting to the parameters of the same names), an optional
one-line ``description`` for the index, and a ``parameters`` table passed to the notebook unchanged.

An optional ``[kernels]`` table has ``preload``: modules the project's reports all import, which the
build's kernel template imports once for every kernel of a build (:func:`load_preload`).
The modules the reports' notebooks import are read from the notebooks themselves
(:func:`notebook_modules`): the kernels import them while they warm up, so no list is kept by hand.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BuildError, ParameterError, UnknownReportError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
RESERVED_NAMES = {"index", "executed"}
KEYS = {"name", "notebook", "title", "audience", "description", "parameters"}
SCALARS = (str, bool, int, float)
MODULE_PATTERN = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
KERNEL_KEYS = {"preload"}



@dataclass(frozen=True)
class ReportSpec:
    """One report to build.

    Attributes
    ----------
    name : str
        Output file stem: the report is written to ``NAME.html``.
    notebook : Path
        The notebook to execute (absolute path).
    parameters : Mapping[str, Any]
        Values injected into the notebook's ``parameters`` cell; data, never evaluated.
    title : str
        Title shown in the report header and the index.
    audience : str
        Audience the index groups it under (``patient``, ``clinician``, ``educator``, ``analyst`` ...).
    description : str
        One line for the index saying what the report is for (``""`` when none is given).
    """

    name: str
    notebook: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""
    audience: str = "any"
    description: str = ""


def load_definitions(path: Path) -> list[ReportSpec]:
    """Read the report list from a ``reports.toml`` file.

    Raises
    ------
    BuildError
        When the file is missing, is not valid TOML, or a report is malformed (missing or duplicated
        name, unknown key, missing notebook).
    ParameterError
        When a parameter value has a type TOML allows but a notebook cannot receive (dates, times).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BuildError(f"report definitions not found: {path}. Create it or pass --reports.") from err
    except tomllib.TOMLDecodeError as err:
        raise BuildError(f"{path}: not valid TOML ({err}). Fix the syntax and build again.") from err
    tables = data.get("report", [])
    if not isinstance(tables, list) or not tables:
        raise BuildError(f"{path}: no [[report]] tables found; add at least one report.")
    specs = [_spec(table, path, number) for number, table in enumerate(tables, start=1)]
    _check_unique(specs, path)
    return specs


def load_preload(path: Path) -> tuple[str, ...]:
    """The modules the ``[kernels]`` table of ``reports.toml`` preloads (``preload``), in order; ``()``
    when the table is absent.

    They are imported once per build by the template the build's kernels are forked from
    (:mod:`.kernel_template`), so each kernel starts with them instead of importing them in its first
    report: worth it for libraries every report imports, a cost for one that only some reports use.

    Raises
    ------
    BuildError
        When the table has an unknown key, or ``preload`` is not a list of module names.
    """
    path = Path(path)
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("kernels", {})
    if not isinstance(table, dict) or set(table) - KERNEL_KEYS:
        raise BuildError(f"{path}: [kernels] may only have {', '.join(sorted(KERNEL_KEYS))}, e.g. "
                         'preload = ["scipy.special"].')
    preload = table.get("preload", [])
    wrong = [name for name in preload if not isinstance(name, str) or not MODULE_PATTERN.match(name)] \
        if isinstance(preload, list) else [preload]
    if wrong:
        raise BuildError(f"{path}: [kernels] preload must be a list of module names such as "
                         f'["scipy.special"]; not {", ".join(repr(name) for name in wrong)}.')
    return tuple(preload)


def _spec(table: dict[str, Any], path: Path, number: int) -> ReportSpec:
    where = f"{path}: report #{number}"
    unknown = set(table) - KEYS
    if unknown:
        raise BuildError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                         f"expected only {', '.join(sorted(KEYS))}.")
    name = table.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name in RESERVED_NAMES:
        raise BuildError(f"{where}: name {name!r} is not usable as a file name; use letters, digits, "
                         "'_' and '-' (not 'index' or 'executed'), e.g. name = \"briefing_patient\".")
    notebook = path.parent / str(table.get("notebook", ""))
    if not table.get("notebook") or notebook.suffix != ".ipynb" or not notebook.is_file():
        raise BuildError(f"{where} ({name}): notebook {table.get('notebook')!r} not found as an .ipynb "
                         f"file under {path.parent}; give its path relative to {path.name}.")
    parameters = table.get("parameters", {})
    if not isinstance(parameters, dict):
        raise BuildError(f"{where} ({name}): 'parameters' must be a table, e.g. [report.parameters].")
    for key, value in parameters.items():
        _check_value(name, key, value)
    return ReportSpec(name=name, notebook=notebook.resolve(), parameters=parameters,
                      title=str(table.get("title", parameters.get("title", name))),
                      audience=str(table.get("audience", parameters.get("audience", "any"))),
                      description=" ".join(str(table.get("description", "")).split()))


def _check_value(report: str, key: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _check_value(report, key, item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_value(report, key, item)
    elif not isinstance(value, SCALARS):
        raise ParameterError(
            f"report {report!r}: parameter {key!r} is a {type(value).__name__} ({value!r}); expected "
            "a string, number, boolean, or a list or table of those. Quote dates: \"2026-01-31\".")


def _check_unique(specs: list[ReportSpec], path: Path) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise BuildError(f"{path}: report name {spec.name!r} is used twice; names must be unique "
                             "because each becomes NAME.html.")
        seen.add(spec.name)


def parse_shard(text: str) -> tuple[int, int]:
    """Parse ``"I/N"`` (1 <= I <= N) into ``(I, N)``.

    Raises
    ------
    ParameterError
        When ``text`` is not of that form.
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ParameterError(f"invalid shard {text!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/4.")
    return int(match[1]), int(match[2])


def select_reports(specs: Sequence[ReportSpec], only: Sequence[str] = (),
                   shard: tuple[int, int] | None = None) -> list[ReportSpec]:
    """The reports to build: those named in ``only`` (all when empty), then every N-th for shard I/N.

    Raises
    ------
    UnknownReportError
        When a name in ``only`` is not defined.
    """
    known = [spec.name for spec in specs]
    missing = [name for name in only if name not in known]
    if missing:
        raise UnknownReportError(f"unknown report(s) for --only: {', '.join(missing)}; "
                             f"defined reports: {', '.join(known)}.")
    chosen = [spec for spec in specs if not only or spec.name in only]
    if shard is not None:
        index, count = shard
        chosen = chosen[index - 1::count]
    return chosen


def notebook_modules(notebooks: Iterable[Path]) -> tuple[str, ...]:
    """The modules the code cells of ``notebooks`` import, in order of first import, each once.

    ``from package import name`` counts ``package``, and ``package.name`` too when ``name`` is a module of
    this library (a file beside its package). Relative imports, cells that are not Python (magics) and
    unreadable notebooks are skipped: the list only warms kernels up, and a report imports what it needs
    itself.

    Examples
    --------
    >>> notebook_modules([Path("notebooks/briefing.ipynb")])          # doctest: +SKIP
    ('lymphoma_evidence', 'lymphoma_evidence.reports.briefing', ...)
    """
    found: dict[str, None] = {}
    for notebook in dict.fromkeys(Path(n) for n in notebooks):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                found.update(dict.fromkeys(_imported(source if isinstance(source, str) else "".join(source))))
    return tuple(found)


def _imported(source: str) -> list[str]:
    """The absolute imports of one code cell (see :func:`notebook_modules`)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names
                      if _is_library_module(f"{node.module}.{alias.name}")]
    return names


def _is_library_module(name: str) -> bool:
    """Whether ``name`` (dotted) is a module or package of this library, judged by its files."""
    root, _, rest = name.partition(".")
    if root != __name__.partition(".")[0] or not rest:
        return False
    path = Path(__file__).resolve().parents[1].joinpath(*rest.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

