"""The reference players on a two-parameter level: the same opponents as on a curve
(``app.game.players``), moving on f(x, y) and its gradient under the teams' rules.

Gradient descent and momentum step both coordinates with the update rule the server
applies to teams (``take_plane_step``: each coordinate stops at its edge); random search
ignores every gradient; Adam and RMSProp scale each coordinate's step by its own slopes.
There is no tangent-intersection player here: its secant of f' is
an idea of one variable. The learning rate is the textbook safe one, 1 / the largest
curvature of f on the rectangle (the largest eigenvalue of its Hessian), so on the
lecture's regression line the class sees why plain descent crawls along a long valley.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from app.game import bayes
from app.game.adaptive import Adaptive, adam, rmsprop
from app.game.expression import CompiledPlane, PlanePoint
from app.game.moves import Mode, Position, StepBounds, take_plane_step
from app.game.plane import Rectangle
from app.game.players import DEFAULT_BUDGET, MOMENTUM_BETA, Ghost, adaptive_rate, round_to_two

CURVATURE_GRID = 21


def plane_learning_rate(fn: CompiledPlane, box: Rectangle) -> float:
    """1 / the largest eigenvalue of f's Hessian seen on a grid over the rectangle (from
    central differences of the exact gradient), with two significant digits.

    A kink (a ReLU's, where a data point's a·u + b crosses 0) is no curvature: there the
    gradient jumps, and its difference over a step grows as the step shrinks. A point
    whose estimate changes by more than a quarter when the step is halved is passed over.
    """
    scale = max(box.x_max - box.x_min, box.y_max - box.y_min)
    h = 1e-4 * scale
    largest = 0.0
    for i in range(CURVATURE_GRID):
        x = box.x_min + (box.x_max - box.x_min) * i / (CURVATURE_GRID - 1)
        for j in range(CURVATURE_GRID):
            y = box.y_min + (box.y_max - box.y_min) * j / (CURVATURE_GRID - 1)
            bend = _bend(fn, x, y, h)
            if math.isfinite(bend) and abs(_bend(fn, x, y, h / 2) - bend) <= 0.25 * bend:
                largest = max(largest, bend)
    if largest <= 1e-9:
        return round_to_two(scale / 10)
    return round_to_two(1 / largest)


def _bend(fn: CompiledPlane, x: float, y: float, h: float) -> float:
    """The larger eigenvalue (in size) of f's Hessian at (x, y), from differences over h."""
    right, left = fn.at(x + h, y), fn.at(x - h, y)
    up, down = fn.at(x, y + h), fn.at(x, y - h)
    hxx, hyy = (right.gx - left.gx) / (2 * h), (up.gy - down.gy) / (2 * h)
    hxy = ((right.gy - left.gy) + (up.gx - down.gx)) / (4 * h)
    mean, spread = (hxx + hyy) / 2, math.hypot((hxx - hyy) / 2, hxy)
    return abs(mean) + spread


def noisy_plane(fn: CompiledPlane, size: float | None, seed: str) -> CompiledPlane:
    """``fn`` whose gradient gets fresh seeded draws at every call (a player's view of a
    level with noisy slopes); ``fn`` itself where there is no noise."""
    if not size:
        return fn
    draws = random.Random(seed)  # noqa: S311 - a reproducible game, not a secret
    dfx, dfy = fn.dfx, fn.dfy
    return CompiledPlane(
        text=fn.text,
        f=fn.f,
        dfx=lambda x, y: dfx(x, y) + draws.gauss(0.0, size),
        dfy=lambda x, y: dfy(x, y) + draws.gauss(0.0, size),
    )


def finite_plane_start(
    fn: CompiledPlane, x: float, y: float, box: Rectangle
) -> tuple[float, float]:
    """(x, y) kept in the rectangle, or the nearest grid point where f and its gradient are
    finite (a team asking elsewhere would be refused)."""
    x, y = box.clamp(x, y)
    if fn.at(x, y).is_finite:
        return x, y
    width, height = box.x_max - box.x_min, box.y_max - box.y_min
    for k in range(1, 101):
        for dx, dy in ((k, 0), (-k, 0), (0, k), (0, -k), (k, k), (-k, -k), (k, -k), (-k, k)):
            nx, ny = x + dx * width / 100, y + dy * height / 100
            if box.holds(nx, ny) and fn.at(nx, ny).is_finite:
                return nx, ny
    raise ValueError("f has no finite gradient anywhere on the rectangle")


def _walk(
    fn: CompiledPlane,
    start: tuple[float, float],
    budget: int,
    step: Callable[[list[PlanePoint]], tuple[float, float]],
) -> tuple[PlanePoint, ...]:
    path = [fn.at(*start)]
    while len(path) < budget:
        nxt = fn.at(*step(path))
        if not nxt.is_finite:
            break
        path.append(nxt)
    return tuple(path)


