"""The algorithms as opponents: reference players that play a level under the teams' rules.

Each player moves on what a team sees — f(x) and the slope f'(x) at the x it asks about —
plays inside the domain (a step that would leave it stops at the edge) and makes at most
``budget`` guesses, only where f and f' are finite (a team would be refused elsewhere).
The learning rate is the one thing chosen with knowledge of the whole level: the game sets
it per level from the curve's largest curvature, and shows it. They are pure and seeded, so
a level's ghosts are the same every time.

On a learning-rate or momentum level (``app.game.moves``) the teams only choose η (and β)
from the level's start; there the players are the two that move the same way, under the
level's bounds, with the same update rule the server applies to the teams. On a level with
noisy slopes (``app.game.noise``) they move on noisy slopes too; their learning rate is
still the one the true curve calls for. On free-guess levels Adam and RMSProp play too
(``app.game.adaptive``); a stepping level's teams choose only η for plain descent or
momentum, a rule those two do not follow.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.game import bayes
from app.game.adaptive import STEPS_ACROSS, Adaptive, adam, rmsprop
from app.game.expression import CompiledFunction, PlanePoint, Point
from app.game.interval import curve
from app.game.moves import Mode, Position, StepBounds, take_step
from app.game.noise import with_noisy_slopes

MOMENTUM_BETA = 0.9
DEFAULT_BUDGET = 20


def ghost_budget(guess_budget: int | None, used: list[int]) -> int:
    """How many guesses the reference players get: the level's budget, else the median
    number of guesses the teams used (at least 2), else 20."""
    if guess_budget:
        return guess_budget
    if used:
        return max(2, round(statistics.median(used)))
    return DEFAULT_BUDGET


@dataclass(frozen=True)
class Ghost:
    """One reference player's game: its name, its settings (shown), and its guesses."""

    key: str
    params: dict[str, float] = field(default_factory=dict)
    path: tuple[Point | PlanePoint, ...] = ()
    first_move: int = 0  # 1 on stepping levels: the path begins at the level's start

    @property
    def best(self) -> Point | PlanePoint:
        """The lowest f(x) the player reached (the first one on a tie), as teams rank."""
        return min(self.path[self.first_move :] or self.path, key=lambda p: p.fx)


def learning_rate(fn: CompiledFunction, x_min: float, x_max: float) -> float:
    """A step size for plain descent on this level: 1 / (the largest curvature |f''| seen on
    the domain), rounded to two significant digits — the textbook safe choice, so the
    class can see it is safe and slow where the curve is gentle."""
    points = curve(fn, x_min, x_max, 401)
    h = (x_max - x_min) / 400
    bends = (abs(points[i + 1].slope - points[i - 1].slope) / (2 * h) for i in range(1, 400))
    curvature = max((bend for bend in bends if math.isfinite(bend)), default=0.0)
    if curvature <= 1e-9:
        return round_to_two((x_max - x_min) / 10)
    return round_to_two(1 / curvature)


def adaptive_rate(*sides: float) -> float:
    """η for Adam and RMSProp: a fortieth of the domain's narrowest side, two significant
    digits (their steps are lengths, not multiples of the slope)."""
    return round_to_two(min(sides) / STEPS_ACROSS)


def round_to_two(value: float) -> float:
    """``value`` with two significant digits (η = 0.019, not 0.0193448...)."""
    return float(f"{value:.2g}")


def _clamp(x: float, x_min: float, x_max: float) -> float:
    return min(max(x, x_min), x_max)


def finite_start(fn: CompiledFunction, x0: float, x_min: float, x_max: float) -> float:
    """``x0``, or the nearest point of the domain where f and f' are finite (|x| has no
    slope at its kink, sqrt(|x|) none at 0): a team asking there would be refused."""
    x0 = _clamp(x0, x_min, x_max)
    if fn.at(x0).is_finite:
        return x0
    width = x_max - x_min
    for k in range(1, 401):
        for x in (x0 + k * width / 400, x0 - k * width / 400):
            if x_min <= x <= x_max and fn.at(x).is_finite:
                return x
    raise ValueError("f has no finite slope anywhere on the domain")


