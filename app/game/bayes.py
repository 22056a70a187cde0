"""Bayesian optimisation as a reference player: a Gaussian process with expected improvement.

Research on people searching a hidden function (Borji & Itti, NIPS 2013) found this the
model that predicts their next click best, so it is the opponent students resemble most.
It uses f alone, never the slope: after each guess it fits a Gaussian process to the
values so far (a squared-exponential kernel whose length is an eighth of the domain, on
values scaled to mean 0 and spread 1) and guesses where the expected improvement on the
best value is largest, over an even grid of candidates (``GRID`` points on a curve,
``GRID_2D`` a side on a plane). It is deterministic: the same level, the same game.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

GRID = 401
MAX_BUDGET = 60  # guesses at most: each refits the process to every guess so far
GRID_2D = 41
LENGTH = 1 / 8  # the kernel's length, as a fraction of each side of the domain
JITTER = 1e-6
XI = 0.01  # how much better than the best a candidate must promise, in scaled units


def next_guess(
    seen: Sequence[Sequence[float]], values: Sequence[float], candidates: np.ndarray
) -> np.ndarray:
    """The candidate (a row of ``candidates``, in units where each side of the domain is 1)
    with the largest expected improvement, given the points ``seen`` and their ``values``."""
    x = np.asarray(seen, dtype=float)
    y = np.asarray(values, dtype=float)
    spread = float(y.std()) or 1.0
    scaled = (y - y.mean()) / spread
    gram = _kernel(x, x) + JITTER * np.eye(len(x))
    factor = np.linalg.cholesky(gram)
    alpha = np.linalg.solve(factor.T, np.linalg.solve(factor, scaled))
    across = _kernel(candidates, x)
    mean = across @ alpha
    v = np.linalg.solve(factor, across.T)
    sd = np.sqrt(np.clip(1.0 - np.sum(v * v, axis=0), 1e-12, None))
    gain = scaled.min() - mean - XI
    z = gain / sd
    improvement = gain * _normal_cdf(z) + sd * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    improvement[_already(candidates, x)] = -np.inf  # a guess made gives nothing new
    best: np.ndarray = candidates[int(np.argmax(improvement))]
    return best


def _kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)
    found: np.ndarray = np.exp(-0.5 * squared / LENGTH**2)
    return found


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[float])
    found: np.ndarray = 0.5 * (1.0 + erf(z / math.sqrt(2)))
    return found


def _already(candidates: np.ndarray, seen: np.ndarray) -> np.ndarray:
    near = np.min(np.sum((candidates[:, None, :] - seen[None, :, :]) ** 2, axis=-1), axis=1)
    found: np.ndarray = near < 1e-12
    return found


def play(
    evaluate: Callable[[Sequence[float]], float | None],
    start: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    budget: int,
) -> list[list[float]]:
    """The points Bayesian optimisation guesses, from ``start``, ``budget`` of them (fewer
    where ``evaluate`` says a point is not playable: None). Points are in the domain's own
    units; the model works where each side is 1."""
    low, size = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float) - np.asarray(lows)
    steps = GRID if len(lows) == 1 else GRID_2D
    axes = [np.linspace(0.0, 1.0, steps)] * len(lows)
    candidates = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    first = evaluate(start)
    if first is None:
        return []
    points: list[list[float]] = [list(start)]
    seen = [[float(v) for v in (np.asarray(start) - low) / size]]
    values = [first]
    while len(points) < budget:
        unit = next_guess(seen, values, candidates)
        point = [float(v) for v in low + unit * size]
        value = evaluate(point)
        if value is None:
            break
        points.append(point)
        seen.append([float(v) for v in unit])
        values.append(value)
    return points