def plane_descent(
    fn: CompiledPlane,
    start: tuple[float, float],
    box: Rectangle,
    budget: int,
    eta: float,
    beta: float = 0.0,
) -> Ghost:
    """(x, y) ← (x, y) − η·∇f (``beta`` 0), or with momentum v ← β·v − η·∇f."""
    velocity = (0.0, 0.0)

    def step(path: list[PlanePoint]) -> tuple[float, float]:
        nonlocal velocity
        last = path[-1]
        at = Position(last.x, last.fx, last.gx, velocity[0], last.y, last.gy, velocity[1])
        moved = take_plane_step(at, eta=eta, beta=beta, box=box)
        velocity = (moved.velocity, moved.velocity_y)
        return moved.x, moved.y

    if beta:
        return Ghost("momentum", {"eta": eta, "beta": beta}, _walk(fn, start, budget, step))
    return Ghost("gradient_descent", {"eta": eta}, _walk(fn, start, budget, step))


def plane_adaptive(
    fn: CompiledPlane, start: tuple[float, float], box: Rectangle, budget: int, rule: Adaptive
) -> Ghost:
    """Adam or RMSProp (``app.game.adaptive``): each coordinate its own step size, each
    stopping at its edge."""

    def step(path: list[PlanePoint]) -> tuple[float, float]:
        last = path[-1]
        x, y = rule.step([last.x, last.y], [last.gx, last.gy])
        return box.clamp(x, y)

    return Ghost(rule.key, dict(rule.params), _walk(fn, start, budget, step))


def plane_bayesian(
    fn: CompiledPlane, start: tuple[float, float], box: Rectangle, budget: int
) -> Ghost:
    """Bayesian optimisation (``app.game.bayes``) over the rectangle, on f alone."""

    def value(point: Sequence[float]) -> float | None:
        found = fn.at(point[0], point[1])
        return found.fx if found.is_finite else None

    lows, highs = (box.x_min, box.y_min), (box.x_max, box.y_max)
    points = bayes.play(value, start, lows, highs, min(budget, bayes.MAX_BUDGET)) or [list(start)]
    length = round_to_two(bayes.LENGTH * min(box.x_max - box.x_min, box.y_max - box.y_min))
    return Ghost("bayesian", {"length": length}, tuple(fn.at(p[0], p[1]) for p in points))


def plane_random_search(fn: CompiledPlane, box: Rectangle, budget: int, seed: str) -> Ghost:
    """Uniform guesses over the rectangle, ignoring every gradient (seeded)."""
    draw = random.Random(seed)  # noqa: S311 - a reproducible game, not a secret

    def pick(_path: list[PlanePoint] | None = None) -> tuple[float, float]:
        for _ in range(100):
            x, y = draw.uniform(box.x_min, box.x_max), draw.uniform(box.y_min, box.y_max)
            if fn.at(x, y).is_finite:
                break
        return x, y

    return Ghost("random_search", {}, _walk(fn, finite_plane_start(fn, *pick(), box), budget, pick))


def play_plane(
    fn: CompiledPlane,
    start: tuple[float, float],
    box: Rectangle,
    budget: int = DEFAULT_BUDGET,
    *,
    mode: Mode = Mode.FREE,
    bounds: StepBounds | None = None,
    noise: float | None = None,
    seed: str = "",
) -> list[Ghost]:
    """The reference players of a two-parameter level. On a free-guess level: gradient
    descent, momentum and random search from ``start`` with ``budget`` guesses. On a
    stepping level: the players that move as the teams do, ``budget`` steps from the
    level's start, with η (and β = 0.9) within the level's bounds."""
    eta = plane_learning_rate(fn, box)
    start = finite_plane_start(fn, *start, box)

    def seen(key: str) -> CompiledPlane:
        return noisy_plane(fn, noise, f"{seed}/{key}")

    if mode is Mode.FREE:
        rate = adaptive_rate(box.x_max - box.x_min, box.y_max - box.y_min)
        return [
            plane_descent(seen("gradient_descent"), start, box, budget, eta),
            plane_descent(seen("momentum"), start, box, budget, eta, MOMENTUM_BETA),
            plane_random_search(fn, box, budget, seed),
            plane_adaptive(seen("adam"), start, box, budget, adam(rate)),
            plane_adaptive(seen("rmsprop"), start, box, budget, rmsprop(rate)),
            plane_bayesian(fn, start, box, budget),
        ]
    bounds = bounds or StepBounds()
    eta = min(eta, bounds.eta_max)
    ghosts = [plane_descent(seen("gradient_descent"), start, box, budget + 1, eta)]
    if mode is Mode.MOMENTUM:
        beta = min(MOMENTUM_BETA, bounds.beta_max)
        ghosts.append(plane_descent(seen("momentum"), start, box, budget + 1, eta, beta))
    return [Ghost(g.key, g.params, g.path, first_move=1) for g in ghosts]
