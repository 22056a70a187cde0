"""Where a process decides its guesses: one thread that commits them in groups.

With a transaction per guess, every guess pays its own synchronous commit. On SQLite every
request in flight also queues on the one write lock, the thread that holds it sharing the
interpreter with all the waiting ones (its turn grows longer as the load grows); on
PostgreSQL the backends pile up on the WAL's flush, dozens at once, and a second worker
process made the server slower, not faster. Here one thread per process takes the guesses
as they arrive, on a connection of its own kept from group to group (taken from the pool
once, and no ORM session: those cost a guess more than its decision), decides each in turn
inside one transaction (``app.services.submit.decide_and_store``: every rule, on what that
transaction reads, so a later guess of the same team sees the earlier one), commits them
together (still ``synchronous=FULL`` on SQLite, a flushed commit on PostgreSQL) and only
then answers each: an answer still means the guess is on disk. While a group commits, the
next one gathers.

A refusal writes nothing, so it needs no savepoint. An unexpected error rolls the group
back. A group that ran on a connection kept from an earlier one runs once more on a new
connection (the kept one may have died with its database while idle, and no pool's ping
saw it); after that its guesses are decided again one by one, so that one broken guess
fails alone.

Processes still exclude each other: on SQLite with its write lock (``BEGIN IMMEDIATE``),
on PostgreSQL with the team's progress row, which a guess locks (and the level's row,
which it shares). A group never waits for those rows: a guess whose rows another transaction holds
(the same team's guess in another process, an instructor changing the level) leaves the
group and is decided alone in a worker thread, which waits its turn, so one held team
never stalls the others; nor can two groups wait for each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from app.db import GUESS_LOCK, Database
from app.errors import Refused
from app.services.guess_rows import HeldElsewhere
from app.services.submit import Answer, GuessRequest, decide_and_store, submit_guess

log = logging.getLogger(__name__)

MOST_IN_A_GROUP = 128  # guesses committed together at most (a group takes a few ms)


class _Alone:
    """The answer of a guess that left its group: its rows were locked elsewhere."""


ALONE = _Alone()
Outcome = Answer | _Alone


@dataclass(frozen=True)
class _Waiting:
    """A guess handed to the writer, and where its answer goes."""

    request: GuessRequest
    future: asyncio.Future[Outcome]
    loop: asyncio.AbstractEventLoop


class GuessWriter:
    """Decides this process's guesses; ``await submit(request)`` answers once it is stored."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    async def submit(self, request: GuessRequest) -> Answer:
        """The answer to the guess, once it is committed; ``Refused`` when it is refused."""
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self._queue.put(_Waiting(request, future, loop))
        outcome = await future
        if isinstance(outcome, _Alone):  # waits for the rows in a thread of its own
            return await run_in_threadpool(self._alone, request)
        return outcome

    def stop(self) -> None:
        """Answer the guesses already handed over, then end the thread (a later guess
        starts it again)."""
        with self._starting:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _alone(self, request: GuessRequest) -> Answer:
        with self._database.sessions() as session:
            return submit_guess(
                session,
                team=request.caller,
                level_id=request.level_id,
                idempotency_key=request.idempotency_key,
                raw_x=request.raw_x,
                raw_eta=request.raw_eta,
                raw_beta=request.raw_beta,
                raw_y=request.raw_y,
                raw_batch=request.raw_batch,
            )

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="guess-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        held = _Held(self._database)  # this thread's alone (a stopping one may overlap)
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group = [first]
                while len(group) < MOST_IN_A_GROUP:
                    try:
                        waiting = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if waiting is None:
                        self._queue.put(None)  # stop after this group
                        break
                    group.append(waiting)
                _decide(held, group)
        finally:
            held.give_back()


class _Held:
    """A writer thread's own connection, kept from group to group: taking one from the
    pool and an ORM session around it cost a guess more than its decision. Its
    transactions hold the guess lock (``GUESS_LOCK``, as ``app.db.begin_guess``)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._connection: Connection | None = None

    @property
    def kept(self) -> bool:
        """Whether the next group runs on a connection an earlier group used (the pool's
        ping does not see it again: it may have died meanwhile, with its database)."""
        return self._connection is not None

    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = self._database.engine.connect()
            self._connection.execution_options(**{GUESS_LOCK: True})
        return self._connection

    def give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # a broken connection: the pool forgets it
                log.exception("the writer's connection did not close cleanly")


def _decide(held: _Held, group: list[_Waiting]) -> None:
    """Decide and commit a group; answer each of its guesses."""
    outcomes: list[Outcome | BaseException] = []
    kept = held.kept
    try:
        connection = held.connection()
        with connection.begin() as transaction:
            for waiting in group:
                try:
                    outcomes.append(decide_and_store(connection, waiting.request, None, wait=False))
                except (Refused, HeldElsewhere) as refusal:
                    outcomes.append(ALONE if isinstance(refusal, HeldElsewhere) else refusal)
            if not any(isinstance(outcome, Answer) for outcome in outcomes):
                transaction.rollback()  # all refused: nothing was written
        # (leaving the block committed the others)
    except Exception as error:
        held.give_back()  # it may be broken: the next try takes another
        if kept:  # once more on a new connection (a commit that did land replays)
            _decide(held, group)
            return
        if len(group) > 1:
            for waiting in group:
                _decide(held, [waiting])
            return
        log.exception("a guess could not be stored")
        outcomes = [error]
    _answer(group, outcomes)


def _answer(group: list[_Waiting], outcomes: list[Outcome | BaseException]) -> None:
    """Hand each guess its outcome, in its own event loop (one wake-up of a loop a group)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Waiting, Outcome | BaseException]]]
    by_loop = {}
    for waiting, outcome in zip(group, outcomes, strict=True):
        by_loop.setdefault(waiting.loop, []).append((waiting, outcome))
    for loop, answered in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits there
            loop.call_soon_threadsafe(_settle, answered)


def _settle(answered: list[tuple[_Waiting, Outcome | BaseException]]) -> None:
    for waiting, outcome in answered:
        if waiting.future.done():  # the client went away; the guess is stored all the same
            continue
        if isinstance(outcome, BaseException):
            waiting.future.set_exception(outcome)
        else:
            waiting.future.set_result(outcome)
