"""One-parameter levels: f over an interval, its true minimum and median, its curve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.game.expression import CompiledFunction, ExpressionError, Point
from app.game.sampling import safe_call, sampled


@dataclass(frozen=True)
class Analysis:
    """What sampling the domain found: the true minimum and the median of f."""

    x_star: float
    f_star: float
    f_median: float


SAMPLES = 4001


def analyze(fn: CompiledFunction, x_min: float, x_max: float) -> Analysis:
    """Sample f densely over [x_min, x_max], refine the lowest sample, take the median.

    Raises ExpressionError("expression_not_finite", x=...) at the first sample where
    f is not a finite number, so the level editor can name the place.
    """
    if not (math.isfinite(x_min) and math.isfinite(x_max)) or x_min >= x_max:
        raise ExpressionError("domain_invalid")
    xs = np.linspace(x_min, x_max, SAMPLES)
    values = sampled(fn.fv, fn.f, xs)  # every sample at once (numpy)
    undefined = np.flatnonzero(np.isnan(values))
    if undefined.size:
        raise ExpressionError("expression_not_finite", None, x=_round(float(xs[undefined[0]])))
    best = int(np.argmin(values))
    lo, hi = float(xs[max(best - 1, 0)]), float(xs[min(best + 1, SAMPLES - 1)])
    x_star = _golden_section(fn.f, lo, hi)
    f_star = safe_call(fn.f, x_star)
    if not math.isfinite(f_star) or f_star > values[best]:
        x_star, f_star = float(xs[best]), float(values[best])
    return Analysis(x_star=x_star, f_star=f_star, f_median=float(np.median(values)))


def _golden_section(f: Callable[[float], float], lo: float, hi: float) -> float:
    """The lowest point of f on [lo, hi], assuming one valley there (a sample's bracket)."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = safe_call(f, c), safe_call(f, d)
    for _ in range(80):
        if not (fc <= fd) and math.isfinite(fd):
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = safe_call(f, d)
        else:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = safe_call(f, c)
    return (a + b) / 2


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def curve(fn: CompiledFunction, x_min: float, x_max: float, points: int = 241) -> list[Point]:
    """f and f' on an even grid over the domain (for the reveal only)."""
    xs = np.linspace(x_min, x_max, points)
    fs, slopes = fn.sample(xs)
    return [
        Point(x, f, s) for x, f, s in zip(xs.tolist(), fs.tolist(), slopes.tolist(), strict=True)
    ]
