"""Submitting a guess: the hot path of the game, in one short transaction.

An accepted guess is one transaction of at most five statements: its lock (on SQLite,
``BEGIN IMMEDIATE``: SQLite has one writer), one read of everything the decision needs
(the team and its lesson, the level, the team's progress, a guess already stored under
the idempotency key, the team's last and best guesses), the INSERT of the guess and the
UPDATE of the progress (with a program's bearer token, one more read of the token).
``app.game.guess.decide_guess`` decides in between, on what was read.

On PostgreSQL a first statement locks the team's own progress row (``FOR UPDATE``) and
shares the level's (``FOR SHARE``) instead of ``BEGIN IMMEDIATE``: two guesses of one team
queue up, guesses of different teams do not wait for each other, and an instructor's
change to the level (which locks its row for update) waits for the guesses in flight and
is waited for by the next ones. The read comes after the locks, so that it sees what the
guess it waited for committed (a statement sees what was committed when it began).

Nothing else is written: the projector and the monitor learn of a guess from the progress
rows (see ``app.services.live``), so no row shared by a lesson's teams is held by a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, inspect
from sqlalchemy.orm import Session

from app.db import begin_guess, utcnow
from app.errors import Refused
from app.game.expression import CompiledFunction, CompiledPlane
from app.game.guess import (
    Accepted,
    Choice,
    GuessRefused,
    check_key,
    decide_guess,
    read_batch,
    read_choice,
)
from app.game.moves import PlaneStep, Position
from app.game.rules import LevelState, Refusal, guesses_left, next_allowed_at
from app.models import Guess, Level, Login, Progress, Team
from app.services.guess_rows import GuessRead, TeamState, new_guess, read_guess, store_guess
from app.services.levels import team_level
from app.services.steps import as_received, last_position, start_position
from app.services.tokens import team_for_token


@dataclass(frozen=True)
class Caller:
    """Who sends a guess, as the request says before any database read: a browser's signed
    login (the team's id and when that team was made), or a program's bearer token. Both
    are checked inside the guess's own transaction."""

    team_id: int | None = None
    since: str | None = None
    token: str | None = None
    login: str | None = None  # a browser's login (app.services.logins), checked in the read

    @classmethod
    def of(cls, team: Team) -> Caller:
        """A team already loaded by the server itself (tests, the CLI): no browser login
        to check."""
        return cls(team.id, team.created_at.isoformat())


@dataclass(frozen=True)
class Answer:
    """What the server answers to an accepted guess (also to a retried one)."""

    guess: Guess
    guesses_left: int | None
    next_allowed_at: datetime | None
    best: Guess
    replayed: bool


@dataclass(frozen=True)
class GuessRequest:
    """A guess as a request sends it: who, on which level, its idempotency key, and the
    choice as typed (read and checked only inside the guess's transaction)."""

    caller: Caller
    level_id: int
    idempotency_key: str
    raw_x: object = None
    raw_eta: object = None
    raw_beta: object = None
    raw_y: object = None
    raw_batch: object = None


def submit_guess(
    session: Session,
    *,
    team: Team | Caller,
    level_id: int,
    idempotency_key: str,
    raw_x: object = None,
    raw_eta: object = None,
    raw_beta: object = None,
    raw_y: object = None,
    raw_batch: object = None,
    now: datetime | None = None,
) -> Answer:
    """Check every rule of a guess atomically and store it, or refuse and change nothing:
    one guess in a transaction of its own (``app.writer`` commits several at once).

    A retry with an idempotency key already stored for this team and level returns the
    stored answer and spends nothing; the same key with another choice is refused. ``now``
    is read from the server clock once the transaction holds its locks, unless given.
    """
    caller = team if isinstance(team, Caller) else Caller.of(team)
    request = GuessRequest(
        caller, level_id, idempotency_key, raw_x, raw_eta, raw_beta, raw_y, raw_batch
    )
    try:
        check_key(idempotency_key)
    except GuessRefused as refused:
        raise Refused(refused.refusal.code, **refused.refusal.params) from None
    begin_guess(session)
    try:
        answer = decide_and_store(session.connection(), request, now)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    _forget_progress(session, answer.guess)
    return answer


def _forget_progress(session: Session, guess: Guess) -> None:
    """The progress was written in Core: a copy the session holds is read again when used."""
    key = inspect(Progress).identity_key_from_primary_key((guess.team_id, guess.level_id))
    held = session.identity_map.get(key)
    if held is not None:
        session.expire(held)


def decide_and_store(
    connection: Connection, request: GuessRequest, now: datetime | None, *, wait: bool = True
) -> Answer:
    """Decide a guess in the connection's transaction, which holds the guess lock
    (``begin_guess``, or ``GUESS_LOCK`` in the connection's options), and write it when it
    is accepted; a refusal (``Refused``) writes nothing. The caller ends the transaction:
    commits, or rolls back on any exception. Without ``wait`` (a group of guesses),
    ``HeldElsewhere`` instead of waiting for rows another transaction locks.

    A browser's guess needs no ORM session (its statements run on the connection); the
    rarer reads of a program's token and of why a guess without progress is refused use
    one made for them, inside the same transaction."""
    try:
        check_key(request.idempotency_key)
        team_id = _team_id(connection, request.caller)
        login = request.caller.login
        key = request.idempotency_key
        read = read_guess(connection, team_id, request.level_id, key, login, wait=wait)
        now = now or utcnow()
        raw = (request.raw_x, request.raw_eta, request.raw_beta, request.raw_y, request.raw_batch)
        if read is None:
            with _joined(connection) as session:
                raise _refusal_without_progress(
                    session, request.caller, team_id, request.level_id, raw
                )
        _check_login(read, request.caller)
        level, progress = read.level, read.progress
        choice = _choose(level, *raw)
        if read.stored is not None:
            stored = read.stored
            if not choice.made(stored.x, stored.y, stored.eta, stored.beta, stored.batch):
                raise GuessRefused("idempotency_key_reused")
            return _answer(level, progress, read.stored, read.best, replayed=True)
        verdict = decide_guess(
            level.rules,
            progress.as_rules_input(),
            choice,
            now,
            function=team_function(level, team_id),
            at=_position(level, team_id, read.last) if choice.eta is not None else None,
        )
    except GuessRefused as refused:
        raise Refused(refused.refusal.code, **refused.refusal.params) from None
    if isinstance(verdict, Refusal):
        raise Refused(verdict.code, **verdict.params)
    best_before = read.best
    guess = _guess(level, progress, verdict, request.idempotency_key, choice, now)
    progress = store_guess(connection, progress, guess)
    best = guess if best_before is None or guess.fx < best_before.fx else best_before
    return _answer(level, progress, guess, best, replayed=False)


def team_function(level: Level, team_id: int) -> CompiledFunction | CompiledPlane:
    """The function a team plays: on a level with variants the team's own copy (compiled
    once per text and process)."""
    return level.domain.function(level.expression, level.variant(team_id))


def _team_id(connection: Connection, caller: Caller) -> int:
    """The caller's team: a browser's login says it (checked in the read), a token is read."""
    if caller.token is not None:
        with _joined(connection) as session:
            return team_for_token(session, caller.token).id
    if caller.team_id is None:
        raise Refused("not_logged_in")
    return caller.team_id


def _joined(connection: Connection) -> Session:
    """A session for a few ORM reads inside the connection's transaction, which it never
    ends (closing it leaves the transaction to its owner)."""
    return Session(bind=connection, join_transaction_mode="rollback_only")


def _check_login(read: GuessRead, caller: Caller) -> None:
    """A browser's login names a team that still exists (not another one made since with
    its id) in a lesson still running; a token was checked when it was read."""
    if caller.token is None and read.team_since.isoformat() != caller.since:
        raise Refused("not_logged_in")
    if caller.login is not None and not read.signed_in:  # logged out, or a new PIN since
        raise Refused("not_logged_in")
    if read.archived:
        raise Refused("lesson_archived" if caller.token is not None else "not_logged_in")
    if read.level.state == LevelState.DRAFT:  # as team_level: teams never see a draft
        raise Refused("level_not_found")


def _refusal_without_progress(
    session: Session,
    caller: Caller,
    team_id: int,
    level_id: int,
    raw: tuple[object, object, object, object, object],
) -> Refused | GuessRefused:
    """Why a team with no progress on the level is refused, as the rules order it: not
    logged in, no such level for it, a choice it cannot make, not entered."""
    team = session.get(Team, team_id)
    if team is None or team.lesson.archived:
        return Refused("not_logged_in")
    if caller.token is None and team.created_at.isoformat() != caller.since:
        return Refused("not_logged_in")
    if caller.login is not None and session.get(Login, caller.login) is None:
        return Refused("not_logged_in")
    level = team_level(session, team=team, level_id=level_id)
    try:
        _choose(level, *raw)
    except GuessRefused as refused:
        return refused
    return GuessRefused("level_not_entered")


def _choose(
    level: Level, raw_x: object, raw_eta: object, raw_beta: object, raw_y: object, raw_batch: object
) -> Choice:
    choice = read_choice(
        level.move, level.step_bounds, level.domain.plane, raw_x, raw_eta, raw_beta, raw_y
    )
    return replace(choice, batch=read_batch(raw_batch, level.batch_max))


def _position(level: Level, team_id: int, last: Guess | None) -> Position:
    """Where a stepping team stands: after its last step, or at the level's start."""
    return last_position(last) if last is not None else start_position(level, team_id)


def _guess(
    level: Level, progress: TeamState, accepted: Accepted, key: str, choice: Choice, now: datetime
) -> Guess:
    """An accepted guess as it is stored (a transient object: written in Core)."""
    team_id, seq, step = progress.team_id, progress.guesses_used + 1, accepted.step
    gy = accepted.gy
    return new_guess(
        id=None,
        team_id=team_id,
        level_id=level.id,
        seq=seq,
        x=accepted.x,
        fx=accepted.fx,
        slope=as_received(level, accepted.slope, team_id, seq, batch=choice.batch),
        true_slope=accepted.slope if level.slope_noise else None,
        idempotency_key=key,
        created_at=now,
        eta=choice.eta,
        beta=choice.beta,
        velocity=step.velocity if step else None,
        clamped=step.clamped if step else False,
        y=accepted.y if gy is not None else None,
        gy=as_received(level, gy, team_id, seq, along_y=True, batch=choice.batch)
        if gy is not None
        else None,
        true_gy=gy if level.slope_noise else None,
        velocity_y=step.velocity_y if isinstance(step, PlaneStep) else None,
        batch=choice.batch,
    )


def _answer(
    level: Level, progress: TeamState, guess: Guess, best: Guess | None, *, replayed: bool
) -> Answer:
    rules, state = level.rules, progress.as_rules_input()
    return Answer(
        guess=guess,
        guesses_left=guesses_left(rules, state),
        next_allowed_at=next_allowed_at(rules, state),
        best=best or guess,
        replayed=replayed,
    )
