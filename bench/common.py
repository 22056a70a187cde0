"""What the benchmarks share: a lesson of many teams seeded in bulk, teams logged in through
the real API, wrk, and the small statistics every script prints.

Each benchmark starts its own server with ``tests.server.running_server`` (migrate, seed the
demo, serve with uvicorn on a free loopback port) in a throwaway data directory, so the
schema is the one the migrations make; the helpers here add what a benchmark needs before
the first request.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import argon2
import httpx
from sqlalchemy import insert

from app.db import Database, utcnow
from app.game.credentials import normalize_code
from app.game.presets import PRESETS
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Level, Team
from app.services.lessons import create_lesson
from app.services.levels import add_level, set_level_state

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-key-0123456789-abcdefghij"
PIN = "BENCH2"
SESSION_COOKIE = "downhill_session"


@dataclass(frozen=True)
class BenchLesson:
    """A lesson made for a benchmark: its join code, its one open level, how many teams
    (numbered from 1)."""

    lesson_id: int
    join_code: str
    level_id: int
    teams: int


@dataclass(frozen=True)
class Login:
    """A team logged in through the API: its session cookie and its CSRF token."""

    number: int
    cookie: str
    csrf: str


def cheap_pin_hash(pin: str) -> str:
    """An argon2id hash of a PIN with the smallest cost argon2 allows.

    The server verifies it with its own code (argon2 reads the cost from the hash), so a
    benchmark logs a thousand teams in through the real API in seconds instead of the
    time the production cost (about 30 ms a PIN, on purpose) would take.
    """
    hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return hasher.hash(normalize_code(pin))


def seed_lesson(
    database_url: str,
    *,
    teams: int,
    cooldown: int = 0,
    preset: str = "wiggles",
    name: str = "Benchmark",
) -> BenchLesson:
    """A new lesson with ``teams`` teams (numbered from 1, all with the PIN ``PIN``) and one
    level, open and on the projector, with no budget and the given cooldown."""
    database = Database(database_url)
    now = utcnow()
    with database.sessions() as session:
        lesson = create_lesson(session, name=name, now=now)
        spec = LevelSpec(
            title="Benchmark level",
            expression=PRESETS[preset].expression(),
            x_min=-10,
            x_max=10,
            cooldown_seconds=cooldown,
        )
        level = add_level(session, lesson_id=lesson.id, spec=spec)
        set_level_state(session, level=level, state=LevelState.OPEN, now=now)
        pin_hash = cheap_pin_hash(PIN)
        session.execute(
            insert(Team),
            [
                {"lesson_id": lesson.id, "number": n, "pin_hash": pin_hash, "created_at": now}
                for n in range(1, teams + 1)
            ],
        )
        session.commit()
        made = BenchLesson(lesson.id, lesson.join_code, level.id, teams)
    database.engine.dispose()
    return made


def set_level(database_url: str, level_id: int, **values: object) -> None:
    """Change a level's columns in place (a benchmark's shortcut past the console)."""
    database = Database(database_url)
    with database.sessions() as session:
        level = session.get(Level, level_id)
        assert level is not None
        for key, value in values.items():
            setattr(level, key, value)
        session.commit()
    database.engine.dispose()


def log_in(base: str, join_code: str, number: int, level_id: int | None = None) -> httpx.Client:
    """A client logged in as the team through the JSON API (and entered into the level)."""
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=30)
    token = client.get("/api/csrf").json()["csrf_token"]
    answer = client.post(
        "/api/session",
        headers={"X-CSRF-Token": token},
        json={"join_code": join_code, "team_number": number, "pin": PIN},
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    if level_id is not None:
        client.post(f"/api/levels/{level_id}/enter", json={}).raise_for_status()
    return client


def log_in_all(base: str, lesson: BenchLesson, workers: int = 8) -> list[Login]:
    """Every team of the lesson logged in and entered into its level, through the API."""

    def one(number: int) -> Login:
        client = log_in(base, lesson.join_code, number, lesson.level_id)
        try:
            cookie = client.cookies[SESSION_COOKIE]
            return Login(number, cookie, str(client.headers["X-CSRF-Token"]))
        finally:
            client.close()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(1, lesson.teams + 1)))


@contextmanager
def data_dir(prefix: str) -> Iterator[Path]:
    """A throwaway data directory for one server, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"downhill-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "bench-packages")], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs of one thing: the median, and the best (least disturbed
    by whatever else the machine was doing)."""

    median: float
    best: float

    def __str__(self) -> str:
        return f"{self.median * 1e3:9.2f} ms (best {self.best * 1e3:8.2f})"


def timed(run: Callable[[], object], times: int = 7, warm_up: int = 1) -> Timing:
    """The wall time of ``run`` over ``times`` runs, after ``warm_up`` unmeasured ones."""
    for _ in range(warm_up):
        run()
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return Timing(statistics.median(spent), min(spent))


def heading(text: str) -> None:
    """A benchmark's title line."""
    print(f"\n{text}\n{'-' * min(len(text), 100)}", flush=True)
