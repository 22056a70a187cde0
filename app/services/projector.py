"""What the projector shows for a lesson, as the instructor announces it: the current level
(none before the first) and whether its password is on the screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.rules import LevelState
from app.game.typed import whole_number
from app.models import Announcement, Lesson, Level
from app.services import live


def announcement_of(session: Session, *, lesson_id: int) -> Announcement:
    """The lesson's announcement (nothing announced yet when the lesson has none)."""
    found = session.get(Announcement, lesson_id)
    return found if found is not None else Announcement(lesson_id=lesson_id, show_password=False)


def _level_id(raw: object) -> int | None:
    if not str(raw or "").strip():
        return None
    level_id = whole_number(raw, 1, 2**62)
    if level_id is None:
        raise Refused("level_not_found")
    return level_id


def announce(
    session: Session, *, lesson_id: int, level_id: object, show_password: bool, now: datetime
) -> Announcement:
    """Put a level of the lesson on the projector (blank: none, the lesson's welcome), with
    its password shown or not. A draft cannot be announced: open it first."""
    wanted = _level_id(level_id)
    lock_for_write(session)
    session.get(Lesson, lesson_id, with_for_update=True)  # one announcement at a time
    if wanted is not None:
        level = session.get(Level, wanted, populate_existing=True)
        if level is None or level.lesson_id != lesson_id:
            raise Refused("level_not_found")
        if level.clock.state_at(now) is LevelState.DRAFT:
            raise Refused("announce_draft")  # a draft is invisible to teams and projector
    return _store(
        session, lesson_id=lesson_id, level_id=wanted, show_password=show_password, now=now
    )


def follow_opened_level(session: Session, *, level: Level, now: datetime) -> None:
    """Opening a level puts it on the projector (inside the caller's locked transaction),
    keeping the instructor's choice about showing passwords."""
    current = session.get(Announcement, level.lesson_id)
    show = current.show_password if current is not None else False
    _store(
        session,
        lesson_id=level.lesson_id,
        level_id=level.id,
        show_password=show,
        now=now,
        commit=False,
    )


def _store(
    session: Session,
    *,
    lesson_id: int,
    level_id: int | None,
    show_password: bool,
    now: datetime,
    commit: bool = True,
) -> Announcement:
    announcement = session.get(Announcement, lesson_id)
    if announcement is None:
        announcement = Announcement(lesson_id=lesson_id)
        session.add(announcement)
    announcement.level_id = level_id
    announcement.show_password = show_password
    announcement.updated_at = now
    live.bump(session, lesson_id=lesson_id)
    if commit:
        session.commit()
    return announcement
