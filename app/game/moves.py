"""How a team moves on a level, as pure functions: it chooses x (free guess), or a learning
rate η (the server applies x ← x − η·f'(x)), or η and a momentum β (the server keeps the
velocity: v ← β·v − η·f'(x), x ← x + v).

A step that would leave the domain stops at its edge and is marked clamped; the velocity
is then the step actually taken (the ball stops at the wall instead of pushing into it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.game.plane import Rectangle
from app.game.rules import BadNumber, parse_x

MAX_ETA = 1e6  # the largest bound an instructor may set on η
MAX_BETA = 0.999  # β = 1 never forgets a step: the ball would never settle
DEFAULT_ETA_MAX = 10.0
DEFAULT_BETA_MAX = 0.99


class Mode(StrEnum):
    """What a team chooses on a level."""

    FREE = "free"
    LEARNING_RATE = "learning_rate"
    MOMENTUM = "momentum"

    @property
    def steps(self) -> bool:
        """Whether the server moves the team (from the level's start point)."""
        return self is not Mode.FREE

    def shown_bounds(self, bounds: StepBounds) -> tuple[float | None, float | None]:
        """The limits of η and β a team of this mode is told (None: it does not choose it)."""
        return (
            bounds.eta_max if self.steps else None,
            bounds.beta_max if self is Mode.MOMENTUM else None,
        )


@dataclass(frozen=True)
class StepBounds:
    """The level's limits on what a team may choose, set by the instructor."""

    eta_max: float = DEFAULT_ETA_MAX
    beta_max: float = DEFAULT_BETA_MAX


@dataclass(frozen=True)
class Position:
    """Where a team stands on a stepping level: its x, f and the slope there, its velocity;
    on a two-parameter level also its y, ∂f/∂y there and its velocity along y."""

    x: float
    fx: float
    slope: float
    velocity: float = 0.0
    y: float | None = None
    gy: float = 0.0
    velocity_y: float = 0.0


@dataclass(frozen=True)
class Step:
    """The move the server made for a team."""

    x: float
    velocity: float
    clamped: bool


class BadStep(ValueError):
    """A learning rate or momentum the level does not take: a code and its parameters."""

    def __init__(self, code: str, **params: float) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_rate(raw: object, *, name: str, bounds: StepBounds) -> float:
    """η (``name="eta"``) or β (``"beta"``) as sent, checked against the level's bounds.

    Read as x is (``parse_x``: a phone's decimal comma, full-width digits); η must be
    positive and at most ``eta_max``; β at least 0 and at most ``beta_max``."""
    try:
        value = parse_x(raw)
    except BadNumber as exc:
        code = f"{name}_missing" if exc.code == "x_missing" else f"{name}_not_a_number"
        raise BadStep(code) from None
    if name == "eta":
        if not 0 < value <= bounds.eta_max:
            raise BadStep("eta_out_of_bounds", high=bounds.eta_max)
    elif not 0 <= value <= bounds.beta_max:
        raise BadStep("beta_out_of_bounds", high=bounds.beta_max)
    return value


def take_step(at: Position, *, eta: float, beta: float, x_min: float, x_max: float) -> Step:
    """The server's update from ``at``: v ← β·v − η·f'(x), x ← x + v, kept in the domain.

    Learning-rate mode is the same with β = 0 (x ← x − η·f'(x))."""
    velocity = beta * at.velocity - eta * at.slope
    target = at.x + velocity
    if math.isfinite(target):
        x = min(max(target, x_min), x_max)
    else:  # a huge step: it goes to the edge it heads for
        x = x_max if velocity > 0 else x_min
    clamped = x != target
    return Step(x=x, velocity=x - at.x if clamped else velocity, clamped=clamped)


@dataclass(frozen=True)
class PlaneStep:
    """The move the server made for a team on a two-parameter level."""

    x: float
    y: float
    velocity: float
    velocity_y: float
    clamped: bool


def take_plane_step(at: Position, *, eta: float, beta: float, box: Rectangle) -> PlaneStep:
    """The same update on a two-parameter level, coordinate by coordinate: v ← β·v − η·∇f,
    (x, y) ← (x, y) + v, each coordinate kept between its bounds (the ball stops at the wall
    it meets and slides along it)."""
    assert at.y is not None  # noqa: S101
    along_x = take_step(at, eta=eta, beta=beta, x_min=box.x_min, x_max=box.x_max)
    along_y = take_step(
        Position(at.y, at.fx, at.gy, at.velocity_y),
        eta=eta,
        beta=beta,
        x_min=box.y_min,
        x_max=box.y_max,
    )
    return PlaneStep(
        x=along_x.x,
        y=along_y.x,
        velocity=along_x.velocity,
        velocity_y=along_y.velocity,
        clamped=along_x.clamped or along_y.clamped,
    )


def implied_rate(x_before: float, slope_before: float, x_after: float) -> float | None:
    """The η a free-guess step amounts to: −Δx / f'(x); None where the slope is zero."""
    if slope_before == 0:
        return None
    rate = -(x_after - x_before) / slope_before
    return rate if math.isfinite(rate) else None  # a slope too small to divide by


def implied_plane_rate(before: Mapping[str, float], after: Mapping[str, float]) -> float | None:
    """The η a free step on a two-parameter level amounts to: the step's length along −∇f
    over |∇f|², η = −(Δ·∇f) / |∇f|² with ∇f at the point before (``x``, ``y``, ``slope``
    and ``gy`` of each); None where the gradient is zero."""
    gx, gy = before["slope"], before["gy"]
    norm = math.hypot(gx, gy)  # |∇f| without overflowing where the gradient is huge
    if norm == 0:
        return None
    along = (after["x"] - before["x"]) * (gx / norm) + (after["y"] - before["y"]) * (gy / norm)
    rate = -along / norm
    return rate if math.isfinite(rate) else None
