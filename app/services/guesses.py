"""Guesses: submitting one under the rules, and what a team may read of its own."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write, utcnow
from app.errors import Refused
from app.game.expression import CompiledFunction, CompiledPlane
from app.game.guess import (
    Accepted,
    Choice,
    GuessRefused,
    check_key,
    decide_guess,
    read_choice,
)
from app.game.moves import Mode, PlaneStep, Position, implied_plane_rate, implied_rate
from app.game.rules import (
    NOT_ENTERED,
    Refusal,
    curve_is_public,
    guesses_left,
    may_look_at,
    next_allowed_at,
)
from app.models import Guess, Level, Progress, Team
from app.schemas import (
    AnswerOut,
    GuessOut,
    LevelOut,
    PlayStateOut,
    PositionOut,
    StartOut,
    TangentOut,
    TeamOut,
)
from app.services import live
from app.services.levels import team_level
from app.services.reveal import team_reveal
from app.services.steps import as_received, position, start_position


@dataclass(frozen=True)
class Answer:
    """What the server answers to an accepted guess (also to a retried one)."""

    guess: Guess
    guesses_left: int | None
    next_allowed_at: datetime | None
    best: Guess
    replayed: bool


def submit_guess(
    session: Session,
    *,
    team: Team,
    level_id: int,
    idempotency_key: str,
    raw_x: object = None,
    raw_eta: object = None,
    raw_beta: object = None,
    raw_y: object = None,
    now: datetime | None = None,
) -> Answer:
    """Check every rule of a guess atomically and store it, or refuse and change nothing.

    Read the choice, then under the write lock read what the decision needs (the level,
    the team's progress, a stored answer for the key, where a stepping team stands), let
    ``app.game.guess.decide_guess`` decide, and write what it accepted. A retry with an
    idempotency key already stored for this team and level returns the stored answer and
    spends nothing; the same key with another choice is refused. ``now`` is read from the
    server clock once the write lock is held, unless given (tests).
    """
    try:
        check_key(idempotency_key)
        level = team_level(session, team=team, level_id=level_id)
        _choose(level, raw_x, raw_eta, raw_beta, raw_y)
        team_function(level, team.id)  # compiled (and cached) before the lock
        lock_for_write(session)
        now = now or utcnow()
        locked = session.get(Level, level.id, populate_existing=True, with_for_update=True)
        progress = session.get(
            Progress, (team.id, level_id), populate_existing=True, with_for_update=True
        )
        if locked is None:
            raise GuessRefused("level_not_found")
        level = locked
        # the level as it is under the lock: before anyone guessed, the instructor may
        # have changed its mode, bounds or function since the checks above
        choice = _choose(level, raw_x, raw_eta, raw_beta, raw_y)
        if progress is not None:
            stored = _stored_for_key(session, progress, idempotency_key)
            if stored is not None:
                session.commit()
                if not choice.made(stored.x, stored.y, stored.eta, stored.beta):
                    raise GuessRefused("idempotency_key_reused")
                return _answer(session, level, progress, stored, replayed=True)
        verdict = decide_guess(
            level.rules,
            progress.as_rules_input() if progress else NOT_ENTERED,
            choice,
            now,
            function=team_function(level, team.id),
            at=position(session, level, progress) if choice.eta is not None else None,
        )
    except GuessRefused as refused:
        raise Refused(refused.refusal.code, **refused.refusal.params) from None
    if isinstance(verdict, Refusal):
        raise Refused(verdict.code, **verdict.params)
    assert progress is not None  # noqa: S101 - the rules refuse a team that has not entered
    guess = _store(session, level, progress, verdict, idempotency_key, choice, now)
    return _answer(session, level, progress, guess, replayed=False)


def _choose(
    level: Level, raw_x: object, raw_eta: object, raw_beta: object, raw_y: object
) -> Choice:
    return read_choice(
        level.move, level.step_bounds, level.domain.plane, raw_x, raw_eta, raw_beta, raw_y
    )


def _store(
    session: Session,
    level: Level,
    progress: Progress,
    accepted: Accepted,
    key: str,
    choice: Choice,
    now: datetime,
) -> Guess:
    """Write an accepted guess, the team's progress and the lesson's live version; commit."""
    team_id, seq, step = progress.team_id, progress.guesses_used + 1, accepted.step
    guess = Guess(
        team_id=team_id,
        level_id=level.id,
        seq=seq,
        x=accepted.x,
        fx=accepted.fx,
        slope=as_received(level, accepted.slope, team_id, seq),
        true_slope=accepted.slope if level.slope_noise else None,
        idempotency_key=key,
        created_at=now,
        eta=choice.eta,
        beta=choice.beta,
        velocity=step.velocity if step else None,
        clamped=step.clamped if step else False,
    )
    if accepted.gy is not None:
        guess.y = accepted.y
        guess.gy = as_received(level, accepted.gy, team_id, seq, along_y=True)
        guess.true_gy = accepted.gy if level.slope_noise else None
        guess.velocity_y = step.velocity_y if isinstance(step, PlaneStep) else None
    session.add(guess)
    progress.guesses_used += 1
    progress.last_guess_at = now
    if progress.best_fx is None or accepted.fx < progress.best_fx:
        progress.best_fx, progress.best_x, progress.best_at = accepted.fx, accepted.x, now
        progress.best_y = accepted.y
    live.bump(session, lesson_id=level.lesson_id)
    session.commit()
    return guess


def team_function(level: Level, team_id: int) -> CompiledFunction | CompiledPlane:
    """The function a team plays: on a level with variants the team's own copy (compiled
    once per text and process)."""
    return level.domain.function(level.expression, level.variant(team_id))


def _stored_for_key(session: Session, progress: Progress, key: str) -> Guess | None:
    query = select(Guess).where(
        Guess.team_id == progress.team_id,
        Guess.level_id == progress.level_id,
        Guess.idempotency_key == key,
    )
    return session.scalars(query).first()


def _answer(
    session: Session, level: Level, progress: Progress, guess: Guess, *, replayed: bool
) -> Answer:
    rules, state = level.rules, progress.as_rules_input()
    best = best_guess(session, progress) or guess
    return Answer(
        guess=guess,
        guesses_left=guesses_left(rules, state),
        next_allowed_at=next_allowed_at(rules, state),
        best=best,
        replayed=replayed,
    )


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
    if progress is None:
        return PlayView(level, None, [], None, start, start)
    history = _guesses_of(session, team, level)
    at = position(session, level, progress) if start else None
    return PlayView(level, progress, history, best_guess(session, progress), at, start)


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
        reveal=team_reveal(level, team.id),
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
