"""A level's kind of domain, as a type: an interval of x, or a rectangle of points (x, y).

Services and templates ask a level's domain; they do not branch on whether it is a plane.
Each kind knows how to compile the f a team plays, evaluate f and its gradient, take a
step and stop at its walls, where stepping teams and the reference players start, how to
find its true minimum and median, what picture of f the reveal and the monitor draw, and
how the reference players play it. A new kind (three parameters, say) is a class here
with these methods, its template part (``templates/kinds/``) and its tests.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from app.game.expression import CompiledFunction, CompiledPlane, compile_function, compile_plane
from app.game.fitting import Fit, FitError
from app.game.interval import analyze, curve
from app.game.mirror import Mirror, mirror
from app.game.moves import Mode, PlaneStep, Position, Step, StepBounds, take_plane_step, take_step
from app.game.plane import CONTOUR_GRID, Rectangle, analyze_plane, contour_grid
from app.game.plane_players import play_plane
from app.game.players import Ghost, play_all, play_steps
from app.game.variants import NO_VARIANT, Variant
from app.game.view import Window, play_window

CURVE_POINTS = 241  # the samples of a curve the reveal and the monitor draw
MONITOR_GRID = 41  # the monitor's contour map is sent with every live update: a coarser one
THUMBNAIL_POINTS = 48  # the samples of a preset's thumbnail in the editor


@dataclass(frozen=True)
class Evaluation:
    """f and its gradient at a point: ``gx`` is f'(x) on an interval; ``gy`` only on a plane."""

    fx: float
    gx: float
    gy: float | None = None

    @property
    def is_finite(self) -> bool:
        """f and every partial derivative are finite numbers."""
        return all(math.isfinite(v) for v in (self.fx, self.gx, self.gy or 0.0))


@dataclass(frozen=True)
class LevelFacts:
    """Where a level's true minimum is (y only on a plane), its value there and the median
    of f over the domain: what standings and points are measured against."""

    x_star: float
    f_star: float
    f_median: float
    y_star: float | None = None


@dataclass(frozen=True)
class Picture:
    """What the reveal and the monitor draw of f: its curve ([x, f] pairs), or a contour map
    of it (the xs, the ys, a row of values per y)."""

    curve: list[list[float]]
    contours: dict[str, Any] | None = None


class NoData:
    """A level whose f is a formula, not a model's loss over data (see ``Fitted``)."""

    def fits(
        self,
        minimum: tuple[float, float],
        paths: Sequence[Sequence[Sequence[float]]],
        players: Sequence[tuple[float, float]],
    ) -> dict[str, Any] | None:
        """A model's output over its data: only where f is a model's loss (``Fitted``)."""
        return None


