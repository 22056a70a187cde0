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
from app.services import live
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


def registering_lessons(session: Session) -> list[Lesson]:
    """Lessons where teams may register themselves, newest first."""
    query = (
        select(Lesson)
        .where(Lesson.archived.is_(False), Lesson.self_registration.is_(True))
        .order_by(Lesson.id.desc())
    )
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
MAX_TEAM_CAP = 999


@dataclass(frozen=True)
class Credential:
    """A team and its PIN in clear: shown once, on the sheet made when the PIN is made."""

    team: Team
    pin: str


def _new_team(session: Session, *, lesson_id: int, number: int, now: datetime) -> Credential:
    pin = new_code(PIN_LENGTH)
    team = Team(lesson_id=lesson_id, number=number, pin_hash=hash_pin(pin), created_at=now)
    session.add(team)
    return Credential(team, pin)


def _last_number(session: Session, lesson_id: int) -> int:
    return session.scalar(select(func.max(Team.number)).where(Team.lesson_id == lesson_id)) or 0


def create_teams(
    session: Session, *, lesson_id: int, count: object, now: datetime
) -> list[Credential]:
    """``count`` new teams numbered after the last one, each with a generated PIN."""
    text = str(count).strip() if count is not None else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_TEAMS_AT_ONCE:
        raise Refused("team_count_invalid", limit=MAX_TEAMS_AT_ONCE)
    lock_for_write(session)
    last = _last_number(session, lesson_id)
    made = [
        _new_team(session, lesson_id=lesson_id, number=number, now=now)
        for number in range(last + 1, last + 1 + int(text))
    ]
    live.bump(session, lesson_id=lesson_id)
    session.commit()
    return made


def _team_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > MAX_TEAM_NAME:
        raise Refused("name_too_long", limit=MAX_TEAM_NAME)
    return name


def set_registration(session: Session, *, lesson_id: int, enabled: bool, cap: object) -> Lesson:
    """Let teams register themselves from the join page, or stop it. ``cap`` (blank for
    none) is the most teams the lesson may have in all, however they were made."""
    text = str(cap).strip() if cap is not None else ""
    if text and (not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_TEAM_CAP):
        raise Refused("field_whole_number", low=1, high=MAX_TEAM_CAP)
    lock_for_write(session)
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise Refused("lesson_not_found")
    count = session.scalar(select(func.count(Team.id)).where(Team.lesson_id == lesson_id)) or 0
    if text and int(text) < count:
        raise Refused("team_cap_below_teams", count=count)
    lesson.self_registration = enabled
    lesson.team_cap = int(text) if text else None
    session.commit()
    return lesson


def register_team(session: Session, *, join_code: str, name: str, now: datetime) -> Credential:
    """A team that registered itself: the next number, a new PIN, the name it typed.

    Only where the instructor allows it, up to the lesson's cap, and never under a name
    another team of the lesson has (case ignored): that team should log in instead.
    """
    lesson = find_lesson(session, join_code=join_code)
    name = _team_name(name)
    if not name:
        raise Refused("name_required")
    lock_for_write(session)
    session.refresh(lesson)
    if lesson.archived:
        raise Refused("lesson_archived")
    if not lesson.self_registration:
        raise Refused("registration_closed")
    existing = session.execute(select(Team.name).where(Team.lesson_id == lesson.id)).all()
    cap = min(lesson.team_cap or MAX_TEAM_CAP, MAX_TEAM_CAP)
    if len(existing) >= cap:
        raise Refused("lesson_full", limit=cap)
    if any((taken or "").casefold() == name.casefold() for (taken,) in existing):
        raise Refused("team_name_taken")
    number = _last_number(session, lesson.id) + 1
    made = _new_team(session, lesson_id=lesson.id, number=number, now=now)
    made.team.name = name
    live.bump(session, lesson_id=lesson.id)
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
    name = _team_name(name)
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