def _walk(
    fn: CompiledFunction, x0: float, budget: int, step: Callable[[list[Point]], float]
) -> tuple[Point, ...]:
    """Guess x0 (a finite point), then up to ``budget - 1`` times the x that ``step`` picks
    from the guesses so far; stop early where f or f' is not finite."""
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
        at = Position(path[-1].x, path[-1].fx, path[-1].slope)
        return take_step(at, eta=eta, beta=0.0, x_min=x_min, x_max=x_max).x

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
    """v ← β·v − η·f'(x), x ← x + v: a ball that keeps some of its speed (at an edge, only
    the step it could take)."""
    velocity = 0.0

    def step(path: list[Point]) -> float:
        nonlocal velocity
        at = Position(path[-1].x, path[-1].fx, path[-1].slope, velocity)
        moved = take_step(at, eta=eta, beta=beta, x_min=x_min, x_max=x_max)
        velocity = moved.velocity
        return moved.x

    return Ghost("momentum", {"eta": eta, "beta": beta}, _walk(fn, x0, budget, step))


def random_search(
    fn: CompiledFunction, x_min: float, x_max: float, budget: int, seed: str
) -> Ghost:
    """Uniform guesses over the domain, ignoring every slope (seeded: the same each time)."""
    draw = random.Random(seed)  # noqa: S311 - a reproducible game, not a secret

    def pick(_path: list[Point] | None = None) -> float:
        for _ in range(100):  # like a team, try again where f has no slope
            x = draw.uniform(x_min, x_max)
            if fn.at(x).is_finite:
                return x
        return x

    return Ghost(
        "random_search", {}, _walk(fn, finite_start(fn, pick(), x_min, x_max), budget, pick)
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


def adaptive_player(
    fn: CompiledFunction, x0: float, x_min: float, x_max: float, budget: int, rule: Adaptive
) -> Ghost:
    """Adam or RMSProp (``app.game.adaptive``) from x0, each step stopping at the edge."""

    def step(path: list[Point]) -> float:
        return _clamp(rule.step([path[-1].x], [path[-1].slope])[0], x_min, x_max)

    return Ghost(rule.key, dict(rule.params), _walk(fn, x0, budget, step))


def bayesian(fn: CompiledFunction, x0: float, x_min: float, x_max: float, budget: int) -> Ghost:
    """Bayesian optimisation (``app.game.bayes``) from x0, on f alone."""

    def value(point: Sequence[float]) -> float | None:
        found = fn.at(point[0])
        return found.fx if found.is_finite else None

    points = bayes.play(value, [x0], [x_min], [x_max], min(budget, bayes.MAX_BUDGET)) or [[x0]]
    length = round_to_two(bayes.LENGTH * (x_max - x_min))
    return Ghost("bayesian", {"length": length}, tuple(fn.at(p[0]) for p in points))


def play_all(
    fn: CompiledFunction,
    x0: float,
    x_min: float,
    x_max: float,
    budget: int,
    seed: str,
    noise: float | None = None,
) -> list[Ghost]:
    """Every reference player on one level, from the same start with the same budget (each
    on its own draws of the slope noise, if the level has any)."""
    eta = learning_rate(fn, x_min, x_max)
    x0 = finite_start(fn, x0, x_min, x_max)

    def seen(key: str) -> CompiledFunction:
        return with_noisy_slopes(fn, noise, f"{seed}/{key}")

    rate = adaptive_rate(x_max - x_min)
    return [
        gradient_descent(seen("gradient_descent"), x0, x_min, x_max, budget, eta),
        momentum(seen("momentum"), x0, x_min, x_max, budget, eta),
        random_search(fn, x_min, x_max, budget, seed),
        tangent_intersection(seen("tangent_intersection"), x0, x_min, x_max, budget, eta),
        adaptive_player(seen("adam"), x0, x_min, x_max, budget, adam(rate)),
        adaptive_player(seen("rmsprop"), x0, x_min, x_max, budget, rmsprop(rate)),
        bayesian(fn, x0, x_min, x_max, budget),
    ]


def play_steps(
    fn: CompiledFunction,
    start: float,
    x_min: float,
    x_max: float,
    budget: int,
    mode: Mode,
    bounds: StepBounds,
    noise: float | None = None,
    seed: str = "",
) -> list[Ghost]:
    """The players of a learning-rate or momentum level: ``budget`` steps each from the
    level's start, with the game's η (within the level's bound) and, on a momentum level,
    β = 0.9 (within its bound)."""
    eta = min(learning_rate(fn, x_min, x_max), bounds.eta_max)
    descent = with_noisy_slopes(fn, noise, f"{seed}/gradient_descent")
    ghosts = [gradient_descent(descent, start, x_min, x_max, budget + 1, eta)]
    if mode is Mode.MOMENTUM:
        beta = min(MOMENTUM_BETA, bounds.beta_max)
        ball = with_noisy_slopes(fn, noise, f"{seed}/momentum")
        ghosts.append(momentum(ball, start, x_min, x_max, budget + 1, eta, beta))
    return [Ghost(g.key, g.params, g.path, first_move=1) for g in ghosts]
