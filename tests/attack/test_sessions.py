"""Sessions that can be ended: a signed cookie stays valid for 14 days, so the server
keeps a row per signed-in browser and checks it on every request. A logout, a new PIN, a
removed team and a new instructor password end the sessions they should, at once, on
every process; a replayed cookie then gets nowhere, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.db import utcnow
from app.main import SESSION_COOKIE, create_app
from app.models import Guess, Team
from app.services.instructor import set_password
from tests.attack.classroom import (
    Classroom,
    enter,
    guess,
    make_classroom,
    move,
    phone,
    session_cookie,
)
from tests.conftest import INSTRUCTOR_PASSWORD
from tests.support import browser_like, csrf_of, dispose, post, reread


@pytest.fixture
def room(app, desk, session) -> Classroom:
    """One open level with no cooldown and three teams, each entered into it."""
    room = make_classroom(
        desk, session, "Sessions", [{"title": "Bowl", "expression": "(x - 1)^2"}], teams=3
    )
    move(desk, room.levels[0], "open")
    for number in (1, 2, 3):
        with phone(app, room, number) as client:
            enter(client, room.levels[0])
    return room


@contextmanager
def replayed(app, cookie: str | None) -> Iterator:
    """A browser that sends a session cookie saved earlier (a stolen or kept copy)."""
    assert cookie
    with browser_like(app) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        client.headers["X-CSRF-Token"] = client.get("/api/csrf").json()["csrf_token"]
        yield client


def stored(session) -> int:
    reread(session)
    return session.scalar(select(func.count()).select_from(Guess))


def assert_out(client, room: Classroom, session, key: str) -> None:
    """Every face of the team refuses the browser, and a guess stores nothing."""
    level = room.levels[0]
    before = stored(session)
    assert client.get("/api/levels").status_code == 401
    assert client.get("/team", follow_redirects=False).headers["location"].startswith("/")
    assert client.get(f"/levels/{level.id}/play", follow_redirects=False).status_code == 303
    answer = client.post(f"/api/levels/{level.id}/guesses", json={"x": 1, "idempotency_key": key})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_logged_in"
    assert stored(session) == before


def test_a_logout_ends_that_device_only(app, session, room: Classroom) -> None:
    with phone(app, room, 1) as mine, phone(app, room, 1) as teammates:
        kept = session_cookie(mine)
        assert mine.delete("/api/session").status_code == 200
        with replayed(app, kept) as again:
            assert_out(again, room, session, "after-logout-1")
        guess(teammates, room.levels[0], 2, "teammate-still-in")  # the team plays on
    with phone(app, room, 2) as page_user:  # the page's logout form does the same
        kept = session_cookie(page_user)
        post(page_user, "/logout")
        with replayed(app, kept) as again:
            assert_out(again, room, session, "after-logout-2")


def test_a_new_pin_ends_every_device_of_the_team(app, desk, session, room: Classroom) -> None:
    with phone(app, room, 3) as first, phone(app, room, 3) as second, phone(app, room, 1) as other:
        post(desk, f"/instructor/lessons/{room.lesson.id}/teams/{room.team_ids[3]}/pin")
        assert_out(first, room, session, "old-pin-first")
        assert_out(second, room, session, "old-pin-second")
        guess(other, room.levels[0], 3, "another-team-plays-on")


def test_a_removed_teams_devices_are_out(app, desk, session, room: Classroom) -> None:
    with phone(app, room, 2) as device:
        post(desk, f"/instructor/lessons/{room.lesson.id}/teams/{room.team_ids[2]}/remove")
        assert device.get("/api/levels").status_code == 401
        reread(session)
        assert session.get(Team, room.team_ids[2]) is None


def test_the_instructors_logout_and_new_password_end_the_console(app, desk, session) -> None:
    kept = session_cookie(desk)
    assert desk.get("/instructor").status_code == 200
    post(desk, "/instructor/logout")
    with replayed(app, kept) as again:
        assert again.get("/instructor", headers={"Accept": "application/json"}).status_code == 401
    with browser_like(app) as laptop:  # signed in again, then the password changes
        laptop.post(
            "/instructor/login",
            data={"csrf_token": csrf_of(laptop), "password": INSTRUCTOR_PASSWORD},
        )
        assert laptop.get("/instructor").status_code == 200
        set_password(session, password="a-brand-new-password-1", now=utcnow())
        assert laptop.get("/instructor", headers={"Accept": "application/json"}).status_code == 401


def test_the_end_of_a_session_reaches_every_process(app, settings, session, room) -> None:
    """Another server process on the same database (a second worker) ends a session; the
    first one refuses the cookie at its next request."""
    other = create_app(Settings(**{**settings.model_dump(), "data_dir": settings.data_dir}))
    try:
        with phone(app, room, 1) as here:
            kept = session_cookie(here)
            with replayed(other, kept) as there:  # the same cookie, the other process
                assert there.get("/api/levels").status_code == 200
                assert there.delete("/api/session").status_code == 200
            assert_out(here, room, session, "ended-elsewhere")
    finally:
        dispose(other.state.database)
