"""Live updates: each process watches the live_version rows and wakes its open streams.

No broker: a guess accepted by any process bumps its lesson's version in the database;
every process polls the few version rows a few times a second and wakes the Server-Sent
Event streams of that lesson, which then send a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.services.live import versions

logger = logging.getLogger("downhill.live")

POLL_SECONDS = 0.25
STREAM_SECONDS = 55  # a stream ends by itself; browsers reconnect at once (EventSource)


class LiveHub:
    """This process's view of every lesson's live version, and the streams waiting on it."""

    def __init__(self, database: Database, interval: float = POLL_SECONDS) -> None:
        self.database = database
        self.interval = interval
        self.known: dict[int, int] = {}
        self.changed = asyncio.Condition()
        self.closing = False
        self.streams = 0  # open streams of this process, for /api/health
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _read(self) -> dict[int, int]:
        with self.database.sessions() as session:
            return versions(session)

    async def _watch(self) -> None:
        while not self.closing:
            try:
                latest = await run_in_threadpool(self._read)
            except Exception:  # the database is busy or away: try again at the next tick
                logger.warning("live: cannot read versions", exc_info=True)
            else:
                if latest != self.known:
                    self.known = latest
                    async with self.changed:
                        self.changed.notify_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    def start(self) -> None:
        """Start watching (at application start-up)."""
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop watching and let every open stream end (at shutdown)."""
        self.closing = True
        self._stop.set()
        async with self.changed:
            self.changed.notify_all()
        if self._task is not None:
            # let a read in flight finish and give its connection back before the engine
            # is disposed (cancelling would leave its thread holding one)
            await self._task

    def version(self, lesson_id: int) -> int:
        """The lesson's version as this process last read it."""
        return self.known.get(lesson_id, 0)

    async def changes(self, lesson_id: int) -> AsyncIterator[int]:
        """Yield the lesson's version now and after each change, for a bounded time."""
        self.streams += 1
        try:
            async for version in self._changes(lesson_id):
                yield version
        finally:
            self.streams -= 1

    async def _changes(self, lesson_id: int) -> AsyncIterator[int]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        seen = self.version(lesson_id)
        yield seen
        while not self.closing:
            left = ends - loop.time()
            if left <= 0:
                return
            async with self.changed:
                try:
                    await asyncio.wait_for(
                        self.changed.wait_for(
                            lambda seen=seen: self.closing or self.version(lesson_id) != seen
                        ),
                        left,
                    )
                except TimeoutError:
                    return
            if self.closing:
                return
            seen = self.version(lesson_id)
            yield seen
