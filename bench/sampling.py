"""Sampling a level's function with numpy against one Python call per sample, in the same run.

Saving a level samples f over its whole domain (the true minimum and the median: 4,001
points on a curve, a 101 x 101 grid on a plane); building a reveal draws its curve (241
points) or contour map (61 x 61). Both now evaluate f over numpy arrays at once; the
baseline is the same code with the numpy form taken away, so that it falls back to one call
of the plain-Python f per sample (what it did before). Every level of the lecture lesson,
read as the lesson file is imported (a level that fits a model samples its loss over the
data), median of several runs; figures printed, never asserted.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.game import interval, plane  # noqa: E402
from app.game.expression import CompiledPlane  # noqa: E402
from app.game.lesson_file import load_lesson  # noqa: E402
from app.game.settings import LevelSpec  # noqa: E402

RUNS = 7


def timed(work: Any) -> float:
    """The median time of ``work()`` in milliseconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def both(level: LevelSpec) -> tuple[list[float], list[float]]:
    """[save, reveal] in ms with numpy, then one call per sample."""
    domain = level.domain
    fast = domain.function(level.expression or "")
    found = []
    if isinstance(fast, CompiledPlane):
        slow = replace(fast, fv=None)
        box = domain.box
        for fn in (fast, slow):
            found.append(
                [
                    timed(lambda fn=fn: plane.analyze_plane(fn, box)),
                    timed(lambda fn=fn: plane.contour_grid(fn, box)),
                ]
            )
    else:
        slow = replace(fast, fv=None, dfv=None)
        low, high = domain.x_min, domain.x_max
        for fn in (fast, slow):
            found.append(
                [
                    timed(lambda fn=fn: interval.analyze(fn, low, high)),
                    timed(lambda fn=fn: interval.curve(fn, low, high)),
                ]
            )
    return found[0], found[1]


def main() -> None:
    levels = load_lesson((ROOT / "lessons" / "lecture.json").read_bytes()).levels
    print("sampling f (ms, median of 7): numpy vs one call per sample, the lecture's levels")
    print(f"{'level':34} {'save':>22} {'reveal':>22}")
    ratios: list[float] = []
    for level in levels:
        fast, slow = both(level)
        ratios += [s / f for f, s in zip(fast, slow, strict=True)]
        cells = [f"{f:6.2f} vs {s:6.2f} ({s / f:4.1f}x)" for f, s in zip(fast, slow, strict=True)]
        print(f"{level.title[:34]:34} {cells[0]:>22} {cells[1]:>22}")
    print(f"speed-up: median {statistics.median(ratios):.1f}x, least {min(ratios):.1f}x")


if __name__ == "__main__":
    main()
