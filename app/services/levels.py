"""Levels: saving one (with its analysis), what a team sees of them, entering, state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.expression import ExpressionError
from app.game.rules import LevelState, may_enter, password_matches, transition
from app.game.settings import FUNCTION_FIELDS, LOCKED_FIELDS, LevelSpec, changed_fields
from app.models import Guess, Level, Progress, Team, Vote, new_noise_seed
from app.services import live, projector
from app.services.throttle import ensure_not_locked, record_attempt


def add_level(session: Session, *, lesson_id: int, spec: LevelSpec) -> Level:
    """Check the function on its domain, find its true minimum and median, and save it.

    Raises Refused with the expression's error code (and its place) when f cannot be
    used on this domain.
    """
    try:
        analysis = spec.domain.facts(spec.expression)
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
        note=spec.note,
        state=LevelState.DRAFT.value,
        standings_visibility=spec.standings_visibility.value,
        freeze_seconds=spec.freeze_seconds,
        mode=spec.mode.value,
        start_x=spec.start_x,
        eta_max=spec.eta_max,
        beta_max=spec.beta_max,
        slope_noise=spec.slope_noise,
        batch_max=spec.batch_max,
        variant_shift=spec.variant_shift,
        variant_scale=spec.variant_scale,
        y_min=spec.y_min,
        y_max=spec.y_max,
        start_y=spec.start_y,
        fit=spec.fit,
        fit_data=spec.fit_data,
        fit_c=spec.fit_c,
        fit_d=spec.fit_d,
        prediction=spec.prediction,
        prediction_points=spec.prediction_points,
        x_star=analysis.x_star,
        y_star=analysis.y_star,
        f_star=analysis.f_star,
        f_median=analysis.f_median,
    )
    session.add(level)
    session.flush()
    return level


def create_level(session: Session, *, lesson_id: int, spec: LevelSpec) -> Level:
    """Add a level at the end of a lesson, as a draft, under the write lock."""
    lock_for_write(session)
    level = add_level(session, lesson_id=lesson_id, spec=spec)
    session.commit()
    return level


def update_level(session: Session, *, level_id: int, spec: LevelSpec) -> Level:
    """Change a level's settings. Its function, domain, mode, start and variants stay as they
    are once
    teams have guessed (their stored answers and steps must stay true): duplicate the lesson
    instead. The slope noise may change at any time: it changes the slopes to come."""
    lock_for_write(session)
    level = session.get(Level, level_id, populate_existing=True, with_for_update=True)
    if level is None:
        raise Refused("level_not_found")
    changed = changed_fields(spec, {name: getattr(level, name) for name in LOCKED_FIELDS})
    if changed and has_guesses(session, level.id):
        raise Refused("level_has_guesses")
    changes_f = bool(changed & set(FUNCTION_FIELDS))
    level.mode, level.start_x, level.start_y = spec.mode.value, spec.start_x, spec.start_y
    level.eta_max, level.beta_max = spec.eta_max, spec.beta_max
    level.slope_noise, level.batch_max = spec.slope_noise, spec.batch_max
    level.variant_shift, level.variant_scale = spec.variant_shift, spec.variant_scale
    if changes_f or not level.noise_seed:  # a new function (or an older level): new draws
        level.noise_seed = new_noise_seed()
    if changes_f:
        analysis = spec.domain.facts(spec.expression)
        level.expression, level.x_min, level.x_max = spec.expression, spec.x_min, spec.x_max
        level.y_min, level.y_max = spec.y_min, spec.y_max
        level.fit, level.fit_data, level.fit_c, level.fit_d = (
            spec.fit,
            spec.fit_data,
            spec.fit_c,
            spec.fit_d,
        )
        level.x_star, level.y_star = analysis.x_star, analysis.y_star
        level.f_star, level.f_median = analysis.f_star, analysis.f_median
    level.title, level.cooldown_seconds = spec.title, spec.cooldown_seconds
    level.guess_budget, level.time_limit_seconds = spec.guess_budget, spec.time_limit_seconds
    level.password, level.note = spec.password, spec.note
    level.prediction, level.prediction_points = spec.prediction, spec.prediction_points
    level.standings_visibility = spec.standings_visibility.value
    level.freeze_seconds = spec.freeze_seconds
    live.bump(session, lesson_id=level.lesson_id)  # the projector shows title and standings
    session.commit()
    return level


def has_guesses(session: Session, level_id: int) -> bool:
    """Whether any team has guessed on the level."""
    return session.scalar(select(Guess.id).where(Guess.level_id == level_id).limit(1)) is not None


def move_level(session: Session, *, level_id: int, step: int) -> Level:
    """Move a level one place up (step -1) or down (step 1) in its lesson."""
    lock_for_write(session)
    level = session.get(Level, level_id, populate_existing=True)
    if level is None:
        raise Refused("level_not_found")
    order = list(
        session.scalars(
            select(Level).where(Level.lesson_id == level.lesson_id).order_by(Level.position)
        )
    )
    index = order.index(level)
    other = index + step
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        for position, each in enumerate(order, start=1):
            each.position = position
    session.commit()
    return level


def reset_level(session: Session, *, level_id: int) -> int:
    """Delete a level's guesses and every team's progress on it; returns how many guesses."""
    lock_for_write(session)
    level = session.get(Level, level_id, populate_existing=True, with_for_update=True)
    if level is None:
        raise Refused("level_not_found")
    done = session.execute(delete(Guess).where(Guess.level_id == level_id))
    deleted = cast(CursorResult[Any], done).rowcount  # a DELETE's result has a row count
    session.execute(delete(Progress).where(Progress.level_id == level_id))
    session.execute(delete(Vote).where(Vote.level_id == level_id))  # a new game, new votes
    # new draws of slope noise and variants: the revealed ones would tell the next game
    level.noise_seed = new_noise_seed()
    live.bump(session, lesson_id=level.lesson_id)
    session.commit()
    return deleted or 0


def get_level(session: Session, *, level_id: int) -> Level:
    """A level of any lesson (the instructor's), or ``level_not_found``."""
    level = session.get(Level, level_id)
    if level is None:
        raise Refused("level_not_found")
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
    session.refresh(level, with_for_update=True)
    session.refresh(level.lesson)
    if state is LevelState.OPEN and level.lesson.archived:
        raise Refused("lesson_archived_moves")
    apply_transition(level, state, now)
    if state is LevelState.OPEN:
        projector.follow_opened_level(session, level=level, now=now)
    live.bump(session, lesson_id=level.lesson_id)
    session.commit()
    return level
