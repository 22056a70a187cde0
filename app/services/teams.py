"""Lessons and teams as players see them: finding a lesson, logging a team in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.credentials import PIN_LENGTH, new_code, normalize_code
from app.game.typed import clean_name, whole_number
from app.models import Lesson, Team
from app.services import live
from app.services.logins import end_team_logins
from app.services.passwords import DUMMY_HASH, hash_secret, secret_matches
from app.services.throttle import ensure_not_locked, record_attempt


def hash_pin(pin: str) -> str:
    """The stored form of a PIN (argon2)."""
    return hash_secret(normalize_code(pin))


def pin_matches(pin: str, pin_hash: str) -> bool:
    """Whether a PIN, as typed, is the one this hash was made from."""
    return secret_matches(normalize_code(pin), pin_hash)


def open_lesson(session: Session, join_code: str | None) -> Lesson | None:
    """The lesson that takes logins under this join code (typed in any case, with spaces
    or dashes), if there is one. Pages name a lesson only to who has its code."""
    code = normalize_code(join_code or "")
    if not code:
        return None
    query = select(Lesson).where(Lesson.join_code == code, Lesson.archived.is_(False))
    return session.scalars(query).first()


def any_registering(session: Session) -> bool:
    """Whether some lesson that takes logins lets teams register themselves."""
    query = select(Lesson.id).where(Lesson.archived.is_(False), Lesson.self_registration)
    return session.scalars(query.limit(1)).first() is not None


def find_lesson(session: Session, *, join_code: str) -> Lesson:
    """The lesson with this join code (typed in any case, with spaces or dashes)."""
    code = normalize_code(join_code)
    lesson = session.scalars(select(Lesson).where(Lesson.join_code == code)).first()
    if lesson is None or not code:
        raise Refused("lesson_not_found")
    return lesson


def parse_team_number(raw: object) -> int:
    """A team number as typed: a whole number from 1 to 9999."""
    number = whole_number(raw, 1, 9999)
    if number is None:
        raise Refused("team_number_invalid")
    return number


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


def _new_credentials(count: int) -> list[tuple[str, str]]:
    """PINs and their hashes, made before any lock is taken: argon2 is slow on purpose."""
    pins = [new_code(PIN_LENGTH) for _ in range(count)]
    return [(pin, hash_pin(pin)) for pin in pins]


def _lock_lesson(session: Session, lesson_id: int) -> Lesson:
    """The lesson, its row locked for the rest of the transaction (after lock_for_write):
    decisions about its teams are taken one at a time on every database."""
    lesson = session.get(Lesson, lesson_id, populate_existing=True, with_for_update=True)
    if lesson is None:
        raise Refused("lesson_not_found")
    return lesson


def _add_teams(
    session: Session, lesson: Lesson, credentials: list[tuple[str, str]], now: datetime
) -> list[Credential]:
    last = session.scalar(select(func.max(Team.number)).where(Team.lesson_id == lesson.id)) or 0
    made = []
    for number, (pin, pin_hash) in enumerate(credentials, start=last + 1):
        team = Team(lesson_id=lesson.id, number=number, pin_hash=pin_hash, created_at=now)
        session.add(team)
        made.append(Credential(team, pin))
    live.bump(session, lesson_id=lesson.id)
    return made


def create_teams(
    session: Session, *, lesson_id: int, count: object, now: datetime
) -> list[Credential]:
    """``count`` new teams numbered after the last one, each with a generated PIN."""
    wanted = whole_number(count, 1, MAX_TEAMS_AT_ONCE)
    if wanted is None:
        raise Refused("team_count_invalid", limit=MAX_TEAMS_AT_ONCE)
    credentials = _new_credentials(wanted)
    lock_for_write(session)
    made = _add_teams(session, _lock_lesson(session, lesson_id), credentials, now)
    session.commit()
    return made


def team_name(typed: str, *, required: bool = False) -> str:
    """A team's name as typed, cleaned (see ``clean_name``); empty only when not required."""
    name = clean_name(typed)
    if required and not name:
        raise Refused("name_required")
    if len(name) > MAX_TEAM_NAME:
        raise Refused("name_too_long", limit=MAX_TEAM_NAME)
    return name


def set_registration(session: Session, *, lesson_id: int, enabled: bool, cap: object) -> Lesson:
    """Let teams register themselves from the join page, or stop it. ``cap`` (blank for
    none) is the most teams the lesson may have in all; the instructor may still add more."""
    blank = not str(cap or "").strip()
    limit = None if blank else whole_number(cap, 1, MAX_TEAM_CAP)
    if not blank and limit is None:
        raise Refused("field_whole_number", low=1, high=MAX_TEAM_CAP)
    lock_for_write(session)
    lesson = _lock_lesson(session, lesson_id)
    count = session.scalar(select(func.count(Team.id)).where(Team.lesson_id == lesson_id)) or 0
    if limit is not None and limit < count:
        raise Refused("team_cap_below_teams", count=count)
    lesson.self_registration = enabled
    lesson.team_cap = limit
    session.commit()
    return lesson


def register_team(session: Session, *, join_code: str, name: str, now: datetime) -> Credential:
    """A team that registered itself: the next number, a new PIN, the name it typed.

    Only where the instructor allows it, up to the lesson's cap, and never under a name
    another team of the lesson has (case ignored): that team should log in instead.
    """
    lesson_id = find_lesson(session, join_code=join_code).id
    name = team_name(name, required=True)
    credentials = _new_credentials(1)
    lock_for_write(session)
    lesson = _lock_lesson(session, lesson_id)
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
    [made] = _add_teams(session, lesson, credentials, now)
    made.team.name = name
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
    [(pin, pin_hash)] = _new_credentials(1)
    lock_for_write(session)
    team = lesson_team(session, lesson_id=lesson_id, team_id=team_id)
    team.pin_hash = pin_hash
    end_team_logins(session, team_id=team.id)  # a device with the old PIN is out at once
    session.commit()
    return Credential(team, pin)


def rename_team(session: Session, *, lesson_id: int, team_id: int, name: str) -> Team:
    """Name a team (an empty name shows it as "Team <number>")."""
    name = team_name(name)
    lock_for_write(session)
    team = lesson_team(session, lesson_id=lesson_id, team_id=team_id)
    team.name = name or None
    live.bump(session, lesson_id=lesson_id)  # live pages show team names
    session.commit()
    return team


def remove_team(session: Session, *, lesson_id: int, team_id: int) -> None:
    """Remove a team and its guesses."""
    lock_for_write(session)
    session.delete(lesson_team(session, lesson_id=lesson_id, team_id=team_id))
    live.bump(session, lesson_id=lesson_id)
    session.commit()
