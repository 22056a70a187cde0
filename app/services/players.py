"""Where every team played on a level and how the reference players played it from there:
what the reveal draws, what a prediction asks about before the reveal, and its result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.game.domain import GhostRules, ghost_start, ghosts
from app.game.players import Ghost, ghost_budget
from app.game.prediction import prediction_result
from app.game.rules import LevelState
from app.game.variants import Variant
from app.models import Guess, Level, Progress, Team, Vote
from app.schemas import PlayerChoiceOut, PredictionOut, PredictionResultOut


def guess_point(guess: Guess, variant: Variant) -> list[float]:
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


def lesson_teams(session: Session, level: Level) -> Sequence[Team]:
    """The teams of the level's lesson, by number (the reveal's team index)."""
    return session.scalars(
        select(Team).where(Team.lesson_id == level.lesson_id).order_by(Team.number)
    ).all()


def level_players(session: Session, level: Level) -> list[Ghost]:
    """The reference players' games on a level as its reveal shows them (from where the
    teams began): what a prediction asks about, before the reveal."""
    teams = lesson_teams(session, level)
    paths, _ = team_paths(session, level, teams, {team.id: i for i, team in enumerate(teams)})
    return level_ghosts(session, level, paths)[0]


def team_paths(
    session: Session, level: Level, teams: Sequence[Team], index: dict[int, int]
) -> tuple[list[list[list[float]]], list[list[int]]]:
    """Each team's guesses in order, and the order they came in ([team index, guess index]),
    with per-team variants every guess moved back onto the level's own curve."""
    variants = {team.id: level.variant(team.id) for team in teams}
    paths: list[list[list[float]]] = [[] for _ in teams]
    replay: list[list[int]] = []
    for guess in session.scalars(
        select(Guess).where(Guess.level_id == level.id).order_by(Guess.created_at, Guess.id)
    ):
        i = index[guess.team_id]
        replay.append([i, len(paths[i])])
        paths[i].append(guess_point(guess, variants[guess.team_id]))
    return paths, replay


def level_ghosts(
    session: Session, level: Level, paths: list[list[list[float]]]
) -> tuple[list[Ghost], tuple[float, float | None], int]:
    """The reference players' games, where they started and how many guesses they had."""
    used = [
        n
        for n in session.scalars(select(Progress.guesses_used).where(Progress.level_id == level.id))
        if n
    ]
    firsts = [path[0] for path in paths if path]
    start = ghost_start(level.domain, level.move, (level.start_x, level.start_y), firsts)
    budget = ghost_budget(level.guess_budget, used)
    play = GhostRules(
        level.move, level.step_bounds, level.slope_noise, f"downhill-level-{level.id}"
    )
    return ghosts(level.domain, level.expression, start, budget, play), start, budget


def level_votes(session: Session, level: Level) -> dict[int, str]:
    """Each voting team's prediction on the level (by team id)."""
    rows = session.execute(select(Vote.team_id, Vote.choice).where(Vote.level_id == level.id))
    return {team_id: choice for team_id, choice in rows}


def prediction_bonus(session: Session, level: Level) -> dict[int, float]:
    """The points each team earned by predicting right on a revealed level (by team id)."""
    if not (level.prediction and level.prediction_points):
        return {}
    players = level_players(session, level)
    gaps = {g.key: g.best.fx - level.f_star for g in players}
    right = prediction_result(gaps, level_votes(session, level)).right
    return dict.fromkeys(right, float(level.prediction_points))


def prediction_view(
    session: Session, *, level: Level, team_id: int | None, now: datetime
) -> PredictionOut | None:
    """The level's prediction as ``team_id`` sees it (None: as the room sees it, on the
    projector and the monitor), or None when none is asked or the level is not closed yet.
    Before the reveal only the number of votes is told, never what they are."""
    state = level.clock.state_at(now)
    if not level.prediction or state not in (LevelState.CLOSED, LevelState.REVEALED):
        return None
    players = level_players(session, level)
    votes = level_votes(session, level)
    teams = session.scalar(select(func.count(Team.id)).where(Team.lesson_id == level.lesson_id))
    return PredictionOut(
        open=state is LevelState.CLOSED,
        choices=[PlayerChoiceOut(key=g.key, params=g.params) for g in players],
        mine=None if team_id is None else votes.get(team_id),
        votes=len(votes),
        teams=teams or 0,
        points=level.prediction_points or 0,
        result=_result(session, level, players, votes) if state is LevelState.REVEALED else None,
    )


def _result(
    session: Session, level: Level, players: list[Ghost], votes: dict[int, str]
) -> PredictionResultOut:
    found = prediction_result({g.key: g.best.fx - level.f_star for g in players}, votes)
    numbers = session.scalars(
        select(Team.number).where(Team.id.in_(found.right)).order_by(Team.number)
    )
    return PredictionResultOut(
        closest=list(found.closest),
        counts=dict(found.counts),
        right=list(numbers),
        points=level.prediction_points or 0,
    )
