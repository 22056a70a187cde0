"""The instructor's door: a generated first password, throttled logins, who gets in where,
and running a level from the console."""

from __future__ import annotations

import pytest

from app.db import utcnow
from app.errors import Refused
from app.models import Instructor
from app.services.instructor import ensure_password, set_password
from tests.support import Demo, csrf_of, login_as

PASSWORD = "a-long-instructor-password"


@pytest.fixture
def instructor_password(session) -> str:
    set_password(session, password=PASSWORD, now=utcnow())
    return PASSWORD


def instructor_login(client, password: str):
    return client.post(
        "/instructor/login",
        data={"csrf_token": csrf_of(client), "password": password},
        follow_redirects=False,
    )


def test_there_is_no_default_password_the_first_start_makes_one(session) -> None:
    assert session.get(Instructor, 1) is None
    generated = ensure_password(session, configured=None, now=utcnow())
    assert generated and len(generated) == 14 and generated.count("-") == 2
    stored = session.get(Instructor, 1).password_hash
    assert generated not in stored and stored.startswith("$argon2")
    # later starts keep it and show nothing
    assert ensure_password(session, configured=None, now=utcnow()) is None
    assert session.get(Instructor, 1).password_hash == stored


def test_a_configured_password_is_used_and_a_short_one_refused(session) -> None:
    assert ensure_password(session, configured="from-the-environment", now=utcnow()) is None
    with pytest.raises(Refused) as caught:
        ensure_password(session, configured="short", now=utcnow())
    assert caught.value.code == "instructor_password_too_short"


def test_the_instructor_logs_in_and_runs_a_level(
    client, session, demo: Demo, instructor_password: str
) -> None:
    assert client.get("/instructor", follow_redirects=False).headers["location"] == (
        "/instructor/login"
    )
    response = instructor_login(client, instructor_password)
    assert response.status_code == 303 and response.headers["location"] == "/instructor"
    assert "Downhill demo" in client.get("/instructor").text
    console = client.get(f"/instructor/lessons/{demo.lesson.id}").text
    assert "Function 2" in console and "valley" in console  # the instructor sees drafts
    level = demo.levels[1]
    token = csrf_of(client)
    opened = client.post(
        f"/instructor/levels/{level.id}/state",
        data={"csrf_token": token, "action": "open"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    session.refresh(level)
    assert level.state == "open"
    refused = client.post(
        f"/instructor/levels/{level.id}/state", data={"csrf_token": token, "action": "reveal"}
    )
    assert refused.status_code == 409 and 'data-code="level_move_refused"' in refused.text
    session.refresh(level)
    assert level.state == "open"
    bad = client.post(
        f"/instructor/levels/{level.id}/state", data={"csrf_token": token, "action": "delete"}
    )
    assert bad.status_code == 422


def test_the_login_page_shows_the_command_as_code_not_backticks(client) -> None:
    page = client.get("/instructor/login").text
    assert "<code>downhill instructor set-password</code>" in page and "`" not in page


def test_wrong_passwords_are_refused_then_throttled(client, instructor_password: str) -> None:
    for _ in range(5):
        response = instructor_login(client, "not-the-password")
        assert response.status_code == 401
        assert 'data-code="instructor_password_wrong"' in response.text
    locked = instructor_login(client, instructor_password)
    assert locked.status_code == 429 and 'data-code="too_many_attempts"' in locked.text


def test_the_console_refuses_forged_forms(client, demo: Demo, instructor_password: str) -> None:
    instructor_login(client, instructor_password)
    level_id = demo.levels[1].id
    forged = client.post(
        f"/instructor/levels/{level_id}/state", data={"csrf_token": "forged", "action": "open"}
    )
    assert forged.status_code == 403
    other_site = client.post(
        f"/instructor/levels/{level_id}/state",
        data={"csrf_token": csrf_of(client), "action": "open"},
        headers={"Origin": "http://evil.example"},
    )
    assert other_site.status_code == 403


def test_logging_in_as_instructor_ends_the_team_login_on_that_browser(
    client, demo: Demo, instructor_password: str
) -> None:
    login_as(client, 1)
    instructor_login(client, instructor_password)
    assert client.get("/team", follow_redirects=False).headers["location"] == "/"
    client.post("/instructor/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/instructor", follow_redirects=False).headers["location"] == (
        "/instructor/login"
    )
