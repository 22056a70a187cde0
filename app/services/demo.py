"""The demo lesson: the lecture's three functions and ten teams, seeded idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.game.credentials import PIN_LENGTH, derived_code
from app.game.lesson_file import LessonFile, load_lesson
from app.game.rules import LevelState
from app.models import Lesson, Level, Team
from app.services import projector
from app.services.levels import add_level, apply_transition
from app.services.teams import hash_pin, pin_matches

DEMO_JOIN_CODE = "DEMO"
DEMO_TEAMS = 10

DEMO_FILE = Path(__file__).resolve().parents[2] / "lessons" / "demo.json"


def demo_lesson_file() -> LessonFile:
    """The demo's levels: the lesson file shipped in lessons/demo.json."""
    return load_lesson(DEMO_FILE.read_bytes())


@dataclass(frozen=True)
class DemoLesson:
    """The demo lesson, its teams' PINs (derived from the secret key) and whether it is new."""

    lesson: Lesson
    pins: dict[int, str]
    levels: list[Level]
    created: bool


def demo_pin(secret_key: str, number: int) -> str:
    """The PIN of a demo team: derived from the secret key, so every start prints the same."""
    return derived_code(secret_key, f"demo-team-{number}", PIN_LENGTH)


def seed_demo(session: Session, *, secret_key: str, now: datetime) -> DemoLesson:
    """Create the demo lesson unless it exists; a second run changes nothing.

    The demo teams' PINs are derived from the secret key. If the key has changed since the
    lesson was seeded, the teams get the PINs of the new key, so what is printed works.
    """
    lock_for_write(session)
    lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).first()
    created = lesson is None
    if lesson is None:
        content = demo_lesson_file()
        lesson = Lesson(name=content.name, join_code=DEMO_JOIN_CODE, created_at=now)
        session.add(lesson)
        session.flush()
        for number in range(1, DEMO_TEAMS + 1):
            pin_hash = hash_pin(demo_pin(secret_key, number))
            session.add(Team(lesson_id=lesson.id, number=number, pin_hash=pin_hash, created_at=now))
        levels = [add_level(session, lesson_id=lesson.id, spec=spec) for spec in content.levels]
        apply_transition(levels[0], LevelState.OPEN, now)
        session.flush()
        projector.follow_opened_level(session, level=levels[0], now=now)
    teams = session.scalars(
        select(Team).where(Team.lesson_id == lesson.id).order_by(Team.number)
    ).all()
    pins = {team.number: demo_pin(secret_key, team.number) for team in teams}
    if teams and not pin_matches(pins[teams[0].number], teams[0].pin_hash):
        for team in teams:
            team.pin_hash = hash_pin(pins[team.number])
    session.commit()
    ordered = session.scalars(
        select(Level).where(Level.lesson_id == lesson.id).order_by(Level.position)
    ).all()
    return DemoLesson(lesson, pins, list(ordered), created)
