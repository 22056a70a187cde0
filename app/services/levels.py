"""Levels: saving one (with its analysis), what a team sees of them, entering, state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.expression import ExpressionError, analyze, compile_function
from app.game.rules import LevelState, Visibility, may_enter, password_matches, transition
from app.models import Level, Progress, Team
from app.services.throttle import ensure_not_locked, record_attempt


@dataclass(frozen=True)
class LevelSpec:
    """What an instructor decides about a level."""

    title: str
    expression: str
    x_min: float
    x_max: float
    cooldown_seconds: int = 10
    guess_budget: int | None = None
    time_limit_seconds: int | None = None
    password: str | None = None
    standings_visibility: Visibility = Visibility.SHOWN
    freeze_seconds: int | None = None


def add_level(session: Session, *, lesson_id: int, spec: LevelSpec) -> Level:
    """Check the function on its domain, find its true minimum and median, and save it.

    Raises Refused with the expression's error code (and its place) when f cannot be
    used on this domain.
    """
    try:
        function = compile_function(spec.expression)
        analysis = analyze(function, spec.x_min, spec.x_max)
    except ExpressionError as exc:
        raise Refused(exc.code, position=exc.position, **exc.params) from None
    position = len(session.scalars(select(Level.id).where(Level.lesson_id == lesson_id)).all())
    level = Level(
        lesson_id=lesson_id,
        position=position + 1,
        title=spec.title,
        expression=spec.expression,
        x_min=spec.x_min,
        x_max=spec.x_max,
        cooldown_seconds=spec.cooldown_seconds,
        guess_budget=spec.guess_budget,
        time_limit_seconds=spec.time_limit_seconds,
        password=spec.password,
        state=LevelState.DRAFT.value,
        standings_visibility=spec.standings_visibility.value,
        freeze_seconds=spec.freeze_seconds,
        x_star=analysis.x_star,
        f_star=analysis.f_star,
        f_median=analysis.f_median,
    )
    session.add(level)
    session.flush()
    return level


def team_level(session: Session, *, team: Team, level_id: int) -> Level:
    """A level of the team's lesson that teams may see (not a draft), or ``level_not_found``."""
    level = session.get(Level, level_id)
    if level is None or level.lesson_id != team.lesson_id or level.state == LevelState.DRAFT:
        raise Refused("level_not_found")
    return level


def visible_levels(session: Session, *, lesson_id: int) -> list[Level]:
    """The levels of a lesson that teams see, in lesson order (drafts are invisible)."""
    query = (
        select(Level)
        .where(Level.lesson_id == lesson_id, Level.state != LevelState.DRAFT.value)
        .order_by(Level.position)
    )
    return list(session.scalars(query))


def progress_of(session: Session, *, team: Team, level_id: int) -> Progress | None:
    """The team's progress on a level, or None when it has not entered it."""
    return session.get(Progress, (team.id, level_id))


def entered_level_ids(session: Session, *, team: Team) -> set[int]:
    """The levels the team has entered."""
    return set(session.scalars(select(Progress.level_id).where(Progress.team_id == team.id)))


def enter_level(
    session: Session, *, team: Team, level_id: int, password: str | None, now: datetime
) -> Progress:
    """Let the team into an open level when the password matches (case and spaces ignored).

    Entering again is harmless. Wrong passwords are throttled per team and level.
    """
    level = team_level(session, team=team, level_id=level_id)
    existing = progress_of(session, team=team, level_id=level.id)
    if existing is not None:
        return existing
    if not may_enter(level.clock, now):
        raise Refused("level_closed")
    subject = f"team:{team.id}:level:{level.id}"
    if level.password:
        ensure_not_locked(session, scope="level_password", subject=subject, now=now)
    lock_for_write(session)
    existing = session.get(Progress, (team.id, level.id), populate_existing=True)
    if existing is not None:
        session.commit()
        return existing
    if level.password:
        ensure_not_locked(session, scope="level_password", subject=subject, now=now)
        valid = password_matches(password, level.password)
        record_attempt(session, scope="level_password", subject=subject, success=valid, now=now)
        if not valid:
            session.commit()
            raise Refused("password_wrong")
    progress = Progress(team_id=team.id, level_id=level.id, entered_at=now, guesses_used=0)
    session.add(progress)
    session.commit()
    return progress


def apply_transition(level: Level, target: LevelState, now: datetime) -> None:
    """Move a level in memory (the caller holds the write lock and commits).

    Raises NoSuchMove for a move the life of a level does not have.
    """
    moved = transition(level.clock, level.closed_at, target, now)
    level.state = moved.state.value
    level.opened_at, level.closed_at = moved.opened_at, moved.closed_at
    level.revealed_at = moved.revealed_at


def set_level_state(session: Session, *, level: Level, state: LevelState, now: datetime) -> Level:
    """Open (or reopen), close (settle) or reveal a level, under the write lock.

    Raises NoSuchMove for a move the life of a level does not have.
    """
    lock_for_write(session)
    session.refresh(level)
    apply_transition(level, state, now)
    session.commit()
    return level
