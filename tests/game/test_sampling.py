"""f over numpy arrays (sampling a whole domain at once) gives what one plain-Python call
per point gives: the same values, NaN at the same places, the same minimum and median."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.game.expression import (
    CompiledFunction,
    ExpressionError,
    compile_function,
)
from app.game.interval import analyze, curve
from app.game.lesson_file import load_lesson
from app.game.plane import Rectangle, analyze_plane, contour_grid
from app.game.presets import PRESETS
from app.game.settings import LevelSpec
from app.game.variants import Variant

LECTURE = Path(__file__).resolve().parents[2] / "lessons" / "lecture.json"
CURVES = [
    *(preset.expression() for preset in PRESETS.values() if "y" not in preset.expression()),
    "log(x) + sqrt(x)",  # undefined on half the domain
    "abs(x - 1) + 1/x",  # a kink, and a pole at a sample
    "exp(x^2)",  # overflows near the ends
    "5",  # a constant: numpy answers one number
    "sigmoid(3*x) + tanh(x)",
    "sigmoid(-1000*x)",  # overflows inside: plain Python says undefined there, and so must numpy
]


def same(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text", CURVES)
def test_a_curve_sampled_at_once_is_the_curve_point_by_point(text: str) -> None:
    fast = compile_function(text)
    slow = replace(fast, fv=None, dfv=None)  # one plain-Python call per point
    xs = np.linspace(-30, 30, 601)
    for a, b in zip(fast.sample(xs), slow.sample(xs), strict=True):
        same(a, b)
    for a, b in zip(curve(fast, -30, 30), curve(slow, -30, 30), strict=True):
        assert (a.x, a.fx, a.slope) == pytest.approx((b.x, b.fx, b.slope), nan_ok=True)


@pytest.mark.parametrize(
    "level", load_lesson(LECTURE.read_bytes()).levels, ids=lambda level: level.title
)
def test_every_lecture_level_finds_the_same_minimum_both_ways(level: LevelSpec) -> None:
    fast = level.domain.function(level.expression)
    if isinstance(fast, CompiledFunction):
        found = [
            analyze(fn, level.x_min, level.x_max) for fn in (fast, replace(fast, fv=None, dfv=None))
        ]
    else:  # f(x, y), or a model's loss over its data
        assert level.y_min is not None and level.y_max is not None
        box = Rectangle(level.x_min, level.x_max, level.y_min, level.y_max)
        found = [analyze_plane(fn, box) for fn in (fast, replace(fast, fv=None))]
        assert contour_grid(fast, box) == contour_grid(replace(fast, fv=None), box)
    assert found[0].f_star == pytest.approx(found[1].f_star, rel=1e-12)
    assert found[0].f_median == pytest.approx(found[1].f_median, rel=1e-12)


def test_the_first_undefined_sample_is_named_both_ways() -> None:
    fast = compile_function("log(x - 2)")
    for fn in (fast, replace(fast, fv=None, dfv=None)):
        with pytest.raises(ExpressionError) as caught:
            analyze(fn, -10, 10)
        assert caught.value.params == {"x": -10.0}


def test_a_teams_moved_copy_is_sampled_moved() -> None:
    copy = Variant(shift=1.5, scale=2.0).of(compile_function("(x - 1)^2"))
    fs, slopes = copy.sample(np.array([2.5, 3.5]))
    assert fs.tolist() == [0.0, 2.0] and slopes.tolist() == [0.0, 4.0]
