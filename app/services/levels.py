"""Levels: saving one (with its analysis), what a team sees of them, entering, state."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.expression import ExpressionError, analyze, compile_function
from app.game.rules import LevelState, Visibility
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
    state = level.clock.state_at(now)
    if state is not LevelState.OPEN:
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
        valid = hmac.compare_digest(
            _normalize_password(password or "").encode(),
            _normalize_password(level.password).encode(),
        )
        record_attempt(session, scope="level_password", subject=subject, success=valid, now=now)
        if not valid:
            session.commit()
            raise Refused("password_wrong")
    progress = Progress(team_id=team.id, level_id=level.id, entered_at=now, guesses_used=0)
    session.add(progress)
    session.commit()
    return progress


def _normalize_password(text: str) -> str:
    return " ".join(text.split()).casefold()


def set_level_state(session: Session, *, level: Level, state: LevelState, now: datetime) -> Level:
    """Move a level through its life: open (or reopen), close (settle), reveal.

    Raises ValueError for a move the life of a level does not have.
    """
    lock_for_write(session)
    session.refresh(level)
    stored, effective = LevelState(level.state), level.clock.state_at(now)
    if state is LevelState.OPEN and effective in (LevelState.DRAFT, LevelState.CLOSED):
        level.opened_at, level.closed_at = now, None
    elif state is LevelState.CLOSED and stored is LevelState.OPEN:
        deadline = level.clock.deadline
        level.closed_at = deadline if deadline is not None and deadline <= now else now
    elif state is LevelState.REVEALED and effective is LevelState.CLOSED:
        level.closed_at = level.closed_at or level.clock.deadline or now
        level.revealed_at = now
    else:
        raise ValueError(f"a {effective.value} level cannot become {state.value}")
    level.state = state.value
    session.commit()
    return level
