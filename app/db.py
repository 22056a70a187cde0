"""The engine, the declarative base and sessions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_LOCK = "downhill_write_lock"
SQLITE_BUSY_SECONDS = 30  # how long a SQLite writer waits for the one before it
_HOLDS_WRITER = "downhill_holds_writer"  # in a SQLite connection's info: this process's lock
GUESS_LOCK = "downhill_guess_lock"  # a guess: SQLite's write lock, and on PostgreSQL row locks
PG_WRITE_LOCK_KEY = 0x646F776E  # "down": the advisory lock writers take on PostgreSQL


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The server clock, the only clock the game trusts."""
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine; on SQLite with WAL, foreign keys, a busy timeout and write transactions
    that take the write lock when they begin (so two racing guesses queue up)."""
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_pre_ping=True)

        @event.listens_for(engine, "begin")
        def _on_begin_pg(connection: Any) -> None:
            # SQLite has one writer at a time; here every deciding transaction but a guess
            # takes one advisory lock, held to its commit, so the same rules hold on both
            # engines. Guesses lock rows instead (app.services.submit), so they do not
            # queue behind each other; a change to a level locks the level's row too.
            if connection.get_execution_options().get(WRITE_LOCK, False):
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_KEY})")

        return engine
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    return _sqlite_engine(url)


def _sqlite_engine(url: str) -> Engine:
    """SQLite with WAL, foreign keys, a busy timeout, and write transactions that take the
    write lock when they begin, queued first on a lock of the process."""
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    # Writers of this process queue on a lock of their own before BEGIN IMMEDIATE: one
    # waiting in SQLite's busy handler sleeps in steps of up to 100 ms and may miss its
    # turn again and again, while a thread waiting here wakes the moment the writer before
    # it is done. (Writers of other processes still meet in the busy handler.)
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        immediate = options.get(WRITE_LOCK, False) or options.get(GUESS_LOCK, False)
        if not immediate:
            connection.exec_driver_sql("BEGIN")
            return
        if not writer.acquire(timeout=SQLITE_BUSY_SECONDS):
            raise TimeoutError("database is locked: another writer held it too long")
        connection.info[_HOLDS_WRITER] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITER, False):
            writer.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        _release(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)  # a connection given back without its commit or rollback

    return engine


def lock_for_write(session: Session) -> None:
    """Start the session's transaction holding the database's write lock (SQLite).

    Call first in a service that reads, decides and writes: on SQLite the decision is
    then made with no other writer in between. On PostgreSQL the transaction takes one
    advisory lock to the same effect against every writer but guesses, which lock their
    team's progress row and share their level's: a service that changes a level also
    reads it FOR UPDATE, so that change and guesses on the level exclude each other. A
    read-only transaction already begun (say, by loading the current team) is ended
    first, so rows the decision rests on must be read again after this call
    (``populate_existing``); unsaved changes are a mistake of the caller and raise.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("lock_for_write() called with unsaved changes in the session")
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_LOCK: True})


def begin_guess(session: Session) -> None:
    """Start a guess's transaction: on SQLite holding the write lock (as lock_for_write),
    on PostgreSQL with no lock shared by all teams (the guess locks its team's progress
    row and shares the level's: see app.services.submit)."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_guess() called with unsaved changes in the session")
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={GUESS_LOCK: True})


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()  # close the pooled connections now, not whenever collected

    def session(self) -> Iterator[Session]:
        """A session for one request, closed afterwards."""
        with self.sessions() as session:
            yield session
