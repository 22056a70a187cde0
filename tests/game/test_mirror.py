"""The mirror of a team's strategy, on synthetic paths of each kind (app/game/mirror.py)."""

from __future__ import annotations

import random

import pytest

from app.game.expression import compile_function
from app.game.mirror import mirror
from app.game.players import gradient_descent, random_search, tangent_intersection

BOWL = compile_function("(x - 3)^2")  # x* = 3 on [-10, 10]


def path_of(xs, fn=BOWL) -> list[tuple[float, float, float]]:
    return [(p.x, p.fx, p.slope) for p in map(fn.at, xs)]


def descended(x: float, eta: float, n: int) -> list[float]:
    xs = [x]
    for _ in range(n - 1):
        xs.append(xs[-1] - eta * BOWL.at(xs[-1]).slope)
    return xs


def bisected(low: float, high: float, n: int) -> list[float]:
    xs = [low, high]
    while len(xs) < n:
        middle = (low + high) / 2
        xs.append(middle)
        low, high = (middle, high) if BOWL.at(middle).slope < 0 else (low, middle)
    return xs


def test_a_descent_is_named_with_its_typical_eta() -> None:
    found = mirror(path_of(descended(-8, 0.3, 10)), -10, 10, 3)
    assert found.method == "descent" and found.eta == 0.3
    assert found.reached_after == 6 and found.tolerance == 0.2


def test_halving_a_bracket_of_slope_signs_is_bisection() -> None:
    found = mirror(path_of(bisected(-10, 10, 12)), -10, 10, 3)
    assert found.method == "bisection" and found.eta is None
    assert found.reached_after is not None and found.reached_after <= 12


def test_jumping_to_where_the_slope_would_vanish_is_newton_like() -> None:
    fn = compile_function("0.1*x^4 + x")  # f' = 0.4x³ + 1: not a straight line
    ghost = tangent_intersection(fn, 4.0, -10, 10, 10, 0.05)
    path = [(p.x, p.fx, p.slope) for p in ghost.path]
    assert mirror(path, -10, 10, -(2.5 ** (1 / 3))).method == "newton"


def test_even_steps_one_way_are_a_scan() -> None:
    found = mirror(path_of([-10 + 2 * k for k in range(11)]), -10, 10, 3)
    assert found.method == "scan" and found.reached_after is None


def test_looking_around_then_digging_near_the_best_is_exploration() -> None:
    xs = [-9, 8, -4, 5.5, 2.0, 2.6, 3.3, 2.9, 3.05, 3.0]
    assert mirror(path_of(xs), -10, 10, 3).method == "explore"


def test_guesses_no_rule_explains_are_random() -> None:
    draw = random.Random(7)
    xs = [draw.uniform(-10, 10) for _ in range(15)]
    assert mirror(path_of(xs), -10, 10, 3).method == "random"


@pytest.mark.parametrize("seed", ["a", "b", "c"])
def test_the_reference_players_are_recognised(seed: str) -> None:
    descent = gradient_descent(BOWL, -6, -10, 10, 12, 0.2)
    assert mirror([(p.x, p.fx, p.slope) for p in descent.path], -10, 10, 3).eta == 0.2
    searched = random_search(BOWL, -10, 10, 12, seed)
    found = mirror([(p.x, p.fx, p.slope) for p in searched.path], -10, 10, 3)
    assert found.method == "random"


def test_too_few_guesses_are_not_labelled() -> None:
    assert mirror(path_of([0, 1, 2]), -10, 10, 3) is None


def test_random_search_is_almost_never_mistaken_for_a_method() -> None:
    """On a parabola nearly any move toward the far side looks downhill: the rules still
    call a hundred seeded random searches random, all but a few."""
    named = [
        mirror(
            [(p.x, p.fx, p.slope) for p in random_search(BOWL, -10, 10, 12, str(s)).path],
            -10,
            10,
            3,
        ).method
        for s in range(100)
    ]
    assert named.count("random") >= 95, named
