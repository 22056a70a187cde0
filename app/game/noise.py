"""Noisy slopes, as in mini-batch gradient descent: on a level with slope noise, the slope
a team receives is the true f'(x) plus a normal draw of the size the instructor sets. The
draws are seeded by the level's secret seed, the team and the guess's number, so a retry or
a restart gives the same slope, and no team can predict another's. f(x) is never noisy:
standings rank the true values.

A level may let teams choose a batch size b for each guess, up to its ``batch_max``: the
slope is then the mean over b examples, its noise σ/√b, and the team's next guess waits b
cooldowns (computing on b examples costs b times one). Batch 1 is the level's noise."""

from __future__ import annotations

import math
import random

from app.game.expression import CompiledFunction

MAX_NOISE = 1e6  # an absurd standard deviation beyond this is refused
MAX_BATCH = 64  # the largest batch a level may offer


def batch_noise(size: float, batch: int | None) -> float:
    """The noise's standard deviation on a slope averaged over ``batch`` examples."""
    return size / math.sqrt(batch or 1)


def slope_noise(seed: str, team_id: int, seq: int, size: float) -> float:
    """The noise added to the slope of guess number ``seq`` of a team (``seq`` 0: the slope
    it is shown at a stepping level's start)."""
    return random.Random(f"{seed}/{team_id}/{seq}").gauss(0.0, size)  # noqa: S311 - a game


def with_noisy_slopes(fn: CompiledFunction, size: float | None, seed: str) -> CompiledFunction:
    """``fn`` whose slope gets a fresh seeded draw at every call (the reference players'
    view of a noisy level); ``fn`` itself where there is no noise."""
    if not size:
        return fn
    draws = random.Random(seed)  # noqa: S311 - a reproducible game, not a secret
    df = fn.df

    def noisy_df(x: float) -> float:
        return df(x) + draws.gauss(0.0, size)

    return CompiledFunction(text=fn.text, f=fn.f, df=noisy_df)
