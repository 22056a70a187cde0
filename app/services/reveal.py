"""The reveal of a level: the true curve, every team's guesses with their tangents in the
order they were made (for the replay), the final standings with each gap to the minimum,
and the reference players as ghosts. Only ever built for a revealed level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.game.expression import Point, compile_function, curve
from app.game.moves import Mode
from app.game.players import Ghost, ghost_setup, play_all, play_steps
from app.game.rules import curve_is_public
from app.game.scoring import rank_level
from app.models import Guess, Level, Progress, Team
from app.services.standings import level_entries, standing_out
from app.services.steps import start_position


def ghosts_of(level: Level, start: float, budget: int) -> list[Ghost]:
    """The reference players' games on this level (on a stepping level, from its start)."""
    fn = compile_function(level.expression)
    mode = Mode(level.mode)
    seed, noise = f"downhill-level-{level.id}", level.slope_noise
    if mode.steps:
        bounds = level.step_bounds
        return play_steps(fn, start, level.x_min, level.x_max, budget, mode, bounds, noise, seed)
    return play_all(fn, start, level.x_min, level.x_max, budget, seed, noise)


def _point(p: Point) -> list[float]:
    return [p.x, p.fx, p.slope]


def reveal_view(session: Session, *, level: Level, now: datetime) -> dict[str, Any] | None:
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
        # on a noisy level, the true slope beside the noisy one the team received
        extra = [] if guess.true_slope is None else [guess.true_slope]
        v = variants[guess.team_id]
        paths[i].append(
            [
                v.level_x(guess.x),
                *(v.level_value(value) for value in (guess.fx, guess.slope, *extra)),
            ]
        )
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
    stepping = start_position(level, None) if Mode(level.mode).steps else None
    if stepping is not None:
        start = stepping.x  # every team and player steps from the level's start
    ghosts = ghosts_of(level, start, budget)
    standings = rank_level(level_entries(session, level=level))
    reach = level.variant_shift or 0.0  # where teams' copies took their guesses
    x_min, x_max = level.x_min - reach, level.x_max + reach
    return {
        "level_id": level.id,
        "expression": level.expression,
        "x_min": x_min,
        "x_max": x_max,
        "variants": level.has_variants,
        "x_star": level.x_star,
        "f_star": level.f_star,
        "curve": [[p.x, p.fx] for p in curve(compile_function(level.expression), x_min, x_max)],
        "teams": [
            {"number": team.number, "name": team.name, "guesses": paths[i]}
            for i, team in enumerate(teams)
        ],
        "replay": replay,
        "standings": [
            standing_out(row)
            | {
                "team_index": index[row.entry.team_id],  # its colour on the chart
                "gap": None if row.entry.best_fx is None else row.entry.best_fx - level.f_star,
            }
            for row in standings
        ],
        "mode": level.mode,
        "slope_noise": level.slope_noise,
        "start": None if stepping is None else [stepping.x, stepping.fx, stepping.slope],
        "ghost_start": start,
        "ghost_budget": budget,
        "ghosts": [
            {
                "key": ghost.key,
                "params": ghost.params,
                "path": [_point(p) for p in ghost.path],
                "guesses": len(ghost.path) - ghost.first_move,
                "best_fx": ghost.best.fx,
                "best_x": ghost.best.x,
                "gap": ghost.best.fx - level.f_star,
            }
            for ghost in ghosts
        ],
    }
