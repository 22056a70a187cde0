"""Snapshots that every live screen of a lesson shares: built once and encoded once for
every stream and poll that asks for the same lesson version within a second.

A thousand projectors and phones woken by one guess make one query and one encoding
(single flight: whoever asks while a snapshot is built waits for it, then takes it).
Keys name what is shown (the projector of a lesson, the teams' view of one level...)
and end with the lesson's live version, so a change is never answered from before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from app.schemas.base import Out

SNAPSHOT_SECONDS = 1.0  # streams woken by one change share one snapshot for this long
MAX_KEPT = 256


@dataclass(frozen=True)
class Shared:
    """A snapshot as every stream and poll of one lesson version gets it."""

    made: float
    view: Out
    text: str


@dataclass
class SharedSnapshots:
    """This process's shared snapshots (``app.state.snapshots``)."""

    seconds: float = SNAPSHOT_SECONDS
    _kept: dict[Hashable, Shared] = field(default_factory=dict)
    _building: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: Hashable) -> Shared | None:
        """The snapshot under ``key``, if one was made within the last second (no waiting:
        an event loop may ask)."""
        hit = self._kept.get(key)
        return hit if hit is not None and time.monotonic() - hit.made < self.seconds else None

    def get(self, key: tuple[Hashable, ...], build: Callable[[], Out]) -> Shared:
        """The snapshot under ``key``, built by ``build`` unless one was made within the
        last second (in a worker thread: it may wait for another thread's build)."""
        with self._guard:
            building = self._building.setdefault(key[:-1], threading.Lock())
        with building:
            hit = self.cached(key)
            if hit is not None:
                return hit
            view = build()
            shared = Shared(time.monotonic(), view, view.model_dump_json(exclude_unset=True))
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[key] = shared
            return shared
