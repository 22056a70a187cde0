"""A mirror of a team's strategy: the method its guesses on a curve most resemble.

After the reveal each team's path of free guesses (x, f(x), f'(x)) is compared with what
each method would have done from the same guesses, step by step; the method that explains
the most steps names the team's strategy, if it explains at least ``AGREEMENT`` of them.
The exact rules (bisection, newton, scan) come first, then explore: on a parabola, where
the distance to the minimum is proportional to the slope, almost any sensible search also
looks like descent with a steady η, so descent is what is left when none of them fits:

- **descent**: each step goes against the slope it was given, x ← x − η·f'(x), with an η
  that stays within a factor of ``ETA_SPREAD`` of its median, and lowers f (the typical η
  is shown);
- **bisection**: once two guesses have slopes of opposite signs, each next guess is near the
  middle of the nearest such pair (within ``NEAR`` of the bracket's width);
- **newton**: each next guess is near where the slope would be zero if it changed evenly
  between the last two guesses (the secant of f', as the Newton-like player does);
- **scan**: guesses go one way in even steps (within ``NEAR`` of the median step);
- **explore**: the first half of the guesses goes back and forth over more than half the
  domain (turning at least twice), and the second half stays near the best of them
  (typically three times closer, and within a tenth of the domain), as Bayesian
  optimisation does: look around, then dig where it looked best;
- otherwise **random**: no rule explains the steps.

A path of fewer than ``MIN_GUESSES`` guesses is not labelled. The rule is pure and is
tested on synthetic paths of each kind (``tests/game/test_mirror.py``).
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MIN_GUESSES = 4
MAX_GUESSES = 200  # a longer path is judged on its first guesses
AGREEMENT = 0.6
ETA_SPREAD = 3.0
NEAR = 0.15
WITHIN = 0.01  # of the domain's width: "n guesses to within …" of the true minimum

Guess = Sequence[float]  # (x, f, slope)


@dataclass(frozen=True)
class Mirror:
    """The method a path resembles, its typical η (descent only), and after how many
    guesses the team was within ``tolerance`` of x* (None: never)."""

    method: str
    eta: float | None
    reached_after: int | None
    tolerance: float


def mirror(path: Sequence[Guess], x_min: float, x_max: float, x_star: float) -> Mirror | None:
    """The strategy of ``path`` on [x_min, x_max] whose minimum is at ``x_star``."""
    path = path[:MAX_GUESSES]
    if len(path) < MIN_GUESSES:
        return None
    width = x_max - x_min
    tolerance = float(f"{WITHIN * width:.2g}")
    reached = next(
        (n for n, guess in enumerate(path, start=1) if abs(guess[0] - x_star) <= tolerance), None
    )
    exact = {"bisection": _bisection(path), "newton": _newton(path), "scan": _scan(path)}
    method = max(exact, key=lambda key: exact[key])
    steady, eta = _descent(path)
    if exact[method] < AGREEMENT:
        if _explore(path, width) >= AGREEMENT:
            method = "explore"
        else:
            method = "descent" if steady >= AGREEMENT else "random"
    return Mirror(method, eta if method == "descent" else None, reached, tolerance)


def _steps(path: Sequence[Guess]) -> list[tuple[Guess, Guess]]:
    return list(zip(path, path[1:], strict=False))


def _descent(path: Sequence[Guess]) -> tuple[float, float | None]:
    """The share of steps against the slope with an η near the median η, and that η."""
    etas = [
        (-(after[0] - before[0]) / before[2], after[1] < before[1])
        for before, after in _steps(path)
        if before[2] != 0 and after[0] != before[0]
    ]
    downhill = [eta for eta, _ in etas if eta > 0]
    if not downhill:
        return 0.0, None
    typical = statistics.median(downhill)
    steady = [
        eta for eta, lower in etas if lower and typical / ETA_SPREAD <= eta <= typical * ETA_SPREAD
    ]
    return len(steady) / max(len(path) - 1, 1), float(f"{typical:.2g}")


def _bisection(path: Sequence[Guess]) -> float:
    """The share of steps that, once two guesses have slopes of opposite signs around the
    minimum (negative on the left, positive on the right), land near the middle of the
    tightest such pair."""
    hits = 0
    for i in range(1, len(path) - 1):
        bracket = _bracket(path[: i + 1])
        if bracket is not None:
            low, high = bracket
            hits += abs(path[i + 1][0] - (low + high) / 2) <= NEAR * (high - low)
    return hits / max(len(path) - 1, 1)


def _bracket(seen: Sequence[Guess]) -> tuple[float, float] | None:
    """The tightest [a, b] with f' < 0 at a and f' > 0 at b, a < b (None: no such pair)."""
    falling = sorted(g[0] for g in seen if g[2] < 0)
    best: tuple[float, float] | None = None
    for b in (g[0] for g in seen if g[2] > 0):
        k = bisect.bisect_left(falling, b) - 1
        if k >= 0 and (best is None or b - falling[k] < best[1] - best[0]):
            best = (falling[k], b)
    return best


def _newton(path: Sequence[Guess]) -> float:
    """The share of steps that land near the zero of the secant of the last two slopes."""
    hits = 0
    for before, last, after in zip(path, path[1:], path[2:], strict=False):
        if last[0] == before[0] or last[2] == before[2]:
            continue
        bend = (last[2] - before[2]) / (last[0] - before[0])
        target = last[0] - last[2] / bend
        jump = abs(target - last[0])
        hits += bend > 0 and abs(after[0] - target) <= max(NEAR * jump, 1e-9)
    return hits / max(len(path) - 1, 1)


def _scan(path: Sequence[Guess]) -> float:
    """The share of steps that go the main way with about the median step."""
    moves = [after[0] - before[0] for before, after in _steps(path)]
    way = 1.0 if sum(m > 0 for m in moves) >= len(moves) / 2 else -1.0
    forward = [abs(m) for m in moves if m * way > 0]
    if not forward:
        return 0.0
    typical = statistics.median(forward)
    even = [m for m in moves if m * way > 0 and abs(abs(m) - typical) <= NEAR * typical]
    return len(even) / len(moves)


def _explore(path: Sequence[Guess], width: float) -> float:
    """When the first half goes back and forth over more than half the domain and the
    second half is typically three times closer to the first half's best guess: the share
    of the second half within a tenth of the domain of it."""
    half = len(path) // 2
    first, second = path[:half], path[half:]
    if not first or not second:
        return 0.0
    spread = _spread(first)
    moves = [after[0] - before[0] for before, after in _steps(first)]
    turns = sum(a * b < 0 for a, b in zip(moves, moves[1:], strict=False))
    if spread <= width / 2 or turns < 2:
        return 0.0
    best = min(first, key=lambda g: g[1])[0]
    if not math.isfinite(best):
        return 0.0
    # digging: typically far closer to that best than the looking around was
    distance = [statistics.median(abs(g[0] - best) for g in half) for half in (first, second)]
    if distance[1] >= distance[0] / 3:
        return 0.0
    near = [g for g in second if abs(g[0] - best) <= width / 10]
    return len(near) / len(second)


def _spread(guesses: Sequence[Guess]) -> float:
    return max(g[0] for g in guesses) - min(g[0] for g in guesses)
