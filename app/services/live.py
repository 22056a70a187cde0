"""The live version of each lesson: bumped with every change live pages show."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import LiveVersion


def bump(session: Session, *, lesson_id: int) -> None:
    """Count one more change in the lesson, inside the caller's (locked) transaction."""
    result = session.execute(
        update(LiveVersion)
        .where(LiveVersion.lesson_id == lesson_id)
        .values(version=LiveVersion.version + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.add(LiveVersion(lesson_id=lesson_id, version=1))


def versions(session: Session) -> dict[int, int]:
    """Every lesson's live version (one small query, run by each process a few times a second)."""
    return {
        lesson_id: version
        for lesson_id, version in session.execute(
            select(LiveVersion.lesson_id, LiveVersion.version)
        )
    }
