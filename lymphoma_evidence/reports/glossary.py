"""The patient glossary: every medical word the decision aid uses, explained in plain words.

The entries are the topic's (``glossary.csv`` of the evidence package).

:class:`Glossary` links the first use of each term on a page to its entry (``#g-<key>``) and remembers
which terms were used, so the glossary section lists exactly the words the reader met. Text given to
:meth:`Glossary.link` is escaped first; only the links are markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..data.evidence import Evidence
from . import html as h


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes
    ----------
    key : str
        Anchor name (``g-<key>``), lower case letters and hyphens.
    term : str
        The word as the glossary heads it; an abbreviation is given with its expansion.
    forms : tuple of str
        The spellings found in text (matched whole-word, case-insensitive), longest matched first.
    meaning : str
        What it means, in plain words.
    """

    key: str
    term: str
    forms: tuple[str, ...]
    meaning: str


def glossary_terms(evidence: Evidence) -> tuple[Term, ...]:
    """The topic's glossary (glossary.csv), in file order; ``forms`` are its "; "-separated spellings."""
    rows = evidence.glossary
    return tuple(Term(str(r["key"]), str(r["term"]), tuple(f.strip() for f in str(r["forms"]).split(";")
                                                             if f.strip()), str(r["meaning"]))
                 for r in rows.to_dict("records"))


def _pattern(forms: list[tuple[str, Term]]) -> re.Pattern[str]:
    ordered = sorted(forms, key=lambda pair: len(pair[0]), reverse=True)
    alternatives = "|".join(re.escape(form) for form, _ in ordered)
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE)


@dataclass
class Glossary:
    """Links each term's first use on a page to its entry, and renders the entries that were used.

    Attributes
    ----------
    terms : tuple of Term
        The entries (:func:`glossary_terms` of the evidence).
    """

    terms: tuple[Term, ...]
    used: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, evidence: Evidence) -> Glossary:
        """A glossary of the topic's terms (glossary.csv)."""
        return cls(glossary_terms(evidence))

    def __post_init__(self) -> None:
        self._by_form = {form.lower(): term for term in self.terms for form in term.forms}
        self._regex = _pattern([(form, term) for term in self.terms for form in term.forms])

    def link(self, raw: str) -> h.Fragment:
        """``raw`` escaped, with the first use of each not yet used term linked to its entry."""

        def replace(match: re.Match[str]) -> str:
            term = self._by_form[match.group(1).lower()]
            if term.key in self.used:
                return match.group(1)
            self.used.append(term.key)
            return f'<a class="gloss" href="#g-{term.key}">{match.group(1)}</a>'

        return h.Fragment(self._regex.sub(replace, h.esc(raw)))

    def para(self, raw: str, cls: str = "") -> h.Fragment:
        """A paragraph of ``raw`` with glossary links."""
        return h.para(self.link(raw), cls=cls)

    def entries(self) -> h.Fragment:
        """One paragraph per term used so far, in alphabetical order, each with its anchor."""
        used = sorted((t for t in self.terms if t.key in self.used), key=lambda t: t.term.lower())
        items = "".join(f'<p id="g-{t.key}"><strong>{h.esc(t.term)}</strong>: {h.esc(t.meaning)}</p>'
                        for t in used)
        return h.Fragment(f'<div class="aid-glossary">{items}</div>')
