"""The analysis tables are declared once; their pandera models come from the same declaration."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pandera.errors
import pytest

from lymphoma_evidence.analysis import frames
from lymphoma_evidence.errors import ParameterError


def test_each_model_has_the_declared_columns_in_order() -> None:
    for name in frames.TABLES:
        assert list(frames.model(name).to_schema().columns) == frames.columns(name)
        assert getattr(frames, name) is frames.model(name)


def test_a_model_checks_values_not_only_names() -> None:
    row = {c: "x" for c in frames.columns("EligibleOptions")} | {"scope_type": "agent", "status": "maybe"}
    with pytest.raises(pandera.errors.SchemaError, match="status"):
        frames.EligibleOptions.validate(pd.DataFrame([row]))


def test_check_columns_names_what_is_missing_and_what_to_pass() -> None:
    frame = pd.DataFrame(columns=[c for c in frames.columns("RangeCheck") if c != "verdict"])
    with pytest.raises(ParameterError, match=r"checks lacks column\(s\) verdict; expected the columns of "
                                             r"RangeCheck\. Pass the output of check_reported_ranges\(\)"):
        frames.check_columns(frame, "RangeCheck", "checks", "check_reported_ranges()")
    with pytest.raises(ParameterError, match="must be a pandas DataFrame; got list"):
        frames.check_columns([], "RangeCheck", "checks", "check_reported_ranges()")
    with pytest.raises(ParameterError, match="unknown analysis table 'Nope'"):
        frames.columns("Nope")


def test_the_analysis_and_the_charts_do_not_import_pandera() -> None:
    """Report kernels import these; pandera would cost each of them about 0.3 s of CPU."""
    code = ("import sys\n"
            "import lymphoma_evidence.analysis.summaries, lymphoma_evidence.analysis.eligibility\n"
            "import lymphoma_evidence.analysis.selections, lymphoma_evidence.figures.charts\n"
            "from lymphoma_evidence.analysis.frames import columns\ncolumns('ResponseTable')\n"
            "print('pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_class_summary_strata_are_the_analysis_strata():
    from lymphoma_evidence.analysis import frames, strata

    assert frames.STRATA == strata.STRATA
