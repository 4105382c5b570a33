"""Audience-specific wording: abbreviations explained at first use, rates in plain words for patients.

The audience changes words and the amount of statistical detail, never the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formatting import in_ten, percent, percent_range
from ..vocabulary import check_audience
from .html import Fragment, esc

#: abbreviation -> (expansion, plain-language explanation for patients)
TERMS: dict[str, tuple[str, str]] = {
    "CAR-T": ("CAR T-cell therapy", "a treatment that reprograms a person's own immune cells (T-cells) "
              "to attack the lymphoma"),
    "LBCL": ("large B-cell lymphoma", "the most common fast-growing lymphoma"),
    "ORR": ("overall response rate", "the share of people whose lymphoma shrank a lot or disappeared "
            "on scans"),
    "CR": ("complete response", "no lymphoma could be seen on scans after treatment"),
    "CI": ("95% confidence interval", "the range the true rate probably lies in, given how many people "
           "were studied; small studies give wide ranges"),
    "OS": ("overall survival", "how long people lived after the treatment or event"),
    "PFS": ("progression-free survival", "how long people lived without the lymphoma growing"),
    "NRM": ("non-relapse mortality", "deaths caused by the treatment or its complications rather than "
            "by the lymphoma"),
    "ADC": ("antibody-drug conjugate", "an antibody that carries a chemotherapy drug straight to "
            "lymphoma cells"),
    "allo-SCT": ("allogeneic stem cell transplant", "a transplant of blood-forming cells from a donor"),
    "ECOG": ("ECOG performance status", "a 0-4 scale of how well a person manages daily activities; "
             "0 is fully active"),
    "FL": ("follicular lymphoma", "a slow-growing lymphoma, different from large B-cell lymphoma"),
}


@dataclass
class Wording:
    """Words for one report: remembers which abbreviations it has explained already.

    Attributes
    ----------
    audience : str
        ``clinician``, ``educator`` or ``patient``.
    """

    audience: str
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
        expansion, explanation = TERMS[abbreviation]
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
