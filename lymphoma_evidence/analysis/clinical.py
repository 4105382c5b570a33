"""The clinical questions asked after CAR-T fails, with their cited answers (``clinical_questions.csv``)."""

from __future__ import annotations

import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError

__all__ = ["AUDIENCES", "clinical_questions"]

#: Who may read the answers; patients get none (the answers are written for clinicians).
AUDIENCES = ("clinician", "educator", "patient")


def clinical_questions(evidence: Evidence, audience: str = "clinician",
                       class_id: str | None = None) -> pd.DataFrame:
    """The clinical questions for ``audience``, in file order, with the label of each answer's source.

    Parameters
    ----------
    evidence : Evidence
        The evidence bundle.
    audience : {"clinician", "educator", "patient"}
        Clinicians and educators get the questions written for clinicians (and for anyone); patients
        only those written for patients or anyone.
    class_id : str, optional
        Keep the questions about this therapy class; default: every question.

    Returns
    -------
    pandas.DataFrame
        The rows of ``clinical_questions.csv`` plus ``source_label``.

    Raises
    ------
    ParameterError
        For an unknown audience.
    """
    if audience not in AUDIENCES:
        raise ParameterError(f"audience must be one of {', '.join(AUDIENCES)}; got {audience!r}")
    wanted = ("patient", "any") if audience == "patient" else ("clinician", "any")
    qs = evidence.clinical_questions
    qs = qs[qs["audience"].isin(wanted)]
    if class_id is not None:
        qs = qs[qs["class_id"] == class_id]
    labels = dict(zip(evidence.sources["source_id"], evidence.sources["label"], strict=True))
    return qs.assign(source_label=qs["source_id"].map(labels)).reset_index(drop=True)
