"""Audience-specific wording: abbreviations explained at first use, rates in plain words for patients.

The audience changes words and the amount of statistical detail, never the numbers. The abbreviations and
their explanations are the topic's (``abbreviations.csv``, read by
:func:`lymphoma_evidence.analysis.topic.abbreviations`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ParameterError
from ..formatting import in_ten, percent, percent_range
from ..vocabulary import check_audience
from .html import Fragment, esc


@dataclass
class Wording:
    """Words for one report: remembers which abbreviations it has explained already.

    Attributes
    ----------
    audience : str
        ``clinician``, ``educator`` or ``patient``.
    terms : mapping
        Abbreviation -> (expansion, plain-language explanation for patients).
    """

    audience: str
    terms: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    _explained: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        check_audience(self.audience)

    @property
    def detailed(self) -> bool:
        """True when the audience sees full statistical detail (intervals, heterogeneity)."""
        return self.audience == "clinician"

    @property
    def plain(self) -> bool:
        """True for the patient audience: plain words first."""
        return self.audience == "patient"

    def term(self, abbreviation: str) -> Fragment:
        """The abbreviation, expanded at first use (and explained, for patients); escaped HTML."""
        if abbreviation not in self.terms:
            raise ParameterError(f"abbreviation {abbreviation!r} is not in abbreviations.csv; add it there "
                                 "with its expansion and a plain-language explanation")
        expansion, explanation = self.terms[abbreviation]
        if abbreviation in self._explained:
            return Fragment(esc(abbreviation))
        self._explained.add(abbreviation)
        if self.plain:
            return Fragment(f"{esc(expansion)} ({esc(abbreviation)}: {esc(explanation)})")
        return Fragment(f"{esc(expansion)} ({esc(abbreviation)})")

    def rate(self, rate: float, ci_low: float | None = None, ci_high: float | None = None) -> str:
        """A proportion (0-1) in words: ``"63% (95% CI 55–71%)"``, or ``"63%, about 6 in 10 people"``."""
        shown = percent(rate)
        if self.plain:
            return f"{shown}, {in_ten(rate)}"
        if ci_low is None or ci_high is None or ci_low != ci_low:
            return shown
        return f"{shown} (95% CI {percent_range(ci_low, ci_high, collapse=False)})"