@dataclass(frozen=True)
class Interval(NoData):
    """A one-parameter level: f(x) for x from ``x_min`` to ``x_max``."""

    x_min: float
    x_max: float
    kind: ClassVar[str] = "interval"
    plane: ClassVar[bool] = False
    monitor_detail: ClassVar[int] = CURVE_POINTS

    def function(self, text: str, variant: Variant = NO_VARIANT) -> CompiledFunction:
        """f as a team plays it: its own moved and stretched copy on a level with variants."""
        return variant.of(compile_function(text))

    def evaluate(
        self, fn: CompiledFunction | CompiledPlane, x: float, y: float | None
    ) -> Evaluation:
        """f and f' at x."""
        assert isinstance(fn, CompiledFunction)  # noqa: S101 - an interval's f is of x
        point = fn.at(x)
        return Evaluation(point.fx, point.slope)

    def step(self, at: Position, *, eta: float, beta: float) -> Step:
        """The server's move from ``at`` (v ← β·v − η·f'(x), x ← x + v), kept in the domain."""
        return take_step(at, eta=eta, beta=beta, x_min=self.x_min, x_max=self.x_max)

    def start(self, start_x: float | None, start_y: float | None) -> tuple[float, None]:
        """Where stepping teams start: the level's start, else the middle."""
        return (start_x if start_x is not None else (self.x_min + self.x_max) / 2), None

    def ghost_start(self, firsts: Sequence[Sequence[float]]) -> tuple[float, None]:
        """Where the reference players start on a free-guess level: the median of the
        teams' first guesses ([x, ...] each), else the middle."""
        if not firsts:
            return (self.x_min + self.x_max) / 2, None
        return statistics.median(first[0] for first in firsts), None

    def facts(self, text: str) -> LevelFacts:
        """The true minimum and median of f here; ExpressionError where f cannot be used."""
        found = analyze(compile_function(text), self.x_min, self.x_max)
        return LevelFacts(found.x_star, found.f_star, found.f_median)

    def picture(
        self,
        text: str,
        *,
        reach: float = 0.0,
        detail: int = CURVE_POINTS,
        variant: Variant = NO_VARIANT,
    ) -> Picture:
        """The curve of f (a team's own copy with ``variant``), widened by ``reach`` on each
        side (where the teams' copies played)."""
        fn = self.function(text, variant)
        points = curve(fn, self.x_min - reach, self.x_max + reach, detail)
        return Picture(curve=[[p.x, p.fx] for p in points])

    def preview(self, text: str) -> dict[str, Any]:
        """What the editor draws while the instructor types: f and f' over the domain, the
        true minimum and the median (ExpressionError where f cannot be used)."""
        found = self.facts(text)
        points = curve(compile_function(text), self.x_min, self.x_max, CURVE_POINTS)
        drawn = {"x": [p.x for p in points], "f": [p.fx for p in points]}
        return drawn | {"df": [p.slope for p in points], **_facts_fields(found)}

    def thumbnail(self, text: str, size: int = THUMBNAIL_POINTS) -> list[float]:
        """f at ``size`` even steps over the domain, for the preset picker's thumbnail."""
        return [p.fx for p in curve(compile_function(text), self.x_min, self.x_max, size)]

    def mirror(self, path: Sequence[Sequence[float]], x_star: float) -> Mirror | None:
        """The method a path of free guesses ([x, f, slope, ...]) resembles (mirror.py)."""
        return mirror([p[:3] for p in path], self.x_min, self.x_max, x_star)

    def window(
        self,
        points: Sequence[Sequence[float]],
        x_star: float,
        f_star: float,
        y_star: float | None = None,
        reach: float = 0.0,
    ) -> Window | None:
        """Where the play happened on the curve: the points' (x, f) and (x*, f*), inside the
        domain widened by ``reach`` (teams' moved copies); see ``app.game.view``."""
        near = [(p[0], p[1]) for p in points if len(p) > 1]
        return play_window([*near, (x_star, f_star)], (self.x_min - reach, self.x_max + reach))

    def play_ghosts(
        self, text: str, start: tuple[float, float | None], budget: int, play: GhostRules
    ) -> list[Ghost]:
        """The reference players' games from ``start`` (from the level's start when they step)."""
        fn = compile_function(text)
        x = start[0]
        if play.mode.steps:
            return play_steps(
                fn, x, self.x_min, self.x_max, budget, play.mode, play.bounds, play.noise, play.seed
            )
        return play_all(fn, x, self.x_min, self.x_max, budget, play.seed, play.noise)


