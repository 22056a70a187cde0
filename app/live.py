"""Live updates: each process watches every lesson's mark and wakes its open streams.

No broker: a change made by any process shows in the database (an instructor's change
bumps its lesson's live version, a guess adds to its team's progress: see
app.services.live); every process reads the marks a few times a second, at once after
one of its own guesses, and wakes the Server-Sent Event streams of a lesson whose mark
changed, which then send a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.services.live import Mark, marks

logger = logging.getLogger("downhill.live")

POLL_SECONDS = 0.25
SOONEST_SECONDS = 0.05  # after a poke (a guess of this process), no sooner than this

# The numbers hubs give lessons' changes, unique in the process: a snapshot cached under
# (lesson, number) by one run of the app is never taken for another's (tests run several).
_NUMBERS = itertools.count(1)
STREAM_SECONDS = 55  # a stream ends by itself; browsers reconnect at once (EventSource)


class LiveHub:
    """This process's view of every lesson's live version, and the streams waiting on it."""

    def __init__(self, database: Database, interval: float = POLL_SECONDS) -> None:
        self.database = database
        self.interval = interval
        self.known: dict[int, int] = {}  # lesson -> the number of its latest change seen
        self.marks: dict[int, Mark] = {}
        self._unseen = next(_NUMBERS)  # the number of every lesson until it is first seen
        self._poked = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()  # set, and replaced, at each change
        self.closing = False
        self.streams = 0  # open streams of this process, for /api/health
        self._closing_streams: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _read(self) -> dict[int, Mark]:
        with self.database.engine.connect() as connection:
            return marks(connection)

    def _note(self, latest: dict[int, Mark]) -> bool:
        """Count a change of every lesson whose mark moved; whether any did."""
        moved = [lesson for lesson, mark in latest.items() if self.marks.get(lesson) != mark]
        for lesson in moved:
            self.known[lesson] = next(_NUMBERS)
        self.marks = latest
        return bool(moved)

    async def _watch(self) -> None:
        while not self.closing:
            self._poked.clear()
            try:
                latest = await run_in_threadpool(self._read)
            except Exception:  # the database is busy or away: try again at the next tick
                logger.warning("live: cannot read versions", exc_info=True)
            else:
                if self._note(latest):
                    self._wake()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), SOONEST_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), self.interval - SOONEST_SECONDS)

    def start(self) -> None:
        """Start watching (at application start-up)."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._watch())

    def poke(self) -> None:
        """Look again soon: this process has just committed a change (any thread)."""
        if self._loop is not None and not self.closing:
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                self._loop.call_soon_threadsafe(self._poked.set)

    async def stop(self) -> None:
        """Stop watching and let every open stream end (at shutdown)."""
        self.closing = True
        self._stop.set()
        self._poked.set()
        self._wake()
        if self._task is not None:
            # let a read in flight finish and give its connection back before the engine
            # is disposed (cancelling would leave its thread holding one)
            await self._task

    def _wake(self) -> None:
        """Wake every waiting stream (an event, not a condition: a stream cancelled in a
        condition's wait, as anyio cancels a gone client's, may leave its lock held)."""
        woken, self._changed = self._changed, asyncio.Event()
        woken.set()

    def version(self, lesson_id: int) -> int:
        """The lesson's version as this process last read it."""
        return self.known.get(lesson_id, self._unseen)

    def changes(self, lesson_id: int) -> AsyncIterator[int]:
        """Yield the lesson's version now and after each change, for a bounded time.

        A stream counts in ``streams`` until it is closed: when it ends, when its reader
        closes it, or at the latest when the task reading it ends. That last is for the
        server's streams whose client goes away: the framework cancels the task that
        reads the endpoint's generator, and when the cancel lands while an event is being
        handed on (rather than while the stream waits here), the generators are left
        paused at a ``yield`` that nothing resumes or closes. Only the garbage collector
        would close them, whenever it next collected: over a minute later, now and then.
        """
        return self._closed_with_reader(self._changes(lesson_id))

    async def _closed_with_reader(self, stream: AsyncGenerator[int, None]) -> AsyncIterator[int]:
        reader: asyncio.Task[Any] | None = None

        def reader_ended(task: asyncio.Task[Any]) -> None:
            # the stream is paused at its yield (a stream that ended stopped watching)
            closing = asyncio.get_running_loop().create_task(stream.aclose())
            self._closing_streams.add(closing)  # a task only weakly held would be lost
            closing.add_done_callback(self._closing_streams.discard)

        try:
            async for version in stream:
                task = asyncio.current_task()
                if task is not reader:
                    if reader is not None:
                        reader.remove_done_callback(reader_ended)
                    reader = task
                    if reader is not None:
                        reader.add_done_callback(reader_ended)
                yield version
        finally:
            if reader is not None:
                reader.remove_done_callback(reader_ended)
            await stream.aclose()

    async def _changes(self, lesson_id: int) -> AsyncGenerator[int, None]:
        self.streams += 1
        try:
            loop = asyncio.get_running_loop()
            ends = loop.time() + STREAM_SECONDS
            seen = self.version(lesson_id)
            yield seen
            while not self.closing:
                left = ends - loop.time()
                if left <= 0:
                    return
                if self.version(lesson_id) == seen:
                    try:
                        async with asyncio.timeout(left):
                            await self._changed.wait()
                    except TimeoutError:
                        return
                    continue  # a change of this lesson, of another, or the end
                seen = self.version(lesson_id)
                yield seen
        finally:
            self.streams -= 1
