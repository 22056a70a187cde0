"""The reveal of a level: the true curve (on a two-parameter level, a contour map of
f(x, y)), every team's guesses with their tangents in the order they were made (for the
replay), the final standings with each gap to the minimum,
and the reference players as ghosts. Only ever built for a revealed level."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.expression import (
    Analysis,
    PlanePoint,
    Point,
    compile_function,
    compile_plane,
    curve,
)
from app.game.moves import Mode, Position
from app.game.plane import level_contours
from app.game.plane_players import play_plane
from app.game.players import Ghost, ghost_setup, play_all, play_steps
from app.game.rules import curve_is_public
from app.game.scoring import Standing, rank_level
from app.game.variants import Variant, team_facts
from app.models import Guess, Level, Progress, Team
from app.schemas import (
    Contours,
    GhostOut,
    RevealStandingRow,
    RevealTeam,
    RevealView,
    StandingRow,
    TeamRevealOut,
    VariantOut,
)
from app.services.standings import level_entries
from app.services.steps import start_position


def ghosts_of(level: Level, start: float, budget: int, start_y: float = 0.0) -> list[Ghost]:
    """The reference players' games on this level (on a stepping level, from its start)."""
    mode = Mode(level.mode)
    seed, noise = f"downhill-level-{level.id}", level.slope_noise
    if level.is_plane:
        plane = compile_plane(level.expression)
        box = level.rectangle
        return play_plane(
            plane,
            (start, start_y),
            box,
            budget,
            mode=mode,
            bounds=level.step_bounds,
            noise=noise,
            seed=seed,
        )
    fn = compile_function(level.expression)
    if mode.steps:
        bounds = level.step_bounds
        return play_steps(fn, start, level.x_min, level.x_max, budget, mode, bounds, noise, seed)
    return play_all(fn, start, level.x_min, level.x_max, budget, seed, noise)


def _point(p: Point | PlanePoint) -> list[float]:
    if isinstance(p, PlanePoint):
        return [p.x, p.y, p.fx, p.gx, p.gy]
    return [p.x, p.fx, p.slope]


def _guess_point(guess: Guess, variant: Variant) -> list[float]:
    """A guess as the reveal draws it: [x, f, slope(, true slope)] moved back onto the
    level's own curve, or on a two-parameter level [x, y, f, ∂f/∂x, ∂f/∂y(, the true
    ones)]."""
    if guess.y is not None:
        truth = [] if guess.true_slope is None else [guess.true_slope, guess.true_gy or 0.0]
        return [guess.x, guess.y, guess.fx, guess.slope, guess.gy or 0.0, *truth]
    # on a noisy level, the true slope beside the noisy one the team received
    extra = [] if guess.true_slope is None else [guess.true_slope]
    return [
        variant.level_x(guess.x),
        *(variant.level_value(value) for value in (guess.fx, guess.slope, *extra)),
    ]


