"""Per-team variants: each team plays its own copy of a level's function, shifted along x
and scaled, so copying a neighbour's answer does not work.

Team t plays f_t(x) = s_t · f(x − d_t) on the level's own domain (the same for every team,
so comparing domains tells nothing): its copy of the curve is moved by d_t and stretched by
s_t, so it has its own minimum and median there (``team_facts``). f must be defined from
x_min − shift to x_max + shift. Standings and points compare each team's gap to its own
minimum (``on_level_scale``). d_t and s_t are seeded draws from the level's secret seed and
the team, within the bounds the instructor sets (a shift of at most ``shift``, a factor
from 1/``scale`` to ``scale``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from app.game.expression import CompiledFunction, compile_function
from app.game.interval import Analysis, analyze

MAX_SCALE = 100.0  # a larger factor between teams is refused


@dataclass(frozen=True)
class Variant:
    """How one team's copy of f is moved (``shift`` along x) and stretched (``scale``)."""

    shift: float = 0.0
    scale: float = 1.0

    @property
    def is_identity(self) -> bool:
        return self.shift == 0.0 and self.scale == 1.0

    def team_x(self, x: float) -> float:
        """A point of the level's curve, where the team's copy has it."""
        return x + self.shift

    def level_x(self, x: float) -> float:
        """A team's x, back on the level's curve."""
        return x - self.shift

    def level_value(self, value: float) -> float:
        """A team's f(x) (or slope), back in the level's units."""
        return value / self.scale

    def of(self, fn: CompiledFunction) -> CompiledFunction:
        """The team's copy of ``fn``: x ↦ scale · fn(x − shift), and its slope."""
        if self.is_identity:
            return fn
        f, df, shift, scale = fn.f, fn.df, self.shift, self.scale
        fv, dfv = fn.fv, fn.dfv
        return CompiledFunction(
            text=fn.text,
            f=lambda x: scale * f(x - shift),
            df=lambda x: scale * df(x - shift),
            fv=None if fv is None else lambda xs: scale * fv(xs - shift),
            dfv=None if dfv is None else lambda xs: scale * dfv(xs - shift),
        )


NO_VARIANT = Variant()


def team_variant(seed: str, team_id: int, shift: float | None, scale: float | None) -> Variant:
    """The team's variant of a level with these bounds (none: the level itself)."""
    if not shift and not scale:
        return NO_VARIANT
    draw = random.Random(f"{seed}/variant/{team_id}")  # noqa: S311 - a game, not a secret
    d = round(draw.uniform(-shift, shift), 2) if shift else 0.0
    s = 1.0
    if scale and scale > 1:
        s = round(math.exp(draw.uniform(-math.log(scale), math.log(scale))), 2)
    return Variant(shift=d, scale=s)


@lru_cache(maxsize=8192)
def _window(text: str, low: float, high: float) -> Analysis:
    return analyze(compile_function(text), low, high)


def team_facts(text: str, x_min: float, x_max: float, variant: Variant) -> Analysis:
    """The true minimum and median of a team's copy of f on the level's domain, in the
    team's units (computed once per copy and process)."""
    base = _window(text, variant.level_x(x_min), variant.level_x(x_max))
    return Analysis(
        x_star=variant.team_x(base.x_star),
        f_star=variant.scale * base.f_star,
        f_median=variant.scale * base.f_median,
    )


def on_level_scale(best: float, own: Analysis, level: Analysis) -> float:
    """A team's best f(x) on its copy, as the same standing on the level's own f: its own
    minimum maps to the level's minimum and its own median to the level's median, so the
    points rule and the ranking compare every team's gap to its own minimum."""
    spread = own.f_median - own.f_star
    if spread <= 0:  # a flat copy: every guess is at its minimum
        return level.f_star
    return level.f_star + (best - own.f_star) * (level.f_median - level.f_star) / spread
