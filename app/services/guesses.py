"""Guesses: what a team may read of its own (submitting one is app.services.submit)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Refused
from app.game.moves import Mode, Position, implied_plane_rate, implied_rate
from app.game.rules import curve_is_public, guesses_left, may_look_at, next_allowed_at
from app.models import Guess, Level, Progress, Team
from app.schemas import (
    AnswerOut,
    GuessOut,
    LevelOut,
    PlayStateOut,
    PositionOut,
    PredictionOut,
    StartOut,
    TangentOut,
    TeamOut,
)
from app.services.levels import team_level
from app.services.players import prediction_view
from app.services.reveal import team_reveal
from app.services.steps import position, start_position
from app.services.submit import Answer


def best_guess(session: Session, progress: Progress) -> Guess | None:
    """The guess where the team reached its best f(x) first."""
    if progress.best_at is None:
        return None
    query = (
        select(Guess)
        .where(
            Guess.team_id == progress.team_id,
            Guess.level_id == progress.level_id,
            Guess.fx == progress.best_fx,
        )
        .order_by(Guess.seq)
        .limit(1)
    )
    return session.scalars(query).first()


@dataclass(frozen=True)
class PlayView:
    """What a team's play page shows of one level: the level, its progress, its guesses."""

    level: Level
    progress: Progress | None
    guesses: list[Guess]
    best: Guess | None
    position: Position | None = None  # on stepping levels: where the next step starts
    start: Position | None = None  # on stepping levels: where every team starts
    prediction: PredictionOut | None = None  # once closed, when the instructor asks


def looked_at_level(
    session: Session, *, team: Team, level_id: int, now: datetime
) -> tuple[Level, Progress | None]:
    """A level the team may look at, and its progress there: one it entered, or a settled
    one; else ``level_not_entered`` (every page and JSON route of a level asks this)."""
    level = team_level(session, team=team, level_id=level_id)
    progress = session.get(Progress, (team.id, level.id))
    if not may_look_at(level.clock, progress is not None, now):
        raise Refused("level_not_entered")
    return level, progress


def play_view(session: Session, *, team: Team, level_id: int, now: datetime) -> PlayView:
    """The level as the team plays it (or, once settled, looks back at it)."""
    level, progress = looked_at_level(session, team=team, level_id=level_id, now=now)
    start = start_position(level, team.id) if level.move.steps else None
    asked = prediction_view(session, level=level, team_id=team.id, now=now)
    if progress is None:
        return PlayView(level, None, [], None, start, start, asked)
    history = _guesses_of(session, team, level)
    at = position(session, level, progress) if start else None
    return PlayView(level, progress, history, best_guess(session, progress), at, start, asked)


def own_guesses(session: Session, *, team: Team, level_id: int, now: datetime) -> list[Guess]:
    """The team's own guesses on a level it may look at, in order; never another team's."""
    level, _ = looked_at_level(session, team=team, level_id=level_id, now=now)
    return _guesses_of(session, team, level)


def _guesses_of(session: Session, team: Team, level: Level) -> list[Guess]:
    query = (
        select(Guess)
        .where(Guess.team_id == team.id, Guess.level_id == level.id)
        .order_by(Guess.seq)
    )
    return list(session.scalars(query))


def play_state(view: PlayView, team: Team, now: datetime) -> PlayStateOut:
    """Everything the play page shows (and ``GET /api/levels/{id}`` answers)."""
    level, progress = view.level, view.progress
    state = progress.as_rules_input() if progress else None
    return PlayStateOut(
        level=LevelOut.of(level, now),
        team=TeamOut(number=team.number, name=team.name),
        entered=progress is not None,
        guesses=_guesses_out(level, view.guesses),
        best=GuessOut.of(view.best) if view.best else None,
        guesses_left=guesses_left(level.rules, state) if state else level.guess_budget,
        next_allowed_at=next_allowed_at(level.rules, state) if state else None,
        server_now=now,
        position=_position_out(view),
        reveal=team_reveal(level, team.id, view.guesses),
        prediction=view.prediction,
    )


def _guesses_out(level: Level, guesses: list[Guess]) -> list[GuessOut]:
    """A team's guesses; after the reveal, with what the reveal teaches: on a level with
    noisy slopes the true slope beside each noisy one, and on a free-guess level the learning
    rate each step amounted to, η = −Δx / f'(x) (the team's intuition as the update rule)."""
    out = [GuessOut.of(g) for g in guesses]
    if not curve_is_public(level.clock):
        return out
    for guess, row in zip(guesses, out, strict=True):
        if guess.true_slope is not None:
            row.true_slope = guess.true_slope
        if guess.true_gy is not None:
            row.true_gy = guess.true_gy
    if level.move is Mode.FREE:
        for before, after in zip(out, out[1:], strict=False):
            if after.y is not None and before.y is not None and before.gy is not None:
                slopes = {"x": before.x, "y": before.y, "slope": before.slope, "gy": before.gy}
                after.implied_eta = implied_plane_rate(slopes, {"x": after.x, "y": after.y})
            else:
                after.implied_eta = implied_rate(before.x, before.slope, after.x)
    return out


def _position_out(view: PlayView) -> PositionOut | None:
    """Where a team stands on a stepping level; None on free-guess levels."""
    if view.position is None or view.start is None:
        return None
    at, start = view.position, view.start
    plane = at.y is not None and start.y is not None
    along_y = {"y": start.y, "gy": _finite(start.gy)} if plane else {}
    start_out = StartOut(x=start.x, fx=_finite(start.fx), slope=_finite(start.slope), **along_y)
    extra = {"y": at.y, "gy": _finite(at.gy), "velocity_y": at.velocity_y} if plane else {}
    return PositionOut(
        x=at.x,
        fx=_finite(at.fx),
        slope=_finite(at.slope),
        velocity=at.velocity,
        start=start_out,
        **extra,
    )


def _finite(value: float) -> float | None:
    """A number for JSON: None where f or its slope is not defined."""
    return value if math.isfinite(value) else None


def answer_out(answer: Answer, now: datetime) -> AnswerOut:
    """The answer to an accepted (or replayed) guess."""
    guess = answer.guess
    tangent = None  # a tangent line is of a curve; a plane's answer is the gradient
    if guess.y is None:
        tangent = TangentOut(slope=guess.slope, intercept=guess.intercept)
    return AnswerOut(
        guess=GuessOut.of(guess),
        tangent=tangent,
        guesses_left=answer.guesses_left,
        next_allowed_at=answer.next_allowed_at,
        best=GuessOut.of(answer.best),
        replayed=answer.replayed,
        server_now=now,
    )