def reveal_view(session: Session, *, level: Level, now: datetime) -> RevealView | None:
    """Everything the reveal shows, or None while the level is not revealed."""
    if not curve_is_public(level.clock):
        return None
    teams = session.scalars(
        select(Team).where(Team.lesson_id == level.lesson_id).order_by(Team.number)
    ).all()
    index = {team.id: i for i, team in enumerate(teams)}
    # with per-team variants, every guess moved back onto the level's own curve
    variants = {team.id: level.variant(team.id) for team in teams}
    paths: list[list[list[float]]] = [[] for _ in teams]
    replay: list[list[int]] = []
    for guess in session.scalars(
        select(Guess).where(Guess.level_id == level.id).order_by(Guess.created_at, Guess.id)
    ):
        i = index[guess.team_id]
        replay.append([i, len(paths[i])])
        paths[i].append(_guess_point(guess, variants[guess.team_id]))
    used = [
        n
        for n in session.scalars(select(Progress.guesses_used).where(Progress.level_id == level.id))
        if n
    ]
    start, budget = ghost_setup(
        level.x_min,
        level.x_max,
        level.guess_budget,
        first_guesses=[path[0][0] for path in paths if path],
        used=used,
    )
    start_y = 0.0
    if level.is_plane:
        assert level.y_min is not None and level.y_max is not None  # noqa: S101
        firsts = [path[0][1] for path in paths if path]
        start_y = statistics.median(firsts) if firsts else (level.y_min + level.y_max) / 2
    stepping = start_position(level, None) if Mode(level.mode).steps else None
    if stepping is not None:
        start = stepping.x  # every team and player steps from the level's start
        start_y = stepping.y if stepping.y is not None else start_y
    ghosts = ghosts_of(level, start, budget, start_y)
    standings = rank_level(level_entries(session, level=level))
    reach = level.variant_shift or 0.0  # where teams' copies took their guesses
    x_min, x_max = level.x_min - reach, level.x_max + reach
    shape: dict[str, Any] = {"plane": None, "curve": []}
    if level.is_plane:  # a contour map instead of a curve
        shape["plane"] = Contours(**level_contours(level.expression, level.rectangle))
        shape |= {"y_min": level.y_min, "y_max": level.y_max, "y_star": level.y_star}
    else:
        fn = compile_function(level.expression)
        shape["curve"] = [[p.x, p.fx] for p in curve(fn, x_min, x_max)]
    return RevealView(
        **shape,
        level_id=level.id,
        expression=level.expression,
        x_min=x_min,
        x_max=x_max,
        variants=level.has_variants,
        x_star=level.x_star,
        f_star=level.f_star,
        teams=[
            RevealTeam(number=team.number, name=team.name, guesses=paths[i])
            for i, team in enumerate(teams)
        ],
        replay=replay,
        standings=[_final_row(row, index[row.entry.team_id], level.f_star) for row in standings],
        mode=level.mode,
        slope_noise=level.slope_noise,
        start=None if stepping is None else _start(stepping),
        ghost_start=start,
        ghost_start_y=start_y if level.is_plane else None,
        ghost_budget=budget,
        ghosts=[_ghost_out(ghost, level.f_star) for ghost in ghosts],
    )


def _final_row(row: Standing, team_index: int, f_star: float) -> RevealStandingRow:
    """A final standings row, with the team's colour on the chart and its gap to f*."""
    best = row.entry.best_fx
    gap = None if best is None else best - f_star
    return RevealStandingRow(**StandingRow.of(row).json_data(), team_index=team_index, gap=gap)


def _ghost_out(ghost: Ghost, f_star: float) -> GhostOut:
    return GhostOut(
        key=ghost.key,
        params=ghost.params,
        path=[_point(p) for p in ghost.path],
        guesses=len(ghost.path) - ghost.first_move,
        best_fx=ghost.best.fx,
        best_x=ghost.best.x,
        best_y=getattr(ghost.best, "y", None),
        gap=ghost.best.fx - f_star,
    )


def _start(at: Position) -> list[float]:
    """Where every team and player of a stepping level started: [x, f, slope], or on a
    two-parameter level [x, y, f]."""
    if at.y is not None:
        return [at.x, at.y, at.fx]
    return [at.x, at.fx, at.slope]


def team_reveal(level: Level, team_id: int) -> TeamRevealOut | None:
    """The curve (or contour map) and the true minimum a team sees, only once the level is
    revealed: on a level with per-team variants, of the team's own copy of f."""
    if not curve_is_public(level.clock):
        return None
    if level.is_plane:
        return TeamRevealOut(
            expression=level.expression,
            x_star=level.x_star,
            y_star=level.y_star,
            f_star=level.f_star,
            plane=Contours(**level_contours(level.expression, level.rectangle)),
        )
    variant = level.variant(team_id)
    points = curve(variant.of(compile_function(level.expression)), level.x_min, level.x_max)
    own = (
        team_facts(level.expression, level.x_min, level.x_max, variant)
        if level.has_variants
        else Analysis(level.x_star, level.f_star, level.f_median)
    )
    moved = VariantOut(shift=variant.shift, scale=variant.scale) if level.has_variants else None
    return TeamRevealOut(
        expression=level.expression,
        x_star=own.x_star,
        f_star=own.f_star,
        curve=[[p.x, p.fx] for p in points],
        variant=moved,
    )
