"""The statements of a guess, in SQLAlchemy Core: the one read, the INSERT, the UPDATE.

A guess is the hottest path of the game, and the ORM's unit of work (identity map,
change tracking, a flush per guess) cost more than everything else a guess does. Here
the read returns plain rows, turned into the objects the rules need: a ``Level`` built
once per process for each content of its row (so an instructor's change, which changes
the row, is seen by the next guess), the guesses as transient ``Guess`` objects, and the
team's progress as a small value. The writes are two Core statements; the UPDATE of the
progress is guarded on the count it read, so it can never apply twice.

SQLAlchemy's own execution of a statement (its compiled cache, execution context and
result objects) cost twice what the database took for it, so the statements are compiled
once per dialect and run on the DB-API cursor of the connection (``app.services.prepared``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import aliased

from app.game.rules import TeamProgress
from app.models import Guess, Lesson, Level, Login, Progress, Team
from app.services.prepared import Prepared


@dataclass(frozen=True)
class TeamState:
    """A team's progress on a level, as a guess reads and writes it."""

    team_id: int
    level_id: int
    guesses_used: int
    last_guess_at: datetime | None
    best_fx: float | None
    last_batch: int | None = None

    def as_rules_input(self) -> TeamProgress:
        return TeamProgress(True, self.guesses_used, self.last_guess_at, self.last_batch or 1)


@dataclass(frozen=True)
class GuessRead:
    """The one read: the team's progress, the level, the guess stored under the key, the
    team's last and best guesses so far, and what the login check needs."""

    progress: TeamState
    level: Level
    stored: Guess | None
    last: Guess | None
    best: Guess | None
    team_since: datetime
    archived: bool
    signed_in: bool  # the browser's login is in force (when the guess names one)


def _columns(model: type[Any]) -> list[tuple[str, Any]]:
    return [(attr.key, attr.columns[0]) for attr in inspect(model).column_attrs]


_LEVEL = _columns(Level)
_GUESS = _columns(Guess)
_PROGRESS = ("guesses_used", "last_guess_at", "best_fx", "last_batch")


def _read_query() -> Any:
    """The read, with the team, the level and the key as parameters (built once)."""
    stored, last, best = aliased(Guess), aliased(Guess), aliased(Guess)
    first_best = (  # the guess where the team first reached its best f
        select(func.min(Guess.seq))
        .where(Guess.level_id == Progress.level_id, Guess.team_id == Progress.team_id)
        .where(Guess.fx == Progress.best_fx)
        .correlate(Progress)
        .scalar_subquery()
    )
    guess_columns = [getattr(alias, key) for alias in (stored, last, best) for key, _ in _GUESS]
    mine = (Progress.team_id, Progress.level_id)
    return (
        select(
            *(getattr(Progress, key) for key in _PROGRESS),
            Team.created_at,
            Lesson.archived,
            Login.id,
            *(column for _, column in _LEVEL),
            *guess_columns,
        )
        .join(Team, Team.id == Progress.team_id)
        .join(Lesson, Lesson.id == Team.lesson_id)
        .join(Level, and_(Level.id == Progress.level_id, Level.lesson_id == Team.lesson_id))
        .outerjoin(Login, and_(Login.id == bindparam("login"), Login.team_id == mine[0]))
        .outerjoin(
            stored,
            and_(
                stored.team_id == mine[0],
                stored.level_id == mine[1],
                stored.idempotency_key == bindparam("key"),
            ),
        )
        .outerjoin(
            last,
            and_(
                last.team_id == mine[0], last.level_id == mine[1], last.seq == Progress.guesses_used
            ),
        )
        .outerjoin(
            best,
            and_(best.team_id == mine[0], best.level_id == mine[1], best.seq == first_best),
        )
        .where(Progress.team_id == bindparam("team_id"), Progress.level_id == bindparam("level_id"))
    )


_READ = Prepared(_read_query())

# On PostgreSQL, before the read: lock the team's progress row and share the level's
# (SQLite's transaction already holds its one write lock); in a group, without waiting.
_ROWS = (
    select(Progress.team_id)
    .join(Level, Level.id == Progress.level_id)
    .where(Progress.team_id == bindparam("team_id"), Progress.level_id == bindparam("level_id"))
)
_LOCK_ROWS = Prepared(_ROWS.suffix_with("FOR UPDATE OF progress FOR SHARE OF level"))
_LOCK_ROWS_NOW = Prepared(
    _ROWS.suffix_with("FOR UPDATE OF progress SKIP LOCKED FOR SHARE OF level SKIP LOCKED")
)


