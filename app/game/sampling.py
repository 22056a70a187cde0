"""Sampling a function over numpy arrays: a whole domain at once (the true minimum and
median, the curve, the contour map), with NaN wherever it is not defined or overflows, as
one plain-Python call per point would give (``app.game.expression`` compiles both forms).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Vector = Callable[..., Any]  # f over numpy arrays (a scalar for a constant f)
# how sympy's printed names read in numpy (the real sign and absolute value of expression.py)
NUMPY_MODULES: list[Any] = [
    {"sign": np.sign, "Abs": np.abs, "RealSign": np.sign, "RealAbs": np.abs},
    "numpy",
]


def sampled(vector: Vector | None, scalar: Callable[..., float], *grids: np.ndarray) -> np.ndarray:
    """``vector`` over the arrays at once, as floats with NaN where the value is not
    finite; one scalar call per element where there is no vector form (a player's noisy
    view) or numpy refuses the arrays."""
    shape = np.broadcast_shapes(*(grid.shape for grid in grids))
    values = None
    if vector is not None:
        # an overflow inside f (exp(-1000x) in a sigmoid) raises in plain Python, giving NaN
        # there: numpy is asked to raise too, and the points are then taken one by one
        with np.errstate(over="raise", divide="ignore", invalid="ignore", under="ignore"):
            try:
                values = np.broadcast_to(np.asarray(vector(*grids), dtype=float), shape).copy()
            except (ArithmeticError, ValueError, TypeError):  # FloatingPointError included
                values = None
    if values is None:
        # plain Python floats: numpy's own would warn instead of raising on 1/0
        columns = [grid.ravel().tolist() for grid in np.broadcast_arrays(*grids)]
        points = zip(*columns, strict=True)
        values = np.array([safe_call(scalar, *p) for p in points], dtype=float).reshape(shape)
    values[~np.isfinite(values)] = np.nan
    return values


def safe_call(fn: Callable[..., float], *args: float) -> float:
    """``fn`` at one point as a float, NaN where it is not defined (it raised)."""
    try:
        return float(fn(*args))
    except (ArithmeticError, ValueError, TypeError):
        return math.nan
