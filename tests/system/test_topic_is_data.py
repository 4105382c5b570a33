"""The code knows the evidence model only: no class id, agent id, trial name or measure code of the evidence
package is written in ``lymphoma_evidence/``.

Every id and trial name of ``evidence/`` is looked for, whole-word, in every line of every module (code,
comments and docstrings); measure codes of ``measures.csv`` and disease codes of ``diseases.csv`` are looked
for as string literals, where they would drive behaviour. A hit means the topic leaked into the code: move
the choice or the words into a topic table (evidence/README.md, "The topic").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
from helpers import EVIDENCE

PACKAGE = Path(__file__).resolve().parents[2] / "lymphoma_evidence"

#: Modules allowed to name topic ids for now, and why (none: every module is clean). A module listed here
#: must still need it (the last test says when it does not).
ALLOWED: dict[str, str] = {}


def _values(file: str, column: str) -> set[str]:
    frame = pd.read_csv(EVIDENCE / file, dtype=str, keep_default_na=False)
    return {v for v in frame[column] if v}


def topic_names() -> set[str]:
    """Class ids, agent ids and trial names of the evidence package."""
    return (_values("therapy_classes.csv", "class_id") | _values("agents.csv", "agent_id")
            | _values("results.csv", "trial") | _values("harms.csv", "trial"))


def _hits(text: str, names: set[str]) -> list[tuple[int, str]]:
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")(?![\w-])")
    return [(number, match.group(1)) for number, line in enumerate(text.splitlines(), 1)
            for match in pattern.finditer(line)]


def _literals(text: str) -> list[tuple[int, str]]:
    """String constants that are not docstrings, with their line."""
    tree = ast.parse(text)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


Modules = list[tuple[str, str]]


def _modules() -> Modules:
    return [(path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))]


def named(modules: Modules, names: set[str], allowed: dict[str, str]) -> list[str]:
    """``module:line: name`` of every topic name in the modules not allowed to name them."""
    return [f"lymphoma_evidence/{module}:{line}: {name}" for module, text in modules
            if module not in allowed for line, name in _hits(text, names)]


def coded(modules: Modules, known: set[str], allowed: dict[str, str]) -> list[str]:
    """``module:line: 'code'`` of every measure or disease code written as a literal in the modules not
    allowed to write them."""
    return [f"lymphoma_evidence/{module}:{line}: {value!r}" for module, text in modules
            if module not in allowed for line, value in _literals(text) if value in known]


def test_no_class_agent_or_trial_name_in_the_code() -> None:
    names = topic_names()
    assert {"ORR"} - names and len(names) > 20, "the evidence ids were not read"
    found = named(_modules(), names, ALLOWED)
    assert not found, "topic names in the code (move them to a topic table):\n" + "\n".join(found)


def codes() -> set[str]:
    """Measure and disease codes of the topic tables: as literals they would drive behaviour."""
    return _values("measures.csv", "measure") | _values("diseases.csv", "disease") - {"other"}


def test_no_measure_or_disease_code_drives_the_code() -> None:
    known = codes()
    assert {"ORR", "CR", "pfs_rate_12m", "LBCL"} <= known, "the topic codes were not read"
    found = coded(_modules(), known, ALLOWED)
    assert not found, ("measure or disease codes as literals (read them from measures.csv or "
                       "diseases.csv):\n" + "\n".join(found))


def test_the_scan_finds_what_it_looks_for() -> None:
    names = topic_names()
    name = sorted(names)[0]
    assert _hits(f'x = "{name}"\n# about {name}\n', names) == [(1, name), (2, name)]
    assert _hits(f"x = 'pre_{name}'\n", names) == []
    assert _literals('"""doc ORR"""\nx = "ORR"\n') == [(2, "ORR")]


#: What the last two modules allowed to name topic codes held before the codes became data: an endpoint
#: enum, and a caveat quoting one measure.
FORMER_LEAKS = [
    ("vocabulary.py", '"""The endpoints."""\nclass Endpoint(StrEnum):\n    ORR = "ORR"\n    CR = "CR"\n'),
    ("analysis/eligibility.py", 'def caveat(n, c):\n    """Quotes pfs_rate_12m."""\n'
                                '    return lead_number(n, c, "pfs_rate_12m")\n'),
]


def test_the_scan_would_catch_what_was_allowed_and_skips_only_what_is_allowed() -> None:
    known = codes()
    assert coded(FORMER_LEAKS, known, {}) == [
        "lymphoma_evidence/vocabulary.py:3: 'ORR'", "lymphoma_evidence/vocabulary.py:4: 'CR'",
        "lymphoma_evidence/analysis/eligibility.py:3: 'pfs_rate_12m'"]
    assert coded(FORMER_LEAKS, known, {"vocabulary.py": "a reason"}) == [
        "lymphoma_evidence/analysis/eligibility.py:3: 'pfs_rate_12m'"]
    names = topic_names()
    name = sorted(names)[0]
    assert named([("m.py", f"# {name}\n")], names, {}) == [f"lymphoma_evidence/m.py:1: {name}"]
    assert named([("m.py", f"# {name}\n")], names, {"m.py": "a reason"}) == []
    scanned = {module for module, _ in _modules()}
    assert {"vocabulary.py", "analysis/eligibility.py", "data/checks.py"} <= scanned


def test_the_allow_list_names_only_modules_that_still_need_it() -> None:
    names = topic_names()
    known = codes()
    clean = [module for module, text in _modules() if module in ALLOWED
             and not _hits(text, names) and not any(v in known for _, v in _literals(text))]
    assert not clean, f"remove from ALLOWED, they name no topic id any more: {clean}"
