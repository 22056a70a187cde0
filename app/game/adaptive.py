"""The optimisers of today as reference players: Adam and RMSProp, on a curve or a plane.

Both scale each coordinate's step by a running size of its own slopes, so a step is about
η long whatever the slope's size: they cross a plateau at speed and do not blow up on a
steep wall, where plain descent with one η must be slow on one to be safe on the other.
Standard settings (Adam: β₁ = 0.9, β₂ = 0.999; RMSProp: ρ = 0.9; ε = 1e-8), and one η per
level chosen like descent's, from the level alone and shown: a fortieth of the domain's
narrowest side, since their steps are lengths, not multiples of the slope. They play the
free-guess levels, under the teams' rules: each step stops at the domain's edge, and a
guess is made only where f and its slope are finite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

ADAM = {"beta1": 0.9, "beta2": 0.999}
RMSPROP = {"rho": 0.9}
EPSILON = 1e-8
STEPS_ACROSS = 40  # η: this fraction of the domain's narrowest side (``adaptive_rate``)


@dataclass
class Adaptive:
    """One adaptive optimiser's state over one or two coordinates: ``key`` is ``adam`` or
    ``rmsprop``; ``params`` its settings as shown (η and the rest)."""

    key: str
    params: dict[str, float]
    m: list[float] = field(default_factory=list)  # Adam: the running mean of the slopes
    v: list[float] = field(default_factory=list)  # the running mean of their squares
    t: int = 0

    def step(self, at: Sequence[float], slopes: Sequence[float]) -> list[float]:
        """Where the next guess goes (before the domain's edge is applied)."""
        if not self.v:
            self.m, self.v = [0.0] * len(at), [0.0] * len(at)
        self.t += 1
        eta = self.params["eta"]
        moved = []
        for i, (x, g) in enumerate(zip(at, slopes, strict=True)):
            if self.key == "adam":
                b1, b2 = self.params["beta1"], self.params["beta2"]
                self.m[i] = b1 * self.m[i] + (1 - b1) * g
                self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                mean, size = self.m[i] / (1 - b1**self.t), self.v[i] / (1 - b2**self.t)
                moved.append(x - eta * mean / (math.sqrt(size) + EPSILON))
            else:
                rho = self.params["rho"]
                self.v[i] = rho * self.v[i] + (1 - rho) * g * g
                moved.append(x - eta * g / (math.sqrt(self.v[i]) + EPSILON))
        return moved


def adam(eta: float) -> Adaptive:
    return Adaptive("adam", {"eta": eta, **ADAM})


def rmsprop(eta: float) -> Adaptive:
    return Adaptive("rmsprop", {"eta": eta, **RMSPROP})
