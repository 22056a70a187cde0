"""Lessons and teams as players see them: finding a lesson, logging a team in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.credentials import normalize_code
from app.models import Lesson, Team
from app.services.passwords import DUMMY_HASH, hash_secret, secret_matches
from app.services.throttle import ensure_not_locked, record_attempt


def hash_pin(pin: str) -> str:
    """The stored form of a PIN (argon2)."""
    return hash_secret(normalize_code(pin))


def pin_matches(pin: str, pin_hash: str) -> bool:
    """Whether a PIN, as typed, is the one this hash was made from."""
    return secret_matches(normalize_code(pin), pin_hash)


def open_lessons(session: Session) -> list[Lesson]:
    """Lessons that take logins, newest first."""
    query = select(Lesson).where(Lesson.archived.is_(False)).order_by(Lesson.id.desc())
    return list(session.scalars(query))


def find_lesson(session: Session, *, join_code: str) -> Lesson:
    """The lesson with this join code (typed in any case, with spaces or dashes)."""
    code = normalize_code(join_code)
    lesson = session.scalars(select(Lesson).where(Lesson.join_code == code)).first()
    if lesson is None or not code:
        raise Refused("lesson_not_found")
    return lesson


def parse_team_number(raw: object) -> int:
    """A team number as typed: a whole number from 1 to 9999."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 9999:
        raise Refused("team_number_invalid")
    return int(text)


def login_team(
    session: Session, *, join_code: str, team_number: object, pin: str, now: datetime
) -> Team:
    """The team whose number and PIN match, or a refusal.

    Wrong PINs are counted per team (the whole class shares one IP address): after a
    few in a row the team is locked for a while, whoever tries.
    """
    lesson = find_lesson(session, join_code=join_code)
    if lesson.archived:
        raise Refused("lesson_archived")
    number = parse_team_number(team_number)
    team = session.scalars(
        select(Team).where(Team.lesson_id == lesson.id, Team.number == number)
    ).first()
    subject = f"team:{team.id}" if team else f"lesson:{lesson.id}:{number}"
    ensure_not_locked(session, scope="pin", subject=subject, now=now)
    # argon2 takes a while: verify before taking the write lock, decide after it
    valid = pin_matches(pin or "", team.pin_hash if team else DUMMY_HASH)
    lock_for_write(session)
    ensure_not_locked(session, scope="pin", subject=subject, now=now)
    record_attempt(
        session, scope="pin", subject=subject, success=valid and team is not None, now=now
    )
    session.commit()
    if not valid or team is None:
        raise Refused("login_failed")
    return team
