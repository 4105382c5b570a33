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


def test_one_hundred_figures_in_ten_rows_of_ten_and_harms_have_a_pattern():
    fig, alt = icon_array_figure(IconArray(22, 100, "people who died", "people who did not", harm=True))
    ax = fig.axes[0]
    assert len(ax.patches) == 200 and ax.get_ylim() == (0, 10) and ax.get_xlim() == (0, 10)
    assert all(p.get_hatch() == MARKED_HARM["hatch"] for p in ax.patches[:44])
    assert all(p.get_linestyle() == "dashed" for p in ax.patches[44:])
    assert alt.startswith("100 figures in 10 rows of 10: 22 are people who died, and 78 are")


def _marked_rows(fig, columns: slice) -> list[int]:
    """Widths (in pixels of the marked colour) of each pixel row of ``columns``, top to bottom, as drawn."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, columns, :3].astype(int)
    blue = np.array([int(MARKED["face"][i:i + 2], 16) for i in (1, 3, 5)])
    near = (np.abs(pixels - blue).sum(axis=2) < 40).sum(axis=1)
    return [int(n) for n in near if n]


@pytest.mark.parametrize("denominator", [10, 100])
def test_people_stand_upright_head_above_a_wider_body(denominator):
    fig, _ = icon_array_figure(IconArray(denominator, denominator, "helped", "not helped"))
    width = int(fig.get_size_inches()[0] * fig.dpi)
    widths = _marked_rows(fig, slice(0, width // 10))  # the first column of figures, as rendered
    first_person = widths[:len(widths) // (denominator // 10)]
    head, body = first_person[:len(first_person) // 3], first_person[len(first_person) // 2:]
    assert max(head) < max(body), f"the widest part (the body) is above the narrow head: {first_person}"
    heads_up = fig.axes[0].patches[0::2]
    bodies = fig.axes[0].patches[1::2]
    to_screen = fig.axes[0].transData.transform
    assert all(to_screen(h.center)[1] > to_screen((b.get_x(), b.get_y() + b.get_height()))[1] - 1
               for h, b in zip(heads_up, bodies, strict=True))


def test_the_first_row_is_the_top_row():
    fig, _ = icon_array_figure(IconArray(10, 100, "helped", "not helped"))
    to_screen = fig.axes[0].transData.transform
    first, last = fig.axes[0].patches[0], fig.axes[0].patches[-2]
    assert to_screen(first.center)[1] > to_screen(last.center)[1]  # display y grows upwards


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
