"""The patient glossary: every medical word the decision aid uses, explained in plain words.

:class:`Glossary` links the first use of each term on a page to its entry (``#g-<key>``) and remembers
which terms were used, so the glossary section lists exactly the words the reader met. Text given to
:meth:`Glossary.link` is escaped first; only the links are markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


TERMS: tuple[Term, ...] = (
    Term("lymphoma", "Lymphoma", ("large B-cell lymphoma", "lymphoma"),
         "A cancer of white blood cells called lymphocytes. Large B-cell lymphoma is a fast-growing kind."),
    Term("car-t", "CAR T-cell therapy (CAR-T)", ("CAR T-cell therapy", "CAR T cell therapy", "CAR-T"),
         "Your own T cells are collected, changed in a laboratory to find lymphoma cells, and given back "
         "by drip. CAR stands for chimeric antigen receptor."),
    Term("t-cells", "T cells", ("T cells", "T-cells"),
         "White blood cells of the immune system that can kill cells they see as harmful."),
    Term("immune-system", "Immune system", ("immune system",),
         "The body's defence against infection and disease."),
    Term("antibody", "Antibody", ("antibody", "antibodies"),
         "A protein that sticks to one target. Some medicines are antibodies made in a laboratory."),
    Term("bispecific", "Bispecific antibody", ("bispecific antibodies", "bispecific antibody"),
         "An antibody with two arms. One arm holds a lymphoma cell, the other holds a T cell, so the T cell "
         "can attack."),
    Term("adc", "Antibody-drug conjugate", ("antibody-drug conjugates", "antibody-drug conjugate"),
         "An antibody that carries a cancer drug to the lymphoma cell."),
    Term("chemotherapy", "Chemotherapy", ("chemotherapy",),
         "Medicines that kill cells that divide quickly, such as cancer cells."),
    Term("radiotherapy", "Radiotherapy", ("radiotherapy",),
         "Treatment with high-energy X-rays aimed at one part of the body."),
    Term("transplant", "Donor stem cell transplant", ("donor stem cell transplant", "donor transplant",
                                                     "stem cell transplant", "stem cells"),
         "Blood-making cells from a donor are given after strong treatment. The donor cells grow a new "
         "immune system. Doctors call it an allogeneic transplant."),
    Term("conditioning", "Conditioning", ("conditioning",),
         "Strong treatment given just before a transplant or CAR-T to make room for the new cells."),
    Term("clinical-trial", "Clinical trial", ("clinical trials", "clinical trial", "trials", "trial"),
         "A research study that tests a new treatment, or a new way to use one, in people who agree to "
         "take part."),
    Term("supportive-care", "Supportive or palliative care", ("supportive care", "palliative care",
                                                             "supportive (palliative) care", "palliative"),
         "Care that eases symptoms and supports you and your family. You can have it at any stage, with or "
         "without treatment for the lymphoma."),
    Term("hospice", "Hospice", ("hospice",),
         "A place or service that gives palliative care, often near the end of life."),
    Term("infusion", "Drip (infusion)", ("infusion", "drip"),
         "Medicine given slowly into a vein through a thin tube."),
    Term("cycle", "Cycle", ("cycles", "cycle"),
         "A block of treatment days followed by rest days. Treatment is often given in several cycles."),
    Term("crs", "Cytokine release syndrome", ("cytokine release syndrome",),
         "A reaction of the immune system that can cause fever, chills and low blood pressure. It can be "
         "serious, and teams know how to treat it."),
    Term("icans", "ICANS (immune effector cell-associated neurotoxicity syndrome)", ("ICANS",),
         "A side effect that affects the brain and nerves. It can cause confusion, trouble speaking or "
         "fits. It is usually treatable."),
    Term("neuropathy", "Peripheral neuropathy", ("peripheral neuropathy",),
         "Nerve damage that can cause tingling, numbness or pain, often in the hands and feet."),
    Term("leukapheresis", "Leukapheresis", ("leukapheresis",),
         "Collecting white blood cells from your blood with a machine. The rest of the blood goes back "
         "to you."),
    Term("markers", "Markers (CD19, CD20, CD22, CD79b)",
         ("CD19", "CD20", "CD22", "CD79b", "markers", "marker"),
         "Proteins on the surface of lymphoma cells. Some treatments find the cells by one marker. A test "
         "on a sample of the lymphoma can show which markers it has."),
    Term("steroid", "Steroid", ("steroid",),
         "A medicine that calms the immune system and can prevent or treat reactions."),
    Term("outpatient", "Outpatient", ("outpatient",),
         "You come to hospital for treatment and go home the same day."),
    Term("response", "Response", ("responded", "response"),
         "The lymphoma shrank or could no longer be seen on scans after treatment."),
    Term("side-effect", "Side effect", ("side effects", "side effect"),
         "An unwanted effect of a treatment. Some are mild, some are serious."),
    Term("study", "Study", ("study", "studies"),
         "Research in which doctors follow a group of people and count what happens to them."),
)


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
        The entries; default :data:`TERMS`.
    """

    terms: tuple[Term, ...] = TERMS
    used: list[str] = field(default_factory=list)

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