@dataclass(frozen=True)
class Plane(NoData):
    """A two-parameter level: f(x, y) over the rectangle ``box``."""

    box: Rectangle
    kind: ClassVar[str] = "rectangle"
    plane: ClassVar[bool] = True
    monitor_detail: ClassVar[int] = MONITOR_GRID

    @property
    def x_min(self) -> float:
        return self.box.x_min

    @property
    def x_max(self) -> float:
        return self.box.x_max

    def function(self, text: str, variant: Variant = NO_VARIANT) -> CompiledPlane:
        """f(x, y) (a plane has no per-team variants: the editor refuses them)."""
        return compile_plane(text)

    def evaluate(
        self, fn: CompiledFunction | CompiledPlane, x: float, y: float | None
    ) -> Evaluation:
        """f and its gradient at (x, y)."""
        assert isinstance(fn, CompiledPlane) and y is not None  # noqa: S101 - f of (x, y)
        point = fn.at(x, y)
        return Evaluation(point.fx, point.gx, point.gy)

    def step(self, at: Position, *, eta: float, beta: float) -> PlaneStep:
        """The same update coordinate by coordinate, each kept between its bounds."""
        return take_plane_step(at, eta=eta, beta=beta, box=self.box)

    def start(self, start_x: float | None, start_y: float | None) -> tuple[float, float]:
        """Where stepping teams start: the level's start, else the middle, on each axis."""
        box = self.box
        x = start_x if start_x is not None else (box.x_min + box.x_max) / 2
        return x, start_y if start_y is not None else (box.y_min + box.y_max) / 2

    def ghost_start(self, firsts: Sequence[Sequence[float]]) -> tuple[float, float]:
        """The median of the teams' first points ([x, y, ...] each), else the middle."""
        if not firsts:
            return self.start(None, None)
        x = statistics.median(first[0] for first in firsts)
        return x, statistics.median(first[1] for first in firsts)

    def facts(self, text: str) -> LevelFacts:
        """The true minimum and median of f here; ExpressionError where f cannot be used."""
        found = analyze_plane(self.function(text), self.box)
        return LevelFacts(found.x_star, found.f_star, found.f_median, found.y_star)

    def picture(
        self,
        text: str,
        *,
        reach: float = 0.0,
        detail: int = 0,
        variant: Variant = NO_VARIANT,
    ) -> Picture:
        """A contour map of f over the rectangle (``detail`` samples a side, else the
        reveal's grid; a plane has no reach nor variants)."""
        return Picture(curve=[], contours=dict(_contours(self, text, detail or CONTOUR_GRID)))

    def preview(self, text: str) -> dict[str, Any]:
        """What the editor draws while the instructor types: f over a grid of the
        rectangle (a contour map), the true minimum and the median."""
        found = self.facts(text)
        return {"plane": contour_grid(self.function(text), self.box), **_facts_fields(found)}

    def thumbnail(self, text: str, size: int = THUMBNAIL_POINTS) -> list[float]:
        """f along x through the minimum (the valley's cross-section), for the thumbnail."""
        fn, low_y = self.function(text), self.facts(text).y_star or 0.0
        box = self.box
        xs = [box.x_min + (box.x_max - box.x_min) * i / (size - 1) for i in range(size)]
        return [fn.at(x, low_y).fx for x in xs]

    def mirror(self, path: Sequence[Sequence[float]], x_star: float) -> Mirror | None:
        """No mirror on a plane yet: its rules are ideas of one variable."""
        return None

    def window(
        self,
        points: Sequence[Sequence[float]],
        x_star: float,
        f_star: float,
        y_star: float | None = None,
        reach: float = 0.0,
    ) -> Window | None:
        """Where the play happened on the rectangle: the points' (x, y) and (x*, y*)."""
        near = [(p[0], p[1]) for p in points if len(p) > 1]
        minimum = [] if y_star is None else [(x_star, y_star)]
        box = self.box
        return play_window([*near, *minimum], (box.x_min, box.x_max), (box.y_min, box.y_max))

    def play_ghosts(
        self, text: str, start: tuple[float, float | None], budget: int, play: GhostRules
    ) -> list[Ghost]:
        """The reference players' games over the rectangle from ``start``."""
        x, y = start[0], start[1] if start[1] is not None else self.start(None, None)[1]
        return play_plane(
            self.function(text),
            (x, y),
            self.box,
            budget,
            mode=play.mode,
            bounds=play.bounds,
            noise=play.noise,
            seed=play.seed,
        )


