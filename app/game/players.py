"""The algorithms as opponents: reference players that play a level under the teams' rules.

Each player sees what a team sees — f(x) and the slope f'(x) at the x it asks about —
plays inside the domain (a step that would leave it stops at the edge) and makes exactly
``budget`` guesses. They are pure and seeded, so a level's ghosts are the same every time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from app.game.expression import CompiledFunction, Point, curve

MOMENTUM_BETA = 0.9


@dataclass(frozen=True)
class Ghost:
    """One reference player's game: its name, its settings (shown), and its guesses."""

    key: str
    params: dict[str, float] = field(default_factory=dict)
    path: tuple[Point, ...] = ()

    @property
    def best(self) -> Point:
        """The lowest f(x) the player reached (the first one on a tie), as teams rank."""
        return min(self.path, key=lambda p: p.fx)


def learning_rate(fn: CompiledFunction, x_min: float, x_max: float) -> float:
    """A step size for plain descent on this level: 1 / (the largest curvature |f''| seen on
    the domain), rounded to two significant digits — the textbook safe choice, so the
    class can see it is safe and slow where the curve is gentle."""
    points = curve(fn, x_min, x_max, 401)
    h = (x_max - x_min) / 400
    curvature = max(
        (abs(points[i + 1].slope - points[i - 1].slope) / (2 * h) for i in range(1, 400)),
        default=0.0,
    )
    if not math.isfinite(curvature) or curvature <= 1e-9:
        return round_to_two((x_max - x_min) / 10)
    return round_to_two(1 / curvature)


def round_to_two(value: float) -> float:
    """``value`` with two significant digits (η = 0.019, not 0.0193448...)."""
    return float(f"{value:.2g}")


def _clamp(x: float, x_min: float, x_max: float) -> float:
    return min(max(x, x_min), x_max)


def _walk(
    fn: CompiledFunction, x0: float, budget: int, step: Callable[[list[Point]], float]
) -> tuple[Point, ...]:
    """Guess x0, then ``budget - 1`` times the x that ``step`` picks from the guesses so far;
    stop early only where f is not finite (a team would be refused there too)."""
    path = [fn.at(x0)]
    while len(path) < budget:
        nxt = fn.at(step(path))
        if not nxt.is_finite:
            break
        path.append(nxt)
    return tuple(path)


def gradient_descent(
    fn: CompiledFunction, x0: float, x_min: float, x_max: float, budget: int, eta: float
) -> Ghost:
    """x ← x − η·f'(x)."""

    def step(path: list[Point]) -> float:
        return _clamp(path[-1].x - eta * path[-1].slope, x_min, x_max)

    return Ghost("gradient_descent", {"eta": eta}, _walk(fn, x0, budget, step))


def momentum(
    fn: CompiledFunction,
    x0: float,
    x_min: float,
    x_max: float,
    budget: int,
    eta: float,
    beta: float = MOMENTUM_BETA,
) -> Ghost:
    """v ← β·v − η·f'(x), x ← x + v: a ball that keeps some of its speed (an edge stops it)."""
    velocity = 0.0

    def step(path: list[Point]) -> float:
        nonlocal velocity
        velocity = beta * velocity - eta * path[-1].slope
        x = _clamp(path[-1].x + velocity, x_min, x_max)
        if x != path[-1].x + velocity:
            velocity = 0.0
        return x

    return Ghost("momentum", {"eta": eta, "beta": beta}, _walk(fn, x0, budget, step))


def random_search(
    fn: CompiledFunction, x_min: float, x_max: float, budget: int, seed: str
) -> Ghost:
    """Uniform guesses over the domain, ignoring every slope (seeded: the same each time)."""
    draw = random.Random(seed)  # noqa: S311 - a reproducible game, not a secret
    x0 = draw.uniform(x_min, x_max)
    return Ghost(
        "random_search", {}, _walk(fn, x0, budget, lambda _path: draw.uniform(x_min, x_max))
    )


def tangent_intersection(
    fn: CompiledFunction, x0: float, x_min: float, x_max: float, budget: int, eta: float
) -> Ghost:
    """Newton-like: where the slope allows, jump to where the slope would be zero if it
    changed evenly between the last two guesses (the secant of f'); where it does not (a
    curve bending down, or no two guesses yet), take a plain descent step."""

    def step(path: list[Point]) -> float:
        last = path[-1]
        if len(path) >= 2:
            before = path[-2]
            if last.x != before.x:
                bend = (last.slope - before.slope) / (last.x - before.x)
                if bend > 1e-12:
                    return _clamp(last.x - last.slope / bend, x_min, x_max)
        return _clamp(last.x - eta * last.slope, x_min, x_max)

    return Ghost("tangent_intersection", {}, _walk(fn, x0, budget, step))


def play_all(
    fn: CompiledFunction, x0: float, x_min: float, x_max: float, budget: int, seed: str
) -> list[Ghost]:
    """Every reference player on one level, from the same start with the same budget."""
    eta = learning_rate(fn, x_min, x_max)
    return [
        gradient_descent(fn, x0, x_min, x_max, budget, eta),
        momentum(fn, x0, x_min, x_max, budget, eta),
        random_search(fn, x_min, x_max, budget, seed),
        tangent_intersection(fn, x0, x_min, x_max, budget, eta),
    ]
