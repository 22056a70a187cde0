"""What live pages watch of each lesson: its live version, bumped by every change the
instructor makes, and the guesses its teams have made on its open levels.

A guess bumps nothing: it adds one to its team's progress row when it commits, and
``marks`` counts those rows. So no row shared by a lesson's teams is written by every
guess (on PostgreSQL that row would queue every guess of the lesson), and a guess is
seen by every process once it commits, whatever order concurrent guesses commit in.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, literal_column, select, update
from sqlalchemy.orm import Session

from app.game.rules import LevelState
from app.models import Level, LiveVersion, Progress
from app.services.prepared import Prepared

Mark = tuple[int, int]  # (live version, guesses on the lesson's open levels)


def bump(session: Session, *, lesson_id: int) -> None:
    """Count one more change in the lesson, inside the caller's (locked) transaction."""
    result = session.execute(
        update(LiveVersion)
        .where(LiveVersion.lesson_id == lesson_id)
        .values(version=LiveVersion.version + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.add(LiveVersion(lesson_id=lesson_id, version=1))


_VERSIONS = Prepared(select(LiveVersion.lesson_id, LiveVersion.version))
_GUESSES = Prepared(
    select(Level.lesson_id, func.coalesce(func.sum(Progress.guesses_used), literal_column("0")))
    .join(Progress, Progress.level_id == Level.id)
    .where(Level.state == bindparam("open"))
    .group_by(Level.lesson_id)
)


def marks(connection: Connection) -> dict[int, Mark]:
    """Every lesson's mark: its live version and the guesses made on its open levels (two
    small queries, run by each process a few times a second; any change is a change to
    show; not one snapshot: a change between them shows at the next read, a moment
    later). They run on the DB-API cursor (``Prepared``): under load a process reads them
    after every few of its guesses, and an ORM session's reading cost four times the
    queries, in a thread competing with the guesses for the interpreter."""
    found: dict[int, Mark] = {
        lesson_id: (version, 0) for lesson_id, version in _VERSIONS.all(connection, {})
    }
    for lesson_id, made in _GUESSES.all(connection, {"open": LevelState.OPEN.value}):
        found[lesson_id] = (found.get(lesson_id, (0, 0))[0], int(made))
    return found
