"""The window a reveal looks at: where the play happened, with a margin, in the domain."""

from __future__ import annotations

import math

import pytest

from app.game.view import play_window


def test_the_window_of_a_wide_quartic_keeps_the_wells_not_the_walls() -> None:
    # 0.1x⁴ − x² + 0.5x + 4 on [−10, 10]: 900 at the edges, the play between −3 and 3
    f = lambda x: 0.1 * x**4 - x**2 + 0.5 * x + 4  # noqa: E731
    points = [(x, f(x)) for x in (-3, -2.4, -2.2, 0.5, 2.1, 2.3)]
    x0, x1, y0, y1 = play_window([*points, (-2.35, f(-2.35))], (-10, 10))
    assert -4 <= x0 < -3 and 2.3 < x1 < 3.5
    assert y1 < 10 and y0 < min(y for _, y in points)


def test_the_window_stays_inside_the_domain_and_keeps_a_margin() -> None:
    x0, x1, y0, y1 = play_window([(-10, 5.0), (9.9, 1.0)], (-10, 10))
    assert (x0, x1) == (-10, 10)
    assert y0 < 1 and y1 > 5


def test_one_point_gets_room_and_a_plane_keeps_its_rectangle() -> None:
    x0, x1, y0, y1 = play_window([(1.0, 2.0)], (0, 10))
    assert x0 == pytest.approx(0.5) and x1 == pytest.approx(1.5) and y0 < 2 < y1
    assert play_window([(0.0, -5.0), (1.0, 4.0)], (-1, 1), (-5, 5))[2:] == [-5, pytest.approx(4.72)]


def test_nothing_to_look_at() -> None:
    assert play_window([], (0, 1)) is None
    assert play_window([(math.nan, 1.0), (1.0, math.inf)], (0, 1)) is None
