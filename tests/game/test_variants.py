"""Per-team variants: each team's copy of f is the level's moved and stretched by seeded
amounts within the bounds, and its best maps onto the level's scale by its own minimum and
median."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.game.expression import compile_function
from app.game.interval import Analysis, analyze
from app.game.variants import NO_VARIANT, Variant, on_level_scale, team_facts, team_variant


@given(team=st.integers(1, 10_000), shift=st.floats(0.01, 50), scale=st.floats(1.01, 100))
def test_draws_stay_within_the_bounds_and_repeat(team: int, shift: float, scale: float) -> None:
    v = team_variant("seed", team, shift, scale)
    assert abs(v.shift) <= round(shift, 2) + 1e-9
    assert 1 / scale - 0.005 <= v.scale <= scale + 0.005 and v.scale > 0
    assert team_variant("seed", team, shift, scale) == v


def test_no_bounds_is_the_level_itself_and_teams_differ_otherwise() -> None:
    assert team_variant("seed", 1, None, None) is NO_VARIANT
    fn = compile_function("x^2")
    assert NO_VARIANT.of(fn) is fn
    drawn = {team_variant("seed", team, 3, 2) for team in range(1, 30)}
    assert len(drawn) == 29
    assert {v.scale for v in (team_variant("s", t, 3, None) for t in range(9))} == {1.0}


@given(x=st.floats(-5, 5), shift=st.floats(-3, 3), scale=st.floats(0.1, 10))
def test_a_copy_is_the_curve_moved_and_stretched(x: float, shift: float, scale: float) -> None:
    fn = compile_function("(x - 1)^2 + sin(x)")
    v = Variant(shift, scale)
    point, base = v.of(fn).at(x), fn.at(x - shift)
    assert point.fx == pytest.approx(scale * base.fx)
    assert point.slope == pytest.approx(scale * base.slope)
    assert v.level_value(point.fx) == pytest.approx(base.fx) and v.level_x(x) == x - shift


def test_each_copy_has_its_own_minimum_on_the_domain() -> None:
    text, v = "(x - 4)^2 + 1", Variant(shift=-3.0, scale=2.0)
    own = team_facts(text, -5, 5, v)
    direct = analyze(v.of(compile_function(text)), -5, 5)
    assert own.x_star == pytest.approx(direct.x_star, abs=1e-6)
    assert (own.f_star, own.f_median) == (
        pytest.approx(direct.f_star),
        pytest.approx(direct.f_median),
    )
    assert own.x_star == pytest.approx(1.0, abs=1e-6) and own.f_star == pytest.approx(2.0)


def test_a_best_maps_by_its_own_minimum_and_median() -> None:
    level = Analysis(x_star=0, f_star=1, f_median=5)
    own = Analysis(x_star=2, f_star=10, f_median=30)
    assert on_level_scale(10, own, level) == 1  # at its own minimum: at the level's
    assert on_level_scale(30, own, level) == 5  # at its own median: at the level's
    assert on_level_scale(20, own, level) == 3
    flat = Analysis(x_star=0, f_star=2, f_median=2)
    assert on_level_scale(2, flat, level) == 1
