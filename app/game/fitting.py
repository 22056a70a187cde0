"""Levels whose f is the loss of a tiny model on a data set the level carries.

The lecture goes from a regression line to a neuron: each is a model ŷ(u) with two
parameters a and b that teams choose as a level's x and y, and f(a, b) is its loss over the
level's points (u, v):

- ``line``: ŷ = a·u + b, the mean squared error (the lecture's regression line);
- ``relu``: ŷ = c·ReLU(a·u + b) + d with c and d fixed, the mean squared error. Where
  a·u + b ≤ 0 at every point the neuron is dead: ŷ = d whatever a and b, and f is flat;
- ``neuron``: p = σ(a·u + b), the probability that a point is of class 1 (v is 0 or 1),
  the mean cross-entropy (the lecture's cat-and-dog detector in miniature).

The loss and its exact gradient are written in numpy, not as an expression: a data set of
a few hundred points is far past what an expression may be. ``Fit.loss`` is compiled once
per fit into the same ``CompiledPlane`` an expression in x and y gives, so the guess path,
the reference players and the reveal play it like any two-parameter level.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from app.game.expression import CompiledPlane

MAX_POINTS = 300
FIT_SAMPLES = 61  # the points along u where the reveal draws each model's output


class FitKind(StrEnum):
    LINE = "line"
    RELU = "relu"
    NEURON = "neuron"

    @property
    def fixed(self) -> bool:
        """The model has fixed parameters c and d."""
        return self is FitKind.RELU


class FitError(ValueError):
    """What is wrong with a fit's field: the field, a message code and its parameters."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        super().__init__(f"{field}: {code} {params}")
        self.field, self.code, self.params = field, code, params


Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Fit:
    """A model and its data: the points (u, v), and c and d where the model fixes them."""

    kind: FitKind
    data: Points
    c: float = 1.0
    d: float = 0.0

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        us = np.array([u for u, _ in self.data], dtype=float)
        return us, np.array([v for _, v in self.data], dtype=float)

    def predict(self, a: Any, b: Any, us: np.ndarray) -> np.ndarray:
        """ŷ at every u (p, the probability of class 1, for a neuron); a and b may be
        arrays that broadcast against ``us``."""
        z: np.ndarray = np.asarray(a * us + b, dtype=float)
        if self.kind is FitKind.RELU:
            return np.asarray(self.c * np.maximum(z, 0.0) + self.d, dtype=float)
        if self.kind is FitKind.NEURON:
            return np.asarray(_sigmoid(z), dtype=float)
        return z

    def _loss_and_slopes(self, a: Any, b: Any) -> tuple[Any, Any, Any]:
        """The loss at (a, b) and its two partial derivatives, over the data's last axis."""
        us, vs = self._arrays
        a, b = np.asarray(a, dtype=float)[..., None], np.asarray(b, dtype=float)[..., None]
        z = a * us + b
        if self.kind is FitKind.NEURON:
            loss = _softplus(z) - vs * z  # −v·log σ(z) − (1 − v)·log(1 − σ(z)), stable
            dz = _sigmoid(z) - vs
        else:
            residual = self.predict(a, b, us) - vs
            loss = residual**2
            dz = 2 * residual * (self.c * (z > 0) if self.kind is FitKind.RELU else 1.0)
        return loss.mean(axis=-1), (dz * us).mean(axis=-1), dz.mean(axis=-1)

    @cached_property
    def loss(self) -> CompiledPlane:
        """f(x, y) = the loss at a = x, b = y, and its gradient, as a compiled plane."""

        last: list[tuple[tuple[float, float], tuple[float, ...]]] = []

        def values(x: float, y: float) -> tuple[float, ...]:
            """The loss and its slopes at (x, y): ``at`` asks three times in a row."""
            held = last[-1] if last else None  # one read: other threads may replace it
            if held is not None and held[0] == (x, y):
                return held[1]
            with np.errstate(all="ignore"):
                found = tuple(float(v) for v in self._loss_and_slopes(x, y))
            found = tuple(v if math.isfinite(v) else math.nan for v in found)
            last[:] = [((x, y), found)]
            return found

        def scalar(which: int) -> Any:
            return lambda x, y: values(x, y)[which]

        def sample(xs: Any, ys: Any) -> np.ndarray:
            with np.errstate(all="ignore"):
                values = self._loss_and_slopes(*np.broadcast_arrays(xs, ys))[0]
            return np.where(np.isfinite(values), values, np.nan)

        return CompiledPlane(self.formula, scalar(0), scalar(1), scalar(2), sample)

    @property
    def formula(self) -> str:
        """The loss as the reveal writes it, with a as x and b as y."""
        n = len(self.data)
        if self.kind is FitKind.NEURON:
            return f"(1/{n})·Σ −v·log σ(x·u + y) − (1 − v)·log(1 − σ(x·u + y))"
        model = "x·u + y"
        if self.kind is FitKind.RELU:
            model = f"{self.c:g}·ReLU(x·u + y) + {self.d:g}".replace("+ -", "− ")
        return f"(1/{n})·Σ ({model} − v)²"

    def outputs(self, params: Sequence[tuple[float, float]]) -> dict[str, Any]:
        """The model's output along u (over the data's span, a little wider) for each
        (a, b): what the reveal draws over the data."""
        us, _ = self._arrays
        low, high = float(us.min()), float(us.max())
        margin = (high - low) * 0.05 or 1.0
        grid = np.linspace(low - margin, high + margin, FIT_SAMPLES)
        with np.errstate(all="ignore"):
            rows = [self.predict(a, b, grid) for a, b in params]
        return {
            "u": [round(u, 9) for u in grid.tolist()],
            "y": [[_plain(value) for value in row.tolist()] for row in rows],
        }


