"""Two-parameter functions: f(x, y) and its exact gradient, the true minimum of f over a
rectangle, and the lecture's regression line, whose minimum must be the least-squares
line of the slide's nine points."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.game.domain import domain_of
from app.game.expression import ExpressionError, compile_function, compile_plane
from app.game.lesson_file import dump_lesson, load_lesson
from app.game.moves import Mode, Position, StepBounds, take_plane_step
from app.game.plane import (
    REGRESSION_POINTS,
    Rectangle,
    analyze_plane,
    mean_squared_error,
)
from app.game.plane_players import plane_learning_rate, play_plane
from app.game.presets import PLANE_PRESETS
from app.game.settings import SettingsErrors, read_level_settings

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


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
    assert refused.value.code == "expression_not_finite_at"
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


def test_the_regression_preset_and_the_lectures_regression_level_are_that_line() -> None:
    u = np.array([p[0] for p in REGRESSION_POINTS])
    v = np.array([p[1] for p in REGRESSION_POINTS])
    (a, b), *_ = np.linalg.lstsq(np.column_stack([u, np.ones_like(u)]), v)
    preset = PLANE_PRESETS["regression"]
    lecture = load_lesson((LESSONS / "lecture.json").read_bytes()).levels[-2]
    assert lecture.fit == "line"  # the nine points as its data, the loss written from them
    for facts in (lecture.domain.facts(lecture.expression), preset_facts(preset)):
        assert (facts.x_star, facts.y_star) == (
            pytest.approx(a, rel=1e-7),
            pytest.approx(b, rel=1e-7),
        )


def preset_facts(preset):
    return domain_of(preset.x_min, preset.x_max, preset.y_min, preset.y_max).facts(
        preset.expression()
    )


@pytest.mark.parametrize("key", sorted(PLANE_PRESETS))
def test_every_plane_preset_is_finite_on_its_rectangle(key: str) -> None:
    preset = PLANE_PRESETS[key]
    facts = domain_of(preset.x_min, preset.x_max, preset.y_min, preset.y_max).facts(
        preset.expression()
    )
    assert Rectangle(preset.x_min, preset.x_max, preset.y_min, preset.y_max).holds(
        facts.x_star, facts.y_star
    )


def fields(**extra: str) -> dict[str, str]:
    return {
        "title": "Plane",
        "expression": "(x - 1)^2 + 3*(y + 2)^2",
        "x_min": "-5",
        "x_max": "5",
        "y_min": "-4",
        "y_max": "4",
        "cooldown_seconds": "0",
    } | extra


def test_a_y_range_makes_a_two_parameter_level() -> None:
    spec = read_level_settings(fields(mode="momentum", start_x="4", start_y="1"))
    assert (spec.y_min, spec.y_max) == (-4, 4) and (spec.start_x, spec.start_y) == (4, 1)
    curve = read_level_settings(fields(expression="x^2", y_min="", y_max=""))
    assert not curve.domain.plane and curve.start_y is None


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"y_min": "", "y_max": ""}, "y_min", "y_range_needed"),
        ({"y_max": ""}, "y_max", "y_range_both"),
        (
            {"y_min": "", "y_max": "", "expression": "x^2", "start_y": "1"},
            "start_y",
            "start_y_without_range",
        ),
        ({"y_min": "4", "y_max": "-4"}, "y_max", "domain_invalid"),
        ({"y_max": "inf"}, "y_max", "field_range"),
        (
            {"mode": "learning_rate", "start_x": "0", "start_y": "9"},
            "start_y",
            "start_outside_domain",
        ),
        ({"mode": "learning_rate", "start_x": "0", "start_y": ""}, "start_y", "field_number"),
        ({"variant_shift": "1"}, "variant_shift", "variants_one_variable"),
        ({"expression": "log(y)"}, "expression", "expression_not_finite_at"),
        (
            {
                "expression": "sqrt(x) + y",
                "x_min": "0",
                "mode": "learning_rate",
                "start_x": "0",
                "start_y": "0",
            },
            "start_x",
            "start_undefined",
        ),
        (
            {
                "expression": "x^2 + sqrt(y)",
                "y_min": "0",
                "mode": "learning_rate",
                "start_x": "1",
                "start_y": "0",
            },
            "start_y",
            "start_undefined",
        ),
    ],
)
def test_bad_two_parameter_settings_are_named_at_their_field(extra, field, code) -> None:
    with pytest.raises(SettingsErrors) as failure:
        read_level_settings(fields(**extra))
    assert failure.value.errors[field].code == code


def test_two_parameter_levels_round_trip_through_a_lesson_file() -> None:
    spec = read_level_settings(
        fields(mode="learning_rate", start_x="4", start_y="1", slope_noise="2")
    )
    text = dump_lesson("Planes", [spec])
    assert '"y_min": -4.0' in text and '"start_y": 1.0' in text
    assert load_lesson(text).levels == [spec]


def test_the_reference_players_descend_inside_the_rectangle() -> None:
    fn = compile_plane("(x - 1)^2 + 3*(y + 2)^2")
    box = Rectangle(-5, 5, -4, 4)
    # the Hessian is diag(2, 6): the safe learning rate is 1/6
    assert plane_learning_rate(fn, box) == pytest.approx(0.17)
    ghosts = {g.key: g for g in play_plane(fn, (4, 3), box, 15, seed="test")}
    assert set(ghosts) == {
        "gradient_descent",
        "momentum",
        "random_search",
        "adam",
        "rmsprop",
        "bayesian",
    }
    for ghost in ghosts.values():
        assert len(ghost.path) == 15 and all(box.holds(p.x, p.y) for p in ghost.path)
    assert ghosts["gradient_descent"].best.fx < 1e-3
    steppers = play_plane(
        fn, (4, 3), box, 6, mode=Mode.MOMENTUM, bounds=StepBounds(eta_max=0.05), noise=1.0
    )
    assert [g.key for g in steppers] == ["gradient_descent", "momentum"]
    assert all(g.params["eta"] == 0.05 and len(g.path) == 7 for g in steppers)


def test_a_plane_step_stops_each_coordinate_at_its_wall() -> None:
    at = Position(4, 36, 6, 0.0, 1, 18, 0.0)
    step = take_plane_step(at, eta=1, beta=0, box=Rectangle(-5, 5, -4, 4))
    assert (step.x, step.y, step.clamped) == (-2, -4, True)
    assert (step.velocity, step.velocity_y) == (-6, -5)
