"""The reveal of a level: the true curve (on a two-parameter level, a contour map of
f(x, y)), every team's guesses with their tangents in the order they were made (for the
replay), the final standings with each gap to the minimum,
and the reference players as ghosts. Only ever built for a revealed level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.expression import PlanePoint, Point
from app.game.interval import Analysis
from app.game.moves import Position
from app.game.players import Ghost
from app.game.rules import curve_is_public
from app.game.scoring import Standing, rank_level
from app.game.variants import NO_VARIANT, team_facts
from app.game.view import Window
from app.models import Guess, Level
from app.schemas import (
    Contours,
    FitsOut,
    GhostOut,
    MirrorOut,
    RevealStandingRow,
    RevealTeam,
    RevealView,
    StandingRow,
    TeamRevealOut,
    VariantOut,
)
from app.services.players import (
    guess_point,
    lesson_teams,
    level_ghosts,
    prediction_view,
    team_paths,
)
from app.services.standings import level_entries
from app.services.steps import start_position


def _point(p: Point | PlanePoint) -> list[float]:
    if isinstance(p, PlanePoint):
        return [p.x, p.y, p.fx, p.gx, p.gy]
    return [p.x, p.fx, p.slope]


def reveal_view(session: Session, *, level: Level, now: datetime) -> RevealView | None:
    """Everything the reveal shows, or None while the level is not revealed."""
    if not curve_is_public(level.clock):
        return None
    teams = lesson_teams(session, level)
    index = {team.id: i for i, team in enumerate(teams)}
    paths, replay = team_paths(session, level, teams, index)
    batches = _batches(session, level) if level.batch_max else {}
    ghosts, start, budget = level_ghosts(session, level, paths)
    domain, reach = level.domain, level.variant_shift or 0.0  # where teams' copies played
    picture = domain.picture(level.expression, reach=reach)
    stepping = start_position(level, None) if level.move.steps else None
    started = None if stepping is None else _start(stepping)
    # the teams' play decides the window: random search and Bayesian optimisation roam
    explored = [p for path in paths for p in path]
    return RevealView(
        **_plane_fields(level),
        level_id=level.id,
        kind=domain.kind,
        expression=level.expression,
        x_min=domain.x_min - reach,
        x_max=domain.x_max + reach,
        variants=level.has_variants,
        x_star=level.x_star,
        f_star=level.f_star,
        curve=picture.curve,
        plane=Contours(**picture.contours) if picture.contours else None,
        teams=[
            RevealTeam(
                number=t.number,
                name=t.name,
                guesses=paths[i],
                mirror=_mirror(level, paths[i]),
                batches=batches.get(t.id, []) if level.batch_max else None,
            )
            for i, t in enumerate(teams)
        ],
        replay=replay,
        standings=[
            _final_row(row, index[row.entry.team_id], level.f_star)
            for row in rank_level(level_entries(session, level=level))
        ],
        mode=level.mode,
        slope_noise=level.slope_noise,
        start=started,
        window=_window(level, [*explored, *([started] if started else [])], reach)
        if explored
        else None,
        ghost_start=start[0],
        ghost_start_y=start[1],
        ghost_budget=budget,
        ghosts=[_ghost_out(ghost, level.f_star) for ghost in ghosts],
        fits=_fits(level, paths, [(g.best.x, getattr(g.best, "y", 0.0)) for g in ghosts]),
        prediction=prediction_view(session, level=level, team_id=None, now=now),
    )


def _batches(session: Session, level: Level) -> dict[int, list[int]]:
    """Each team's batch sizes in the order of its guesses (by team id)."""
    chosen: dict[int, list[int]] = {}
    rows = session.execute(
        select(Guess.team_id, Guess.batch).where(Guess.level_id == level.id).order_by(Guess.seq)
    )
    for team_id, batch in rows:
        chosen.setdefault(team_id, []).append(batch or 1)
    return chosen


def _fits(
    level: Level, paths: Sequence[Sequence[Sequence[float]]], ghosts: Sequence[tuple[float, float]]
) -> FitsOut | None:
    """On a model's loss, its output over the data for the best (a, b), each team's best
    point and each reference player's best (``Domain.fits``)."""
    minimum = (level.x_star, level.y_star or 0.0)
    drawn = level.domain.fits(minimum, paths, ghosts)
    return None if drawn is None else FitsOut(**drawn)


def _window(level: Level, points: Sequence[Sequence[float]], reach: float = 0.0) -> Window | None:
    """Where the play happened, with the true minimum (``app.game.view``)."""
    return level.domain.window(points, level.x_star, level.f_star, level.y_star, reach)


def _mirror(level: Level, path: list[list[float]]) -> MirrorOut | None:
    """The method a team's free guesses resemble (a stepping level's teams chose only η)."""
    found = None if level.move.steps else level.domain.mirror(path, level.x_star)
    return None if found is None else MirrorOut(**asdict(found))


def _plane_fields(level: Level) -> dict[str, float]:
    """The y range and the y of the minimum, on a level that has them (a rectangle)."""
    fields = {"y_min": level.y_min, "y_max": level.y_max, "y_star": level.y_star}
    return {name: value for name, value in fields.items() if value is not None}


def _final_row(row: Standing, team_index: int, f_star: float) -> RevealStandingRow:
    """A final standings row, with the team's colour on the chart and its gap to f*."""
    best = row.entry.best_fx
    gap = None if best is None else best - f_star
    return RevealStandingRow(**StandingRow.fields(row), team_index=team_index, gap=gap)


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


def team_reveal(level: Level, team_id: int, guesses: Sequence[Guess] = ()) -> TeamRevealOut | None:
    """The curve (or contour map) and the true minimum a team sees, only once the level is
    revealed: on a level with per-team variants, of the team's own copy of f; and the
    window around the team's own ``guesses``."""
    if not curve_is_public(level.clock):
        return None
    variant = level.variant(team_id)
    picture = level.domain.picture(level.expression, variant=variant)
    own = (
        team_facts(level.expression, level.x_min, level.x_max, variant)
        if level.has_variants
        else Analysis(level.x_star, level.f_star, level.f_median)
    )
    moved = VariantOut(shift=variant.shift, scale=variant.scale) if level.has_variants else None
    drawn: dict[str, Any] = {"curve": picture.curve, "variant": moved}
    if picture.contours is not None:
        drawn = {"plane": Contours(**picture.contours), "y_star": level.y_star}
    # around the team's guesses and its own minimum, on its own copy of f (none played: all)
    played = [guess_point(g, NO_VARIANT) for g in guesses]
    window = level.domain.window(played, own.x_star, own.f_star, level.y_star)
    return TeamRevealOut(
        expression=level.expression,
        x_star=own.x_star,
        f_star=own.f_star,
        window=window if guesses else None,
        **drawn,
    )
