"""Guesses: submitting one under the rules, and what a team may read of its own."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write, utcnow
from app.errors import Refused
from app.game.expression import (
    CompiledFunction,
    CompiledPlane,
    PlanePoint,
    Point,
    compile_function,
    compile_plane,
)
from app.game.moves import (
    BadStep,
    Mode,
    PlaneStep,
    Position,
    Step,
    read_rate,
    take_plane_step,
    take_step,
)
from app.game.rules import (
    BadNumber,
    check_guess,
    guesses_left,
    may_look_at,
    next_allowed_at,
    parse_x,
)
from app.models import Guess, Level, Progress, Team
from app.services import live
from app.services.levels import team_level
from app.services.steps import as_received, position, start_position

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


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

    On a free-guess level the team sends x; on a learning-rate level η, on a momentum level
    η and β, and the server takes the step from where the team stands (see
    ``app.game.moves``). On a two-parameter level a free guess is a point (x and y) and
    a step moves both coordinates. A retry with an idempotency key already stored for this team and
    level returns the stored answer and spends nothing; the same key with another choice is
    refused. ``now`` is read from the server clock once the write lock is held, unless
    given (tests).
    """
    if not isinstance(idempotency_key, str) or not _KEY.fullmatch(idempotency_key):
        raise Refused("idempotency_key_invalid")
    level = team_level(session, team=team, level_id=level_id)
    choice = _read_choice(level, raw_x, raw_eta, raw_beta, raw_y)
    # compiled (and cached) before the lock; the team's own copy on a level with variants
    function = team_function(level, team.id)
    lock_for_write(session)
    now = now or utcnow()
    level = session.get(Level, level.id, populate_existing=True, with_for_update=True)
    progress = session.get(
        Progress, (team.id, level_id), populate_existing=True, with_for_update=True
    )
    if level is None:
        raise Refused("level_not_found")
    if progress is None:
        raise Refused("level_not_entered")
    # the level as it is under the lock: before anyone guessed, the instructor may have
    # changed its mode, bounds or function since the checks above (compiling is cached)
    choice = _read_choice(level, raw_x, raw_eta, raw_beta, raw_y)
    function = team_function(level, team.id)
    stored = _stored_for_key(session, progress, idempotency_key)
    if stored is not None:
        session.commit()
        if not choice.made(stored):
            raise Refused("idempotency_key_reused")
        return _answer(session, level, progress, stored, replayed=True)
    step: Step | PlaneStep | None = None
    y = choice.y
    if choice.eta is not None:
        at = position(session, level, progress)
        if not (math.isfinite(at.fx) and math.isfinite(at.slope) and math.isfinite(at.gy)):
            raise Refused("start_undefined")  # a team's copy, at a kink
        beta = choice.beta or 0.0
        if level.is_plane:
            step = take_plane_step(at, eta=choice.eta, beta=beta, box=level.rectangle)
            y = step.y
        else:
            step = take_step(at, eta=choice.eta, beta=beta, x_min=level.x_min, x_max=level.x_max)
    x = step.x if step else choice.x
    assert x is not None  # noqa: S101
    refusal = check_guess(level.rules, progress.as_rules_input(), x, now, y)
    if refusal is not None:
        params: dict[str, object] = {}
        if refusal.code == "x_outside_domain":
            params = {"x_min": level.x_min, "x_max": level.x_max}
        if refusal.code == "y_outside_domain":
            params = {"y_min": level.y_min, "y_max": level.y_max}
        if refusal.next_allowed_at is not None:
            wait = (refusal.next_allowed_at - now).total_seconds()
            params = {
                "seconds": max(round(wait, 1), 0.1),
                "next_allowed_at": refusal.next_allowed_at.isoformat(),
            }
        raise Refused(refusal.code, **params)
    point = function.at(x) if isinstance(function, CompiledFunction) else function.at(x, y or 0.0)
    if not point.is_finite:
        undefined = "not_finite_here" if y is None else "not_finite_at_point"
        raise Refused(undefined if step is None else "step_lands_where_f_undefined")
    seq = progress.guesses_used + 1
    slope = point.slope if isinstance(point, Point) else point.gx
    guess = Guess(
        team_id=team.id,
        level_id=level.id,
        seq=seq,
        x=x,
        fx=point.fx,
        slope=as_received(level, slope, team.id, seq),
        true_slope=slope if level.slope_noise else None,
        idempotency_key=idempotency_key,
        created_at=now,
        eta=choice.eta,
        beta=choice.beta,
        velocity=step.velocity if step else None,
        clamped=step.clamped if step else False,
    )
    if isinstance(point, PlanePoint):
        guess.y = y
        guess.gy = as_received(level, point.gy, team.id, seq, along_y=True)
        guess.true_gy = point.gy if level.slope_noise else None
        guess.velocity_y = step.velocity_y if isinstance(step, PlaneStep) else None
    session.add(guess)
    progress.guesses_used += 1
    progress.last_guess_at = now
    if progress.best_fx is None or point.fx < progress.best_fx:
        progress.best_fx, progress.best_x, progress.best_at = point.fx, x, now
        progress.best_y = y
    live.bump(session, lesson_id=level.lesson_id)
    session.commit()
    return _answer(session, level, progress, guess, replayed=False)


def team_function(level: Level, team_id: int) -> CompiledFunction | CompiledPlane:
    """The function a team plays: f(x, y) on a two-parameter level, else f(x), on a level
    with variants the team's own copy (compiled once per text and process)."""
    if level.is_plane:
        return compile_plane(level.expression)
    return level.variant(team_id).of(compile_function(level.expression))


@dataclass(frozen=True)
class _Choice:
    """What a team chose: x (and y), or η (and β), on a level of ``mode``."""

    x: float | None
    eta: float | None
    beta: float | None
    mode: str
    y: float | None = None

    def made(self, guess: Guess) -> bool:
        """Whether ``guess`` is what this choice made (a retry, not another guess)."""
        if self.eta is None:
            return (guess.x, guess.y) == (self.x, self.y)
        return (guess.eta, guess.beta) == (self.eta, self.beta)


def _read_choice(
    level: Level, raw_x: object, raw_eta: object, raw_beta: object, raw_y: object
) -> _Choice:
    mode = Mode(level.mode)
    if raw_y is not None and not level.is_plane:
        raise Refused("no_y_here")
    if mode is Mode.FREE:
        if raw_eta is not None or raw_beta is not None:
            raise Refused("choose_x")
        try:
            x = parse_x(raw_x)
        except BadNumber as exc:
            raise Refused(exc.code) from None
        y = None
        if level.is_plane:
            try:
                y = parse_x(raw_y)
            except BadNumber as exc:
                raise Refused("y_missing" if exc.code == "x_missing" else "y_not_number") from None
        return _Choice(x, None, None, mode.value, y)
    if (
        raw_x is not None
        or raw_y is not None
        or (mode is Mode.LEARNING_RATE and raw_beta is not None)
    ):
        raise Refused("choose_eta" if mode is Mode.LEARNING_RATE else "choose_eta_beta")
    bounds = level.step_bounds
    try:
        eta = read_rate(raw_eta, name="eta", bounds=bounds)
        beta = read_rate(raw_beta, name="beta", bounds=bounds) if mode is Mode.MOMENTUM else None
    except BadStep as exc:
        raise Refused(exc.code, **exc.params) from None
    return _Choice(None, eta, beta, mode.value)


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
    start = start_position(level, team.id) if Mode(level.mode).steps else None
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
