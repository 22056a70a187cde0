"""A lesson made the way an instructor makes one (in the console), its teams logged in the way
phones log in, and what the attack tests read back: session cookies, PINs off the slips."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.main import SESSION_COOKIE
from app.models import Lesson, Level, Team
from tests.support import browser_like, post, reread, slip_sheet

EDITOR_DEFAULTS = {
    "x_min": "-10",
    "x_max": "10",
    "cooldown_seconds": "0",
    "guess_budget": "",
    "time_limit_seconds": "",
    "password": "",
    "standings_visibility": "shown",
    "freeze_seconds": "",
}


@dataclass
class Classroom:
    """A lesson made in the console: its levels in order and each team's PIN by number."""

    lesson: Lesson
    levels: list[Level]
    pins: dict[int, str]
    team_ids: dict[int, int] = field(default_factory=dict)

    @property
    def join_code(self) -> str:
        return self.lesson.join_code


def make_classroom(
    desk: TestClient, session: Session, name: str, levels: list[dict[str, str]], teams: int
) -> Classroom:
    """A lesson with these levels (editor fields; drafts) and ``teams`` teams, all made through
    the instructor's console."""
    made = post(desk, "/instructor/lessons", name=name)
    assert made.status_code == 303, made.text
    lesson_id = int(made.headers["location"].rsplit("/", 1)[1])
    for fields in levels:
        saved = post(
            desk, f"/instructor/lessons/{lesson_id}/levels/new", **{**EDITOR_DEFAULTS, **fields}
        )
        assert saved.status_code == 303, saved.text
    pins = {}
    if teams:
        made = slip_sheet(desk, f"/instructor/lessons/{lesson_id}/teams", count=str(teams))
        pins = slips(made.text)
        assert len(pins) == teams
    reread(session)
    lesson = session.get(Lesson, lesson_id)
    assert lesson is not None
    ordered = list(
        session.scalars(select(Level).where(Level.lesson_id == lesson_id).order_by(Level.position))
    )
    ids = {
        team.number: team.id
        for team in session.scalars(select(Team).where(Team.lesson_id == lesson_id))
    }
    return Classroom(lesson, ordered, pins, ids)


def slips(sheet: str) -> dict[int, str]:
    """Team number -> PIN, read off a printed sheet of slips."""
    found = re.findall(r'data-team="(\d+)".*?class="slip-pin">([^<]+)<', sheet, flags=re.DOTALL)
    return {int(number): pin for number, pin in found}


def move(desk: TestClient, level: Level, *actions: str) -> None:
    """Open, close or reveal a level from the console, in order."""
    for action in actions:
        moved = post(desk, f"/instructor/levels/{level.id}/state", action=action)
        assert moved.status_code == 303, (action, moved.text)


def log_in(client: TestClient, join_code: str, number: int, pin: str) -> str:
    """Log a team in through the JSON API as the play page does; returns its CSRF token (also
    set on the client for later requests)."""
    token = client.get("/api/csrf").json()["csrf_token"]
    answer = client.post(
        "/api/session",
        json={"join_code": join_code, "team_number": number, "pin": pin},
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return answer.json()["csrf_token"]


@contextmanager
def phone(app, room: Classroom, number: int) -> Iterator[TestClient]:
    """A browser logged in as team ``number`` of the classroom."""
    with browser_like(app) as client:
        log_in(client, room.join_code, number, room.pins[number])
        yield client


def guess(client: TestClient, level: Level, x: str | float, key: str) -> dict:
    """An accepted guess (the test fails if it is refused)."""
    answer = client.post(f"/api/levels/{level.id}/guesses", json={"x": x, "idempotency_key": key})
    assert answer.status_code == 200, answer.text
    return answer.json()


def enter(client: TestClient, level: Level, password: str | None = None) -> dict:
    answer = client.post(f"/api/levels/{level.id}/enter", json={"password": password})
    assert answer.status_code == 200, answer.text
    return answer.json()


def session_cookie(client: TestClient) -> str | None:
    """The raw value of the client's signed session cookie."""
    return client.cookies.get(SESSION_COOKIE)


def session_data(cookie: str | None) -> dict:
    """What a session cookie carries: signed, not encrypted, so anyone holding it can read it
    (the signature only stops changes)."""
    if not cookie:
        return {}
    payload = cookie.split(".", 1)[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
