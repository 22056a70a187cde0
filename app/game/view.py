"""Where a chart of a level looks: the window where the play happened.

A domain chosen wide (``0.1x⁴ − x² + 0.5x + 4`` on [−10, 10] climbs to 900 at its edges)
would squash every path and ghost flat on the floor of a chart of the whole curve. The
reveal looks instead at the points the teams and the reference players tried and the true
minimum, with a margin, inside the domain; the curve is clipped to that window, never the
points. Every screen that draws a reveal uses this one rule (projector, monitor, the teams'
pages, the report), with a switch back to the whole domain.
"""

from __future__ import annotations

from collections.abc import Iterable

MARGIN = 0.08  # of the points' own spread, on each side
LEAST = 0.05  # of the domain's width: the least margin along a bounded axis
Window = list[float]  # [x0, x1, y0, y1]: y is f(x) on a curve, the second parameter on a plane


def _around(low: float, high: float, bounds: tuple[float, float] | None) -> tuple[float, float]:
    """[low, high] with a margin; inside ``bounds`` when the axis has them (f has none)."""
    spread = high - low
    if bounds is None:
        pad = spread * MARGIN if spread > 0 else max(abs(high), 1.0) * MARGIN
        return low - pad, high + pad
    width = bounds[1] - bounds[0]
    pad = max(spread * MARGIN, width * LEAST)
    return max(bounds[0], low - pad), min(bounds[1], high + pad)


def play_window(
    points: Iterable[tuple[float, float]],
    x_bounds: tuple[float, float],
    y_bounds: tuple[float, float] | None = None,
) -> Window | None:
    """The window around ``points`` ((x, f) on a curve, (x, y) on a plane), or None when
    there are none to look at. Non-finite values are left out."""
    finite = [(x, y) for x, y in points if abs(x) < float("inf") and abs(y) < float("inf")]
    if not finite:
        return None
    xs = [x for x, _ in finite]
    ys = [y for _, y in finite]
    x0, x1 = _around(min(xs), max(xs), x_bounds)
    y0, y1 = _around(min(ys), max(ys), y_bounds)
    return [x0, x1, y0, y1]
