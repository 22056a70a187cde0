"""Two-parameter functions: f(x, y) and its exact gradient, the true minimum of f over a
rectangle, and the lecture's regression line, whose minimum must be the least-squares
line of the slide's nine points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.game.expression import ExpressionError, compile_function, compile_plane
from app.game.plane import (
    REGRESSION_POINTS,
    Rectangle,
    analyze_plane,
    mean_squared_error,
)


@given(x=st.floats(-5, 5), y=st.floats(-5, 5))
def test_the_gradient_is_exact(x: float, y: float) -> None:
    fn = compile_plane("(x - 1)^2 + 3*(y + 2)^2 + x*y + sin(x*y)")
    at = fn.at(x, y)
    assert at.fx == pytest.approx((x - 1) ** 2 + 3 * (y + 2) ** 2 + x * y + math.sin(x * y))
    assert at.gx == pytest.approx(2 * (x - 1) + y + y * math.cos(x * y), abs=1e-9)
    assert at.gy == pytest.approx(6 * (y + 2) + x + x * math.cos(x * y), abs=1e-9)


def test_y_is_a_name_only_on_two_parameter_levels() -> None:
    with pytest.raises(ExpressionError) as refused:
        compile_function("x + y")
    assert refused.value.code == "expression_unknown_name"
    assert compile_plane("x^2").at(2, 7).gy == 0  # a level may leave y out


def test_the_minimum_of_a_tilted_bowl_is_found_where_it_is() -> None:
    fn = compile_plane("(x - 1.25)^2 + 10*(y + 0.5)^2 + 0.9*(x - 1.25)*(y + 0.5) + 3")
    found = analyze_plane(fn, Rectangle(-5, 5, -5, 5))
    assert (found.x_star, found.y_star) == (pytest.approx(1.25), pytest.approx(-0.5))
    assert found.f_star == pytest.approx(3) and found.f_median > found.f_star


def test_a_minimum_on_the_edge_stays_on_the_rectangle() -> None:
    found = analyze_plane(compile_plane("x + y^2"), Rectangle(0, 4, -1, 1))
    assert found.x_star == 0 and found.y_star == pytest.approx(0, abs=1e-6)


def test_a_function_undefined_somewhere_is_refused_where_it_is() -> None:
    with pytest.raises(ExpressionError) as refused:
        analyze_plane(compile_plane("log(x + y)"), Rectangle(-1, 1, -1, 1))
    assert refused.value.code == "expression_not_finite"
    assert set(refused.value.params) == {"x", "y"}


def test_the_regression_levels_minimum_is_the_least_squares_line() -> None:
    """The lecture's nine (swearing, IQ) points: gradient descent on the mean squared
    error of IQ = a·swearing + b finds the line numpy's lstsq computes."""
    text = mean_squared_error(REGRESSION_POINTS)
    assert len(text) <= 500  # an expression an instructor could type
    found = analyze_plane(compile_plane(text), Rectangle(-2, 6, 0, 120))
    u = np.array([p[0] for p in REGRESSION_POINTS])
    v = np.array([p[1] for p in REGRESSION_POINTS])
    (a, b), residuals, _, _ = np.linalg.lstsq(np.column_stack([u, np.ones_like(u)]), v)
    assert found.x_star == pytest.approx(a, rel=1e-9)
    assert found.y_star == pytest.approx(b, rel=1e-9)
    assert found.f_star == pytest.approx(residuals[0] / len(u), rel=1e-9)
