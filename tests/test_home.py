"""Home page: the AI ⊃ ML ⊃ DL figure's names sit inside their own bands at every width the page is read at."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures import home, style

#: Bold text's width per character, as a fraction of the font size (Source Sans Pro averages ~0.55; rounded up).
_EM_PER_CHAR = 0.6
_CLEAR_PX = 4


def _inside(x, y, cy, a, b) -> np.ndarray:
    return (x / a) ** 2 + ((y - cy) / b) ** 2 < 1


def _box(i: int, font_px: float, ux: float, uy: float) -> tuple[np.ndarray, np.ndarray]:
    """Points around field i's name, in plot units: its outline sampled every few pixels."""
    half_w = 0.5 * _EM_PER_CHAR * font_px * len(home.FIELDS[i][0]) * ux
    half_h = 0.65 * font_px * uy
    t = np.linspace(-1, 1, 41)
    xs = np.concatenate([t * half_w, t * half_w, -half_w + 0 * t, half_w + 0 * t])
    ys = home.label_y(i) + np.concatenate([0 * t + half_h, 0 * t - half_h, t * half_h, t * half_h])
    return xs, ys


# Plot widths: a 390 px phone (358 px column), the 1400 px layout's figure column (~430 px), classroom mode at
# 1280x720 with the sidebar collapsed (~470 px, chart text raised to classroom.FONT_PX).
@pytest.mark.parametrize(("column_px", "font_px"), [(358, home.LABEL_PX), (430, home.LABEL_PX), (470, 18),
                                                    (900, home.LABEL_PX)])
def test_each_name_clears_its_own_outline_and_the_one_inside(column_px, font_px):
    ux = (home.X_RANGE[1] - home.X_RANGE[0]) / (column_px - 2 * home.MARGIN)
    uy = (home.Y_RANGE[1] - home.Y_RANGE[0]) / (home.HEIGHT - 2 * home.MARGIN)
    for i in range(len(home.FIELDS)):
        xs, ys = _box(i, font_px, ux, uy)
        cy, a, b = home.ellipse(i)
        assert _inside(xs, ys, cy, a - _CLEAR_PX * ux, b - _CLEAR_PX * uy).all(), \
            f"{home.FIELDS[i][0]} crosses its outline"
        if i + 1 < len(home.FIELDS):
            icy, ia, ib = home.ellipse(i + 1)
            assert not _inside(xs, ys, icy, ia + _CLEAR_PX * ux, ib + _CLEAR_PX * uy).any(), \
                f"{home.FIELDS[i][0]} touches {home.FIELDS[i + 1][0]}'s outline"


def test_the_figure_draws_three_nested_fields_and_plots_no_data():
    fig = home.nested_fields()
    assert [a.text for a in fig.layout.annotations] == [f"<b>{name}</b>" for name, *_ in home.FIELDS]
    assert len(fig.layout.shapes) == 3 and not fig.data
    assert style.figure_name(fig) is None  # so no data download under it
    tops = [home.ellipse(i)[0] + home.ellipse(i)[2] for i in range(3)]
    assert tops == sorted(tops, reverse=True)