def _sigmoid(z: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), without overflow


def _softplus(z: Any) -> Any:
    return np.logaddexp(0.0, z)  # log(1 + e^z), without overflow


def _plain(value: float) -> float | None:
    return float(f"{value:.6g}") if math.isfinite(value) else None


def read_fit(kind: str, data: str, c: str = "", d: str = "") -> Fit | None:
    """The fit a form (or a lesson file) describes, or None for a level without one.

    ``data`` is CSV as pasted from a spreadsheet: a point "u, v" a line (a comma, a
    semicolon, a tab or spaces between), blank lines skipped, and a first line of names
    (like "u,v") skipped. Raises FitError at the first wrong field: the kind, the data
    (not numbers, not two values a line, none, too many, a neuron's v not 0 or 1), or c
    and d (not numbers; c = 0 makes the model flat)."""
    if not kind.strip():
        if data.strip():
            raise FitError("fit", "fit_needed_for_data")
        return None
    try:
        fit_kind = FitKind(kind.strip())
    except ValueError:
        raise FitError("fit", "invalid_request") from None
    points = read_points(data)
    if fit_kind is FitKind.NEURON and any(v not in (0, 1) for _, v in points):
        line = next(i for i, (_, v) in enumerate(points) if v not in (0, 1))
        raise FitError("fit_data", "data_classes", point=line + 1)
    if not fit_kind.fixed:
        return Fit(fit_kind, points)
    fixed_c, fixed_d = _fixed("fit_c", c, 1.0), _fixed("fit_d", d, 0.0)
    if fixed_c == 0:
        raise FitError("fit_c", "fit_c_zero")
    return Fit(fit_kind, points, fixed_c, fixed_d)


def _fixed(field: str, text: str, default: float) -> float:
    raw = text.strip().replace("\u2212", "-")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise FitError(field, "field_number") from None
    if not math.isfinite(value) or abs(value) > 1e6:
        raise FitError(field, "field_range", low=-1e6, high=1e6)
    return value


def read_points(text: str) -> Points:
    """The points (u, v) of pasted CSV (see ``read_fit``); FitError at the data field,
    naming the line as pasted."""
    rows = [(line, row) for line, row in _rows(text) if any(cell.strip() for cell in row)]
    if rows and not any(_number(cell) is not None for cell in rows[0][1]):
        rows = rows[1:]  # a first line of names, like "u,v"
    if not rows:
        raise FitError("fit_data", "data_empty")
    if len(rows) > MAX_POINTS:
        raise FitError("fit_data", "data_too_large", limit=MAX_POINTS, count=len(rows))
    points = []
    for line, row in rows:
        cells = [cell for cell in row if cell.strip()]
        if len(cells) != 2:
            raise FitError("fit_data", "data_ragged", line=line, count=len(cells))
        u, v = _number(cells[0]), _number(cells[1])
        if u is None or v is None:
            raise FitError("fit_data", "data_not_numbers", line=line)
        points.append((u, v))
    return tuple(points)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Each line's cells, with its number (from 1) as pasted."""
    lines = text.splitlines()
    if any("," in line for line in lines):
        cells = [next(csv.reader([line]), []) for line in lines]
    else:
        cells = [line.replace(";", " ").split() for line in lines]
    return list(enumerate(cells, start=1))


def _number(cell: str) -> float | None:
    try:
        value = float(cell.strip().replace("\u2212", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= 1e6 else None


def points_csv(points: Points) -> str:
    """The points as the editor shows them: "u,v" a line."""
    return "\n".join(f"{u:.15g},{v:.15g}" for u, v in points)


@lru_cache(maxsize=64)
def stored_fit(kind: str | None, data: str | None, c: float | None, d: float | None) -> Fit | None:
    """A level's fit from its stored columns (the data as CSV), read once per process."""
    if not kind or not data:
        return None
    return Fit(FitKind(kind), read_points(data), 1.0 if c is None else c, d or 0.0)