class HeldElsewhere(Exception):
    """The team's progress row, or the level's, is locked by another transaction: a group
    of guesses does not wait for it (``app.writer`` decides this guess alone)."""


_INSERT = Prepared(
    insert(Guess)
    .values({key: bindparam(key, type_=column.type) for key, column in _GUESS if key != "id"})
    .returning(Guess.id)
)
_MOVE = (
    update(Progress)
    .where(
        Progress.team_id == bindparam("t"),
        Progress.level_id == bindparam("l"),
        Progress.guesses_used == bindparam("was"),
    )
    .values(guesses_used=bindparam("seq"), last_guess_at=bindparam("at"), last_batch=bindparam("b"))
)
_UPDATE = Prepared(_MOVE)
_UPDATE_BEST = Prepared(
    _MOVE.values(
        best_fx=bindparam("fx"),
        best_x=bindparam("x"),
        best_y=bindparam("y"),
        best_at=bindparam("at"),
    )
)


def read_guess(
    connection: Connection,
    team_id: int,
    level_id: int,
    key: str,
    login: str | None,
    *,
    wait: bool = True,
) -> GuessRead | None:
    """Everything a guess's decision needs, in one statement; None when the team has no
    progress on a level of its lesson (it has not entered it, or there is no such level).
    On PostgreSQL without ``wait``, ``HeldElsewhere`` when the rows it locks are locked
    (or missing: deciding alone then says why)."""
    mine = {"team_id": team_id, "level_id": level_id}
    if connection.dialect.name == "postgresql":
        if wait:
            _LOCK_ROWS.first(connection, mine)
        elif _LOCK_ROWS_NOW.first(connection, mine) is None:
            raise HeldElsewhere
    row = _READ.first(connection, {**mine, "key": key, "login": login})
    if row is None:
        return None
    used, last_at, best_fx, last_batch, since, archived, signed_in = row[:7]
    end = 7 + len(_LEVEL)
    stored, last, best = (_guess(row, end + i * len(_GUESS)) for i in range(3))
    progress = TeamState(team_id, level_id, used, last_at, best_fx, last_batch)
    level = _level(tuple(row[7:end]))
    return GuessRead(progress, level, stored, last, best, since, archived, signed_in is not None)


def store_guess(connection: Connection, progress: TeamState, guess: Guess) -> TeamState:
    """Insert an accepted guess (a transient object, given its id here) and move the
    team's progress on; the progress after it."""
    seq, at, fx = guess.seq, guess.created_at, guess.fx
    improved = guess.improved = progress.best_fx is None or fx < progress.best_fx
    values = {key: getattr(guess, key) for key, _ in _GUESS if key != "id"}
    (guess.id,) = _INSERT.first(connection, values) or (0,)
    guard = {"t": progress.team_id, "l": progress.level_id, "was": progress.guesses_used}
    moved = {**guard, "seq": seq, "at": at, "b": guess.batch}  # its batch: the next cooldown
    if improved:
        best = {"fx": fx, "x": guess.x, "y": guess.y}
        done = _UPDATE_BEST.count(connection, {**moved, **best})
    else:
        done = _UPDATE.count(connection, moved)
    if done != 1:  # the lock makes this impossible; the guard makes sure
        raise RuntimeError("a team's progress moved under a guess that held its lock")
    best_fx = fx if improved else progress.best_fx
    return replace(
        progress, guesses_used=seq, last_guess_at=at, best_fx=best_fx, last_batch=guess.batch
    )


def new_guess(**values: Any) -> Guess:
    """A transient ``Guess`` with these columns, made as the ORM loads a row: without an
    event for every attribute set (constructing one the usual way cost a fifth of a guess)."""
    guess: Guess = _GUESS_CLASS.new_instance()
    guess.__dict__.update(values)
    return guess


_GUESS_CLASS = inspect(Guess).class_manager


def _guess(row: tuple[Any, ...], start: int) -> Guess | None:
    if row[start] is None:
        return None
    return new_guess(**{key: row[start + i] for i, (key, _) in enumerate(_GUESS)})


_levels: dict[tuple[Any, ...], Level] = {}
_levels_lock = threading.Lock()
MOST_LEVELS = 256  # rows kept; a new content of a row is a new entry


def _level(values: tuple[Any, ...]) -> Level:
    """The level of a row, built once per content of the row (read only, never attached)."""
    level = _levels.get(values)
    if level is None:
        level = Level(**{key: values[i] for i, (key, _) in enumerate(_LEVEL)})
        with _levels_lock:
            if len(_levels) >= MOST_LEVELS:
                _levels.clear()
            _levels[values] = level
    return level
