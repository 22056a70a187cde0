"""Two-parameter levels: f(x, y) over a rectangle, its true minimum and median, and the
lecture's regression line as a level.

The minimum is found as for one variable, by sampling densely and then refining: a grid
over the rectangle, then from its lowest point Newton steps on the exact gradient (the
Hessian from central differences of it), each kept only if it stays in the rectangle and
lowers f, else a halved gradient step. On a quadratic, such as a mean squared error, one
Newton step lands on the minimum exactly, however elongated its valley.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.game.expression import (
    CompiledPlane,
    ExpressionError,
    PlanePoint,
)

GRID = 101  # samples along each side: 10,201 in all
REFINE_STEPS = 60
CONTOUR_GRID = 61  # samples along each side of the contour map the reveal draws


@dataclass(frozen=True)
class PlaneAnalysis:
    """The true minimum of f on the rectangle, where it is, and the median of f there."""

    x_star: float
    y_star: float
    f_star: float
    f_median: float


@dataclass(frozen=True)
class Rectangle:
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def holds(self, x: float, y: float) -> bool:
        return self.x_min <= x <= self.x_max and self.y_min <= y <= self.y_max

    def clamp(self, x: float, y: float) -> tuple[float, float]:
        return min(max(x, self.x_min), self.x_max), min(max(y, self.y_min), self.y_max)


def analyze_plane(fn: CompiledPlane, box: Rectangle) -> PlaneAnalysis:
    """Sample f over the rectangle, refine the lowest sample, take the median.

    Raises ExpressionError("expression_not_finite_at", x=..., y=...) at the first sample where
    f is not a finite number, so the level editor can name the place."""
    if box.x_min >= box.x_max or box.y_min >= box.y_max:
        raise ExpressionError("domain_invalid")
    xs, ys = _grid(box, GRID)  # x along the first axis, as the grid was always walked
    values = fn.sample(xs[:, None], ys[None, :])  # every sample at once (numpy)
    undefined = np.argwhere(np.isnan(values))
    if undefined.size:
        i, j = undefined[0]
        x, y = float(xs[i]), float(ys[j])
        raise ExpressionError("expression_not_finite_at", None, x=round(x, 6), y=round(y, 6))
    i, j = np.unravel_index(int(np.argmin(values)), values.shape)
    at = _refine(fn, box, fn.at(float(xs[i]), float(ys[j])))
    return PlaneAnalysis(at.x, at.y, at.fx, float(np.median(values)))


def _grid(box: Rectangle, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` even steps along each side of the rectangle."""
    return np.linspace(box.x_min, box.x_max, size), np.linspace(box.y_min, box.y_max, size)


def _refine(fn: CompiledPlane, box: Rectangle, at: PlanePoint) -> PlanePoint:
    scale = max(box.x_max - box.x_min, box.y_max - box.y_min)
    for _ in range(REFINE_STEPS):
        if not at.is_finite:
            return at
        moved = _newton(fn, box, at, scale) or _descent(fn, box, at)
        if moved is None or moved.fx >= at.fx:
            return at
        at = moved
    return at


def _newton(fn: CompiledPlane, box: Rectangle, at: PlanePoint, scale: float) -> PlanePoint | None:
    h = 1e-6 * scale
    right, up = fn.at(at.x + h, at.y), fn.at(at.x, at.y + h)
    left, down = fn.at(at.x - h, at.y), fn.at(at.x, at.y - h)
    hxx, hyy = (right.gx - left.gx) / (2 * h), (up.gy - down.gy) / (2 * h)
    hxy = ((right.gy - left.gy) + (up.gx - down.gx)) / (4 * h)
    det = hxx * hyy - hxy * hxy
    if not (math.isfinite(det) and det > 0 and hxx > 0):  # not a bowl here
        return None
    dx = (hyy * at.gx - hxy * at.gy) / det
    dy = (hxx * at.gy - hxy * at.gx) / det
    x, y = at.x - dx, at.y - dy
    if not box.holds(x, y):
        return None
    moved = fn.at(x, y)
    return moved if moved.is_finite and moved.fx <= at.fx else None


def _descent(fn: CompiledPlane, box: Rectangle, at: PlanePoint) -> PlanePoint | None:
    norm = math.hypot(at.gx, at.gy)
    if norm == 0:
        return None
    step = max(box.x_max - box.x_min, box.y_max - box.y_min) / 10
    for _ in range(40):
        x, y = box.clamp(at.x - step * at.gx / norm, at.y - step * at.gy / norm)
        moved = fn.at(x, y)
        if moved.is_finite and moved.fx < at.fx:
            return moved
        step /= 2
    return None


def contour_grid(
    fn: CompiledPlane, box: Rectangle, size: int = CONTOUR_GRID
) -> dict[str, list[Any]]:
    """f sampled on a ``size`` × ``size`` grid over the rectangle, for a contour map: the
    xs, the ys and one row of values per y (None where f is not defined)."""
    xs, ys = _grid(box, size)
    values = fn.sample(xs[None, :], ys[:, None])  # one row per y
    rows = [
        [None if math.isnan(value) else float(f"{value:.6g}") for value in row]
        for row in values.tolist()
    ]
    return {
        "x": [round(x, 9) for x in xs.tolist()],
        "y": [round(y, 9) for y in ys.tolist()],
        "z": rows,
    }


# The lecture's example: nine (swearing factor, IQ) pairs from its slide. A line
# IQ = a·swearing + b is fitted by gradient descent on its mean squared error, with a as x
# and b as y.
REGRESSION_POINTS: tuple[tuple[float, float], ...] = (
    (15.35, 80),
    (14.35, 81),
    (13.9, 85),
    (10.7, 90),
    (18.4, 91),
    (12.20, 95),
    (15.606, 101),
    (17.70, 102),
    (20.33, 110),
)


def mean_squared_error(points: tuple[tuple[float, float], ...]) -> str:
    """The mean squared error of the line v = x·u + y over the points (u, v), as an
    expression: the line's slope is the level's x and its intercept the level's y."""
    terms = " + ".join(f"({v:g} - ({u:g}*x + y))^2" for u, v in points)
    return f"({terms})/{len(points)}"
