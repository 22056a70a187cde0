"""Helpers the tests share: logging a team in, entering a level, moving the clock of a level."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import QueuePool, select
from sqlalchemy.orm import Session

from app.db import Database, lock_for_write, utcnow
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Lesson, Level, Team
from app.services.demo import DEMO_JOIN_CODE, demo_pin
from app.services.levels import add_level, set_level_state

SECRET = "test-secret-key-that-is-long-enough-0123456789"
# the two-parameter level of the tests: f(x, y) = (x - 1)^2 + 3(y + 2)^2, ∇f = (2(x - 1),
# 6(y + 2)), its minimum 0 at (1, -2) inside the rectangle [-5, 5] × [-4, 4]
PLANE = {"expression": "(x - 1)^2 + 3*(y + 2)^2", "x_min": -5, "x_max": 5, "y_min": -4, "y_max": 4}
BASE_URL = "http://testserver"


def dispose(database: Database, within: float = 10.0) -> None:
    """Close a test's engine once every connection is back in its pool. One still out (a
    request of a test's own thread finishing, a live-update read in flight) would go back
    to a pool nobody holds and be closed by the garbage collector alone, with a
    ResourceWarning failing whatever test runs then. One that never comes back is a leak:
    the test that made it fails here (and the warning may still follow later)."""
    pool = database.engine.pool
    assert isinstance(pool, QueuePool), pool  # the test engines' pool, which counts
    deadline = time.monotonic() + within
    while pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.01)
    left = pool.checkedout()
    database.engine.dispose()
    assert left == 0, f"{left} database connection(s) never given back"


def browser_like(app) -> TestClient:
    """A client that sends Origin like a browser on the same site does."""
    return TestClient(app, base_url=BASE_URL, headers={"Origin": BASE_URL})


@dataclass
class Demo:
    """The seeded demo lesson as tests use it."""

    lesson: Lesson
    levels: list[Level]
    teams: dict[int, Team]

    def pin(self, number: int) -> str:
        return demo_pin(SECRET, number)


def csrf_of(client: TestClient) -> str:
    """This client's CSRF token (read off the login page like a browser would)."""
    page = client.get("/").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if match:
        return match.group(1)
    return client.get("/api/csrf").json()["csrf_token"]


def login_as(client: TestClient, number: int, pin: str | None = None) -> str:
    """Log a demo team in through the JSON API; returns the CSRF token for later requests."""
    token = client.get("/api/csrf").json()["csrf_token"]
    response = client.post(
        "/api/session",
        json={
            "join_code": DEMO_JOIN_CODE,
            "team_number": number,
            "pin": pin or demo_pin(SECRET, number),
        },
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response.json()["csrf_token"]


def enter(client: TestClient, level_id: int, password: str | None = None) -> dict:
    """Enter a level through the API and return its play state."""
    response = client.post(f"/api/levels/{level_id}/enter", json={"password": password})
    assert response.status_code == 200, response.text
    return response.json()


def open_level(session: Session, lesson_id: int, spec: LevelSpec) -> Level:
    """A level added at the end of a lesson and opened now, as the console does."""
    lock_for_write(session)
    level = add_level(session, lesson_id=lesson_id, spec=spec)
    session.commit()
    set_level_state(session, level=level, state=LevelState.OPEN, now=utcnow())
    return level


def set_level(session: Session, level: Level, **values) -> None:
    """Change a level's settings directly in the database (the console does it in a later
    version); the session sees the new values."""
    lock_for_write(session)
    for name, value in values.items():
        setattr(level, name, value)
    session.commit()


def ago(seconds: float, now: datetime | None = None) -> datetime:
    """A moment ``seconds`` before now."""
    return (now or utcnow()) - timedelta(seconds=seconds)


def reread(session: Session) -> None:
    """End the session's read snapshot (SQLite WAL) so it sees what the app wrote since, and
    forget what it loaded (a rollback outside a transaction would keep it)."""
    session.rollback()
    session.expire_all()


def post(client: TestClient, path: str, **data: str) -> Response:
    """Submit a form of the instructor's console (with its CSRF token), not following the
    redirect."""
    return client.post(
        path, data={"csrf_token": client.headers["X-CSRF-Token"], **data}, follow_redirects=False
    )


def slip_sheet(client: TestClient, path: str, **data: str) -> Response:
    """Make slips in the console (new teams, a new PIN) and open the sheet it sends the
    browser to (post, redirect, get)."""
    made = post(client, path, **data)
    assert made.status_code == 303, made.text
    return client.get(made.headers["location"])


def run_together(count: int, task: Callable[[int], None]) -> None:
    """Run ``task(0..count-1)`` in threads released at the same moment."""
    barrier = threading.Barrier(count)

    def start(i: int) -> None:
        barrier.wait()
        task(i)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def console_lesson(client: TestClient, session: Session, name: str, **level: str):
    """A new lesson made in the console, and with ``level`` fields (a title and an
    expression at least) its one level, made in the level editor: (lesson, level or None)."""
    post(client, "/instructor/lessons", name=name)
    reread(session)
    lesson = session.scalars(select(Lesson).where(Lesson.name == name)).one()
    if not level:
        return lesson, None
    fields = {"x_min": "-10", "x_max": "10", "cooldown_seconds": "0"}
    fields |= {"standings_visibility": "shown", **level}
    saved = post(client, f"/instructor/lessons/{lesson.id}/levels/new", **fields)
    assert saved.status_code == 303, saved.text
    reread(session)
    return lesson, session.scalars(select(Level).where(Level.lesson_id == lesson.id)).one()
