"""Lessons as the instructor manages them: create, rename, duplicate, archive, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.credentials import new_code
from app.game.lesson_file import LessonFile
from app.game.moves import Mode
from app.game.rules import Visibility
from app.game.settings import LevelSpec
from app.game.typed import clean_name
from app.models import Guess, Lesson, Level, Team
from app.services.levels import add_level

JOIN_CODE_LENGTH = 5
MAX_NAME = 120


def check_name(name: str) -> str:
    """A lesson's name as typed: not blank, not too long."""
    name = clean_name(name)
    if not name:
        raise Refused("name_required")
    if len(name) > MAX_NAME:
        raise Refused("name_too_long", limit=MAX_NAME)
    return name


def _free_join_code(session: Session) -> str:
    while True:
        code = new_code(JOIN_CODE_LENGTH)
        if session.scalar(select(Lesson.id).where(Lesson.join_code == code)) is None:
            return code


def create_lesson(session: Session, *, name: str, now: datetime) -> Lesson:
    """A new lesson with a short join code nobody else has."""
    name = check_name(name)
    lock_for_write(session)
    lesson = Lesson(name=name, join_code=_free_join_code(session), created_at=now)
    session.add(lesson)
    session.commit()
    return lesson


def get_lesson(session: Session, *, lesson_id: int) -> Lesson:
    """A lesson by id, or ``lesson_not_found``."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise Refused("lesson_not_found")
    return lesson


def rename_lesson(session: Session, *, lesson_id: int, name: str) -> Lesson:
    """Give a lesson a new name."""
    name = check_name(name)
    lock_for_write(session)
    lesson = get_lesson(session, lesson_id=lesson_id)
    lesson.name = name
    session.commit()
    return lesson


def set_archived(session: Session, *, lesson_id: int, archived: bool) -> Lesson:
    """Archive a lesson (it takes no more logins and leaves the console's list) or bring it
    back."""
    lock_for_write(session)
    lesson = get_lesson(session, lesson_id=lesson_id)
    lesson.archived = archived
    session.commit()
    return lesson


def duplicate_lesson(session: Session, *, lesson_id: int, now: datetime) -> Lesson:
    """A copy of a lesson's levels and settings, as drafts, without teams or guesses."""
    lock_for_write(session)
    source = get_lesson(session, lesson_id=lesson_id)
    copy = _new_lesson(
        session, name=f"{source.name} (copy)"[:MAX_NAME], specs=level_specs(source), now=now
    )
    copy.self_registration, copy.team_cap = source.self_registration, source.team_cap
    session.commit()
    return copy


def level_specs(lesson: Lesson) -> list[LevelSpec]:
    """A lesson's levels as the settings an instructor chose (what a lesson file holds)."""
    return [
        LevelSpec(
            title=level.title,
            expression=level.expression,
            x_min=level.x_min,
            x_max=level.x_max,
            cooldown_seconds=level.cooldown_seconds,
            guess_budget=level.guess_budget,
            time_limit_seconds=level.time_limit_seconds,
            password=level.password,
            note=level.note,
            standings_visibility=Visibility(level.standings_visibility),
            freeze_seconds=level.freeze_seconds,
            mode=Mode(level.mode),
            start_x=level.start_x,
            eta_max=level.eta_max,
            beta_max=level.beta_max,
            slope_noise=level.slope_noise,
            batch_max=level.batch_max,
            variant_shift=level.variant_shift,
            variant_scale=level.variant_scale,
            y_min=level.y_min,
            y_max=level.y_max,
            start_y=level.start_y,
            fit=level.fit,
            fit_data=level.fit_data,
            fit_c=level.fit_c,
            fit_d=level.fit_d,
            prediction=level.prediction,
            prediction_points=level.prediction_points,
        )
        for level in lesson.levels
    ]


def import_lesson(session: Session, *, lesson_file: LessonFile, now: datetime) -> Lesson:
    """A new lesson with the file's levels, all in one transaction (never half imported)."""
    lock_for_write(session)
    lesson = _new_lesson(session, name=lesson_file.name, specs=lesson_file.levels, now=now)
    session.commit()
    return lesson


def _new_lesson(
    session: Session, *, name: str, specs: Sequence[LevelSpec], now: datetime
) -> Lesson:
    """A lesson with these levels as drafts, inside the caller's locked transaction."""
    lesson = Lesson(name=check_name(name), join_code=_free_join_code(session), created_at=now)
    session.add(lesson)
    session.flush()
    for spec in specs:
        add_level(session, lesson_id=lesson.id, spec=spec)
    return lesson


@dataclass(frozen=True)
class Losses:
    """What deleting a lesson would delete, to name it in the confirmation."""

    teams: int
    levels: int
    guesses: int


def losses(session: Session, *, lesson_id: int) -> Losses:
    """Count what goes with a lesson."""
    teams = session.scalar(
        select(func.count()).select_from(Team).where(Team.lesson_id == lesson_id)
    )
    levels = session.scalar(
        select(func.count()).select_from(Level).where(Level.lesson_id == lesson_id)
    )
    guesses = session.scalar(
        select(func.count()).select_from(Guess).join(Level).where(Level.lesson_id == lesson_id)
    )
    return Losses(teams or 0, levels or 0, guesses or 0)


def delete_lesson(session: Session, *, lesson_id: int, confirm_name: str) -> None:
    """Delete a lesson with its teams, levels and guesses, once its name is typed back."""
    lock_for_write(session)
    lesson = get_lesson(session, lesson_id=lesson_id)
    if clean_name(confirm_name) != lesson.name:
        raise Refused("confirmation_mismatch")
    session.delete(lesson)
    session.commit()


def lessons_of(session: Session, *, archived: bool) -> list[Lesson]:
    """The lessons in use (or the archived ones), newest first."""
    query = select(Lesson).where(Lesson.archived.is_(archived)).order_by(Lesson.id.desc())
    return list(session.scalars(query))
