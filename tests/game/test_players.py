"""The reference players: the update rules, the rules of the game, the two-well lesson."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.game.expression import compile_function, compile_plane
from app.game.mirror import mirror
from app.game.plane import Rectangle
from app.game.plane_players import play_plane
from app.game.players import (
    adaptive_rate,
    gradient_descent,
    learning_rate,
    momentum,
    play_all,
    random_search,
    round_to_two,
    tangent_intersection,
)
from app.game.presets import PLANE_PRESETS, PRESETS

TRAP_START = 4.0  # right of the shallow well of the two-well preset
HUMP = -1.1  # the top between the two wells


def preset(key: str):
    chosen = PRESETS[key]
    return compile_function(chosen.expression()), chosen.x_min, chosen.x_max


def test_gradient_descent_on_a_convex_bowl_converges() -> None:
    fn, x_min, x_max = preset("bowl")
    ghost = gradient_descent(fn, -9.0, x_min, x_max, 40, eta=1.0)
    assert ghost.path[-1].x == pytest.approx(3.7, abs=1e-2)
    assert [p.fx for p in ghost.path] == sorted([p.fx for p in ghost.path], reverse=True)
    chosen = gradient_descent(fn, -9.0, x_min, x_max, 12, learning_rate(fn, x_min, x_max))
    assert chosen.best.x == pytest.approx(3.7, abs=1e-6)


def test_from_the_trap_start_descent_stays_in_the_shallow_well_and_momentum_does_not() -> None:
    fn, x_min, x_max = preset("two_wells")
    eta = learning_rate(fn, x_min, x_max)
    plain = gradient_descent(fn, TRAP_START, x_min, x_max, 25, eta)
    heavy = momentum(fn, TRAP_START, x_min, x_max, 25, eta)
    assert all(p.x > HUMP for p in plain.path)  # never left the shallow well
    assert plain.best.x == pytest.approx(1.45, abs=0.3)
    assert heavy.best.x < HUMP and heavy.best.fx < plain.best.fx  # rolled into the deep one
    assert heavy.best.x == pytest.approx(-4.85, abs=0.5)


@given(
    x0=st.floats(-10, 10),
    eta=st.floats(0.001, 3),
    beta=st.floats(0, 0.99),
    budget=st.integers(1, 40),
)
def test_the_update_rules_against_a_reference_computation(x0, eta, beta, budget) -> None:
    fn, x_min, x_max = preset("wiggles")
    plain = gradient_descent(fn, x0, x_min, x_max, budget, eta)
    heavy = momentum(fn, x0, x_min, x_max, budget, eta, beta)
    x, expected = x0, [x0]
    for _ in range(budget - 1):
        x = min(max(x - eta * fn.at(x).slope, x_min), x_max)
        expected.append(x)
    assert [p.x for p in plain.path] == expected
    x, v, expected = x0, 0.0, [x0]
    for _ in range(budget - 1):
        before = x
        v = beta * v - eta * fn.at(x).slope
        moved = x + v
        x = min(max(moved, x_min), x_max)
        if x != moved:
            v = x - before  # at an edge: the step it could take
        expected.append(x)
    assert [p.x for p in heavy.path] == expected


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_player_keeps_the_budget_and_the_domain_and_repeats_itself(key: str) -> None:
    fn, x_min, x_max = preset(key)
    start = (x_min + x_max) / 2
    first = play_all(fn, start, x_min, x_max, 17, seed=f"level-{key}")
    again = play_all(fn, start, x_min, x_max, 17, seed=f"level-{key}")
    assert [g.key for g in first] == [
        "gradient_descent",
        "momentum",
        "random_search",
        "tangent_intersection",
        "adam",
        "rmsprop",
        "bayesian",
    ]
    for ghost, twin in zip(first, again, strict=True):
        assert len(ghost.path) == 17
        assert all(x_min <= p.x <= x_max for p in ghost.path)
        assert ghost.path == twin.path  # seeded: the same game every time
    other_seed = random_search(fn, x_min, x_max, 17, seed="another")
    assert other_seed.path != first[2].path


def test_the_learning_rate_is_shown_rounded() -> None:
    assert round_to_two(0.0193448) == 0.019 and round_to_two(4.0) == 4.0
    fn, x_min, x_max = preset("two_wells")
    assert learning_rate(fn, x_min, x_max) == 0.019


def test_the_newton_like_player_lands_on_a_parabola_minimum_on_its_third_guess() -> None:
    fn, x_min, x_max = preset("bowl")  # a parabola: the slope changes evenly
    ghost = tangent_intersection(fn, -9.0, x_min, x_max, 5, eta=1.0)
    assert ghost.path[2].x == pytest.approx(3.7, abs=1e-9)


def test_momentum_without_memory_is_plain_descent() -> None:
    fn, x_min, x_max = preset("two_wells")
    plain = gradient_descent(fn, 4.0, x_min, x_max, 20, eta=0.02)
    forgetful = momentum(fn, 4.0, x_min, x_max, 20, eta=0.02, beta=0.0)
    assert [p.x for p in forgetful.path] == pytest.approx([p.x for p in plain.path])


def test_players_never_ask_where_the_slope_is_undefined() -> None:
    fn = compile_function("sqrt(abs(x))")  # no slope at 0, where every player would start
    for ghost in play_all(fn, 0.0, -5.0, 5.0, 12, seed="kink"):
        assert ghost.path, ghost.key
        assert all(p.is_finite for p in ghost.path), ghost.key
        assert len(ghost.path) <= 12


def test_adam_and_rmsprop_take_steps_of_about_eta_whatever_the_slope() -> None:
    """Their first step is η long (RMSProp's 1/√(1−ρ) times η) on a gentle or a steep curve
    alike, where descent's step is η times the slope."""
    for scale in (0.01, 100.0):
        fn = compile_function(f"{scale}*(x - 3)^2")
        first = {g.key: g.path[1].x - g.path[0].x for g in play_all(fn, -5, -10, 10, 5, "s")}
        rate = adaptive_rate(20)
        assert first["adam"] == pytest.approx(rate, rel=1e-6)
        assert first["rmsprop"] == pytest.approx(rate / (1 - 0.9) ** 0.5, rel=1e-6)
    assert adaptive_rate(20) == 0.5


def test_on_the_saddle_preset_plain_descent_lingers_and_the_others_leave() -> None:
    """From the rectangle's middle, a few guesses: descent is still near the saddle's
    height, momentum and the adaptive players reach a valley's floor."""
    preset = PLANE_PRESETS["saddle"]
    box = Rectangle(preset.x_min, preset.x_max, preset.y_min, preset.y_max)
    start = ((box.x_min + box.x_max) / 2, (box.y_min + box.y_max) / 2)
    fn = compile_plane(preset.expression())
    best = {g.key: g.best.fx for g in play_plane(fn, start, box, 20, seed="s")}
    floor = 1.0  # f = x² − 2y² + y⁴/4 + 5 at (0, ±2)
    assert best["gradient_descent"] > floor + 0.4
    assert all(best[key] < floor + 0.1 for key in ("momentum", "adam", "rmsprop"))


def test_bayesian_optimisation_finds_the_deep_well_plain_descent_misses() -> None:
    """On the two-well preset from the middle, descent settles in the shallow well; the
    Gaussian process looks around and finds the deep one, on f alone."""
    fn, x_min, x_max = preset("two_wells")
    found = {g.key: g for g in play_all(fn, 0.0, x_min, x_max, 25, seed="s")}
    assert found["bayesian"].best.fx < found["gradient_descent"].best.fx - 4
    assert found["bayesian"].params == {"length": 2.0}
    assert len({p.x for p in found["bayesian"].path}) == 25  # never the same guess twice
    again = {g.key: g for g in play_all(fn, 0.0, x_min, x_max, 25, seed="other")}
    assert again["bayesian"].path == found["bayesian"].path  # deterministic


def test_the_mirror_recognises_bayesian_optimisation_as_exploration() -> None:
    fn, x_min, x_max = preset("two_wells")
    ghost = next(g for g in play_all(fn, 0.0, x_min, x_max, 20, "s") if g.key == "bayesian")
    path = [(p.x, p.fx, p.slope) for p in ghost.path]
    assert mirror(path, x_min, x_max, ghost.best.x).method == "explore"
