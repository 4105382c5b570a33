"""Icon arrays: the count and denominator are checked, drawn as figures, and said in words."""

from __future__ import annotations

import pytest

from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.icon_array import MARKED, MARKED_HARM, UNMARKED, IconArray, icon_array_figure


def _faces(fig) -> list[str]:
    from matplotlib.colors import to_hex

    ax = fig.axes[0]
    return [to_hex(patch.get_facecolor()) for patch in ax.patches[::2]]  # one head per person


def test_ten_figures_with_the_count_marked_first():
    fig, alt = icon_array_figure(IconArray(4, 10, "people who were helped", "people who were not"))
    faces = _faces(fig)
    assert len(faces) == 10
    assert faces[:4] == [MARKED["face"].lower()] * 4 and faces[4:] == ["#ffffff"] * 6
    assert alt == "A row of 10 figures: 4 are people who were helped, and 6 are people who were not."


def test_one_hundred_figures_in_five_rows_and_harms_have_a_pattern():
    fig, alt = icon_array_figure(IconArray(22, 100, "people who died", "people who did not", harm=True))
    ax = fig.axes[0]
    assert len(ax.patches) == 200 and ax.get_ylim() == (5, 0)
    assert all(p.get_hatch() == MARKED_HARM["hatch"] for p in ax.patches[:44])
    assert all(p.get_linestyle() == "dashed" for p in ax.patches[44:])
    assert alt.startswith("100 figures in 5 rows of 20: 22 are people who died, and 78 are")


def test_groups_differ_by_outline_not_only_by_colour():
    assert MARKED["style"] != UNMARKED["style"] and MARKED_HARM["hatch"]


def test_singular_words_for_one_figure():
    assert IconArray(1, 10, "person", "people").alt_text().startswith("A row of 10 figures: 1 is person")


@pytest.mark.parametrize(("count", "denominator", "message"), [
    (3, 12, "Invalid denominator 12. Expected one of: 10, 100."),
    (11, 10, "count=11 is out of range; expected 0 to 10."),
    (-1, 100, "count=-1 is out of range; expected 0 to 100."),
])
def test_bad_counts_and_denominators_are_refused(count, denominator, message):
    with pytest.raises(ParameterError, match=message.replace(".", r"\.")):
        IconArray(count, denominator, "a", "b")