@dataclass(frozen=True)
class Fitted(Plane):
    """A two-parameter level whose f is a model's loss over the level's data set
    (``app.game.fitting``): x and y are the model's parameters a and b."""

    fit: Fit

    def function(self, text: str, variant: Variant = NO_VARIANT) -> CompiledPlane:
        """The loss over the data (``text`` is only its formula, for people to read)."""
        return self.fit.loss

    def preview(self, text: str) -> dict[str, Any]:
        """The contour map of the loss, and the data with the best model over it."""
        drawn = super().preview(text)
        return drawn | {"fits": self.fits((drawn["x_star"], drawn["y_star"]), [], [])}

    def fits(
        self,
        minimum: tuple[float, float],
        paths: Sequence[Sequence[Sequence[float]]],
        players: Sequence[tuple[float, float]],
    ) -> dict[str, Any] | None:
        """The data, and the model's output along u at the true ``minimum`` (a, b), at the
        lowest point of each path ([x, y, f, ...] points; None for an empty path) and at
        each of the ``players``' (a, b)."""
        bests = [min(path, key=lambda p: p[2]) if path else None for path in paths]
        played = [(best[0], best[1]) for best in bests if best is not None]
        drawn = self.fit.outputs([minimum, *played, *players])
        rows = iter(drawn.pop("y"))
        best = next(rows)
        teams = [None if b is None else next(rows) for b in bests]
        data = [list(point) for point in self.fit.data]
        return {
            "model": self.fit.kind.value,
            "data": data,
            **drawn,
            "best": best,
            "teams": teams,
            "ghosts": list(rows),
        }


@dataclass(frozen=True)
class GhostRules:
    """What the reference players play under: the level's mode, bounds, noise, a seed."""

    mode: Mode
    bounds: StepBounds
    noise: float | None
    seed: str


Domain = Interval | Plane


@lru_cache(maxsize=64)
def _ghosts(
    domain: Domain, text: str, start: tuple[float, float | None], budget: int, play: GhostRules
) -> tuple[Ghost, ...]:
    return tuple(domain.play_ghosts(text, start, budget, play))


def ghosts(
    domain: Domain, text: str, start: tuple[float, float | None], budget: int, play: GhostRules
) -> list[Ghost]:
    """The reference players' games on a level, played once per process for the same level
    and start: a reveal on the projector is built again at every change of its lesson, and
    Bayesian optimisation refits its model at each of its guesses."""
    return list(_ghosts(domain, text, start, budget, play))


@lru_cache(maxsize=64)
def _contours(domain: Plane, text: str, size: int) -> dict[str, list[Any]]:
    """A contour map of a level's f, sampled once per process: phones, the projector and
    the monitor ask for it again every few seconds after the reveal (the answer is shared:
    read it, never change it)."""
    return contour_grid(domain.function(text), domain.box, size)


def _facts_fields(found: LevelFacts) -> dict[str, float]:
    fields = {"x_star": found.x_star, "f_star": found.f_star, "f_median": found.f_median}
    return fields | ({"y_star": found.y_star} if found.y_star is not None else {})


def ghost_start(
    domain: Domain,
    move: Mode,
    level_start: tuple[float | None, float | None],
    firsts: Sequence[Sequence[float]],
) -> tuple[float, float | None]:
    """Where the reference players start: where every team starts on a stepping level (the
    level's ``level_start``, else the middle), else the median of the teams' first guesses
    (``firsts``, as the reveal draws them), else the middle."""
    if move.steps:
        return domain.start(*level_start)
    return domain.ghost_start(firsts)


def domain_of(
    x_min: float, x_max: float, y_min: float | None, y_max: float | None, fit: Fit | None = None
) -> Domain:
    """A level's domain from its bounds: a rectangle when both y bounds are set, where f is
    the loss of ``fit`` when the level has one (FitError without a rectangle: a model has
    two parameters)."""
    if y_min is None or y_max is None:
        if fit is not None:
            raise FitError("y_min", "fit_needs_rectangle")
        return Interval(x_min, x_max)
    box = Rectangle(x_min, x_max, y_min, y_max)
    return Plane(box) if fit is None else Fitted(box, fit)
