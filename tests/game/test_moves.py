"""The update rules of the learning-rate and momentum modes, against a plain reference."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.game.moves import (
    BadStep,
    Mode,
    Position,
    StepBounds,
    implied_plane_rate,
    implied_rate,
    read_rate,
    take_step,
)

finite = st.floats(-1e3, 1e3, allow_nan=False)
X_MIN, X_MAX = -10.0, 10.0


def reference(x: float, slope: float, velocity: float, eta: float, beta: float):
    """The lecture's rule, written out: v ← β·v − η·f'(x); x ← x + v; walls stop the ball."""
    v = beta * velocity - eta * slope
    new = x + v
    if new > X_MAX:
        return X_MAX, X_MAX - x, True
    if new < X_MIN:
        return X_MIN, X_MIN - x, True
    return new, v, False


@given(
    x=st.floats(X_MIN, X_MAX),
    slope=finite,
    velocity=finite,
    eta=st.floats(1e-6, 10),
    beta=st.floats(0, 0.99),
)
def test_a_momentum_step_follows_the_update_rule(x, slope, velocity, eta, beta) -> None:
    step = take_step(
        Position(x, 0.0, slope, velocity), eta=eta, beta=beta, x_min=X_MIN, x_max=X_MAX
    )
    expected_x, expected_v, clamped = reference(x, slope, velocity, eta, beta)
    assert step.clamped is clamped
    assert step.x == pytest.approx(expected_x, abs=1e-9)
    assert step.velocity == pytest.approx(expected_v, abs=1e-9)
    assert X_MIN <= step.x <= X_MAX


@given(x=st.floats(X_MIN, X_MAX), slope=finite, eta=st.floats(1e-6, 10))
def test_a_learning_rate_step_is_x_minus_eta_times_the_slope(x, slope, eta) -> None:
    step = take_step(
        Position(x, 0.0, slope, velocity=123.0), eta=eta, beta=0, x_min=X_MIN, x_max=X_MAX
    )
    if X_MIN <= x - eta * slope <= X_MAX:
        assert not step.clamped
        assert step.x == pytest.approx(x - eta * slope)
    else:
        assert step.clamped and step.x in (X_MIN, X_MAX)


def test_a_huge_step_stops_at_the_edge_it_heads_for() -> None:
    step = take_step(Position(1.0, 0.0, -1e308), eta=1e6, beta=0, x_min=X_MIN, x_max=X_MAX)
    assert (step.x, step.clamped, step.velocity) == (X_MAX, True, X_MAX - 1.0)
    step = take_step(Position(1.0, 0.0, 1e308), eta=1e6, beta=0, x_min=X_MIN, x_max=X_MAX)
    assert (step.x, step.clamped) == (X_MIN, True)


def test_momentum_remembers_the_last_step() -> None:
    at = Position(4.0, 0.0, slope=2.0)
    first = take_step(at, eta=0.5, beta=0.9, x_min=X_MIN, x_max=X_MAX)
    assert (first.x, first.velocity) == (3.0, -1.0)
    second = take_step(
        Position(3.0, 0.0, 0.0, first.velocity), eta=0.5, beta=0.9, x_min=-10, x_max=10
    )
    assert (second.x, second.velocity) == (pytest.approx(2.1), pytest.approx(-0.9))


@pytest.mark.parametrize(
    ("raw", "name", "code"),
    [
        (None, "eta", "eta_missing"),
        ("  ", "eta", "eta_missing"),
        ("fast", "eta", "eta_not_a_number"),
        (True, "eta", "eta_not_a_number"),
        ([1], "eta", "eta_not_a_number"),
        ("nan", "eta", "eta_not_a_number"),
        (math.inf, "eta", "eta_not_a_number"),
        ("1e999", "eta", "eta_not_a_number"),
        (0, "eta", "eta_out_of_bounds"),
        (-0.1, "eta", "eta_out_of_bounds"),
        (10.5, "eta", "eta_out_of_bounds"),
        (None, "beta", "beta_missing"),
        (-0.1, "beta", "beta_out_of_bounds"),
        (1, "beta", "beta_out_of_bounds"),
        ("0.995", "beta", "beta_out_of_bounds"),
    ],
)
def test_rates_outside_the_bounds_are_refused(raw, name, code) -> None:
    with pytest.raises(BadStep) as refused:
        read_rate(raw, name=name, bounds=StepBounds(eta_max=10, beta_max=0.99))
    assert refused.value.code == code


def test_rates_inside_the_bounds_are_read_as_typed() -> None:
    bounds = StepBounds(eta_max=2, beta_max=0.9)
    assert read_rate(" 0.25 ", name="eta", bounds=bounds) == 0.25
    assert read_rate("\u22120", name="beta", bounds=bounds) == 0
    assert read_rate(2, name="eta", bounds=bounds) == 2
    assert read_rate(0.9, name="beta", bounds=bounds) == 0.9
    # as x is read: a phone keypad's decimal comma, a Chinese keyboard's full-width digits
    assert read_rate("0,5", name="eta", bounds=bounds) == 0.5
    assert read_rate("\uff10.\uff15", name="beta", bounds=bounds) == 0.5


def test_the_implied_learning_rate_of_a_free_step() -> None:
    assert implied_rate(4.0, 2.0, 3.0) == 0.5
    assert implied_rate(4.0, 2.0, 5.0) == -0.5  # uphill: a negative η
    assert implied_rate(4.0, 0.0, 3.0) is None
    assert [mode.steps for mode in Mode] == [False, True, True]


def test_an_implied_rate_is_a_finite_number_or_none() -> None:
    assert implied_rate(0, 1e-320, 1) is None  # too small a slope to divide by
    huge = {"x": 0.0, "y": 0.0, "slope": 1e200, "gy": 1e200}  # |∇f|² overflows a float
    assert implied_plane_rate(huge, {"x": -1e197, "y": -1e197}) == pytest.approx(1e-3)
    assert implied_plane_rate({"x": 0, "y": 0, "slope": 0, "gy": 0}, {"x": 1, "y": 1}) is None
    # a step along −∇f of η times the gradient has the implied rate η
    before = {"x": 1.0, "y": 2.0, "slope": 3.0, "gy": -4.0}
    assert implied_plane_rate(before, {"x": 1 - 0.5 * 3, "y": 2 + 0.5 * 4}) == pytest.approx(0.5)
