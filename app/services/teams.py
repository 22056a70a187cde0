"""Lessons and teams as players see them: finding a lesson, logging a team in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.credentials import PIN_LENGTH, new_code, normalize_code
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


MAX_TEAMS_AT_ONCE = 200
MAX_TEAM_NAME = 60


@dataclass(frozen=True)
class Credential:
    """A team and its PIN in clear: shown once, on the sheet made when the PIN is made."""

    team: Team
    pin: str


def create_teams(
    session: Session, *, lesson_id: int, count: object, now: datetime
) -> list[Credential]:
    """``count`` new teams numbered after the last one, each with a generated PIN."""
    text = str(count).strip() if count is not None else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_TEAMS_AT_ONCE:
        raise Refused("team_count_invalid", limit=MAX_TEAMS_AT_ONCE)
    lock_for_write(session)
    last = session.scalar(select(func.max(Team.number)).where(Team.lesson_id == lesson_id)) or 0
    made = []
    for number in range(last + 1, last + 1 + int(text)):
        pin = new_code(PIN_LENGTH)
        team = Team(lesson_id=lesson_id, number=number, pin_hash=hash_pin(pin), created_at=now)
        session.add(team)
        made.append(Credential(team, pin))
    session.commit()
    return made


def lesson_team(session: Session, *, lesson_id: int, team_id: int) -> Team:
    """A team of this lesson, or ``team_not_found``."""
    team = session.get(Team, team_id)
    if team is None or team.lesson_id != lesson_id:
        raise Refused("team_not_found")
    return team


def regenerate_pin(session: Session, *, lesson_id: int, team_id: int) -> Credential:
    """A new PIN for a team (its slip was lost); the old one stops working."""
    lock_for_write(session)
    team = lesson_team(session, lesson_id=lesson_id, team_id=team_id)
    pin = new_code(PIN_LENGTH)
    team.pin_hash = hash_pin(pin)
    session.commit()
    return Credential(team, pin)


def rename_team(session: Session, *, lesson_id: int, team_id: int, name: str) -> Team:
    """Name a team (an empty name shows it as "Team <number>")."""
    name = " ".join((name or "").split())
    if len(name) > MAX_TEAM_NAME:
        raise Refused("name_too_long", limit=MAX_TEAM_NAME)
    lock_for_write(session)
    team = lesson_team(session, lesson_id=lesson_id, team_id=team_id)
    team.name = name or None
    session.commit()
    return team


def remove_team(session: Session, *, lesson_id: int, team_id: int) -> None:
    """Remove a team and its guesses."""
    lock_for_write(session)
    session.delete(lesson_team(session, lesson_id=lesson_id, team_id=team_id))
    session.commit()
