"""The public API: the same names as before the layered layout, importable from the package root and
listed by dir() (tab completion), while ``import lymphoma_evidence`` stays cheap."""

from __future__ import annotations

import subprocess
import sys

import lymphoma_evidence

#: The names the package exported before its modules moved into layer folders (commit f0c28e9).
PUBLIC = ["Evidence", "load_evidence", "validate_evidence", "Problem", "EvidenceError",
          "LymphomaEvidenceError", "ParameterError", "response_table", "class_summary",
          "check_reported_ranges", "PatientProfile", "eligible_options", "proportion_ci",
          "pool_proportions", "PooledProportion", "forest_figure", "ranges_figure", "eligibility_figure",
          "figure_html", "export_figures", "write_deck", "class_takeaways", "diff_evidence",
          "audit_evidence"]


def test_every_public_name_is_importable_from_the_root_and_listed() -> None:
    assert sorted(lymphoma_evidence.__all__) == sorted(["__version__", *PUBLIC])
    listed = dir(lymphoma_evidence)
    for name in PUBLIC:
        assert name in listed, name
        assert getattr(lymphoma_evidence, name).__name__ == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        lymphoma_evidence.no_such_thing  # noqa: B018
    except AttributeError as err:
        assert "no_such_thing" in str(err)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_loads_neither_pandas_nor_matplotlib() -> None:
    code = ("import sys, lymphoma_evidence\n"
            "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_package_ships_its_type_information() -> None:
    from importlib.resources import files

    assert files("lymphoma_evidence").joinpath("py.typed").is_file()
