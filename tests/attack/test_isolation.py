"""Team A cannot read or act as team B: not by changing ids in URLs, queries or bodies, not by
reusing B's idempotency keys, not with a session cookie it edited, signed itself or brought
from another server, not with the phone of a team that was removed. (The basics — B's
guesses are not in A's history, a body naming another team is refused, another lesson's
levels are not found through the API — are in tests/api/test_guesses_api.py.)"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Iterator

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app.config import Settings
from app.main import SESSION_COOKIE, create_app
from app.models import Guess, Progress, Team
from tests.attack.classroom import (
    Classroom,
    enter,
    guess,
    log_in,
    make_classroom,
    move,
    phone,
    session_cookie,
    session_data,
)
from tests.support import SECRET, browser_like, dispose, login_as, post, reread

A_X, B_XS = "-2.4681", ["1.3579", "4.8642"]


@pytest.fixture
def room(app, desk, session) -> Classroom:
    """One open level (no cooldown) and three teams; team 1 guessed once, team 2 twice."""
    room = make_classroom(
        desk, session, "Isolation", [{"title": "Bowl", "expression": "(x - 1)^2"}], teams=3
    )
    move(desk, room.levels[0], "open")
    with phone(app, room, 1) as a, phone(app, room, 2) as b:
        enter(a, room.levels[0])
        enter(b, room.levels[0])
        guess(a, room.levels[0], A_X, "team-a-key-1")
        for i, x in enumerate(B_XS):
            guess(b, room.levels[0], x, f"team-b-key-{i}")
    return room


@pytest.fixture
def team_a(app, room: Classroom) -> Iterator:
    with phone(app, room, 1) as client:
        yield client


def counts(session) -> tuple[int, int]:
    reread(session)
    guesses = session.scalar(select(func.count()).select_from(Guess))
    return guesses, session.scalar(select(func.count()).select_from(Progress))


def test_ids_in_urls_and_queries_do_not_change_whose_data_a_team_reads(
    team_a, room: Classroom
) -> None:
    level = room.levels[0]
    b_id = room.team_ids[2]
    forged = f"?team_id={b_id}&team={b_id}&team_number=2&number=2"
    for suffix in ("", forged):
        state = team_a.get(f"/api/levels/{level.id}{suffix}").json()
        assert state["team"]["number"] == 1
        assert [g["x"] for g in state["guesses"]] == [float(A_X)]
        assert state["best"]["x"] == float(A_X)
        history = team_a.get(f"/api/levels/{level.id}/guesses{suffix}").json()["guesses"]
        assert [g["x"] for g in history] == [float(A_X)]
        page = team_a.get(f"/levels/{level.id}/play{suffix}").text
        assert A_X in page and not any(x in page for x in B_XS)
        standings = team_a.get(f"/api/levels/{level.id}/standings{suffix}").json()
        # the standings name every team's best f(x) and count, never where it was found
        for row in standings["rows"]:
            assert set(row) == {"rank", "team_number", "team_name", "best_fx", "guesses"}
        text = json.dumps(standings) + team_a.get(f"/standings{suffix}").text
        assert not any(x in text for x in B_XS)


def test_ids_in_bodies_are_refused_and_change_nothing(team_a, session, room: Classroom) -> None:
    level = room.levels[0]
    b_id = room.team_ids[2]
    before = counts(session)
    for extra in ({"team_id": b_id}, {"team": 2}, {"team_number": 2}, {"lesson_id": 1}):
        answer = team_a.post(
            f"/api/levels/{level.id}/guesses",
            json={"x": 0.5, "idempotency_key": "forged-body-1", **extra},
        )
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_request"
        answer = team_a.post(f"/api/levels/{level.id}/enter", json={"team_id": b_id})
        assert answer.status_code == 422
    assert counts(session) == before
    # a wrong login for team 2 from team 1's phone leaves team 1 logged in as itself
    wrong = team_a.post(
        "/api/session", json={"join_code": room.join_code, "team_number": 2, "pin": "WRONG"}
    )
    assert wrong.status_code == 401
    assert team_a.get(f"/api/levels/{level.id}").json()["team"]["number"] == 1
    assert session_data(session_cookie(team_a))["team_id"] == room.team_ids[1]


def test_a_form_naming_another_team_acts_as_the_sender_only(
    app, desk, session, room: Classroom
) -> None:
    second = make_classroom(
        desk, session, "Second room", [{"title": "Other", "expression": "x^2"}], teams=2
    )
    other = second.levels[0]
    move(desk, other, "open")
    with phone(app, second, 1) as a:
        form = {"csrf_token": a.headers["X-CSRF-Token"], "team_id": str(second.team_ids[2])}
        entered = a.post(f"/levels/{other.id}/enter", data=form, follow_redirects=False)
        assert entered.status_code == 303
    reread(session)
    entered_by = set(session.scalars(select(Progress.team_id).where(Progress.level_id == other.id)))
    assert entered_by == {second.team_ids[1]}


def test_idempotency_keys_belong_to_the_team_that_sent_them(
    app, team_a, session, room: Classroom
) -> None:
    level = room.levels[0]
    # team 2's key "team-b-key-0" stored x = 1.3579; team 1 sending it gets a guess of its own
    mine = team_a.post(
        f"/api/levels/{level.id}/guesses", json={"x": "0.25", "idempotency_key": "team-b-key-0"}
    ).json()
    assert mine["replayed"] is False and mine["guess"]["x"] == 0.25 and mine["guess"]["seq"] == 2
    # the same x as team 2's stored guess is not team 2's answer either
    again = team_a.post(
        f"/api/levels/{level.id}/guesses", json={"x": B_XS[1], "idempotency_key": "team-b-key-1"}
    ).json()
    assert again["replayed"] is False and again["guess"]["seq"] == 3
    with phone(app, room, 2) as b:
        history = b.get(f"/api/levels/{level.id}/guesses").json()["guesses"]
    assert [g["x"] for g in history] == [float(x) for x in B_XS]


def test_another_lessons_team_gets_nothing_of_this_lesson_through_the_pages(
    app, desk, session, room: Classroom
) -> None:
    level = room.levels[0]
    move(desk, level, "close", "reveal")
    before = counts(session)
    with browser_like(app) as stranger:
        login_as(stranger, 1)  # team 1 of the demo lesson
        token = stranger.headers["X-CSRF-Token"]
        for path in (f"/levels/{level.id}/play", f"/levels/{level.id}/reveal"):
            page = stranger.get(path)
            assert page.status_code == 404 and 'data-code="level_not_found"' in page.text, path
        entered = stranger.post(f"/levels/{level.id}/enter", data={"csrf_token": token})
        assert entered.status_code == 404
        for path in ("", "/guesses", "/standings"):
            assert stranger.get(f"/api/levels/{level.id}{path}").status_code == 404
        text = stranger.get("/team").text + stranger.get("/standings").text
        text += json.dumps(stranger.get("/api/levels").json())
        text += json.dumps(stranger.get("/api/standings").json())
        assert "Bowl" not in text and "Isolation" not in text
    assert counts(session) == before


def sign(data: dict, secret: str) -> str:
    """A session cookie as Starlette's SessionMiddleware makes it, signed with ``secret``."""
    return TimestampSigner(secret).sign(b64encode(json.dumps(data).encode())).decode()


def as_cookie(app, value: str):
    client = browser_like(app)
    client.cookies.set(SESSION_COOKIE, value)
    return client


def test_a_session_cookie_cannot_be_edited_forged_or_brought_from_another_server(
    app, settings, tmp_path, session, room: Classroom
) -> None:
    level = room.levels[0]
    with phone(app, room, 1) as a:
        cookie = session_cookie(a)
    assert cookie is not None
    mine = session_data(cookie)
    # the cookie is signed, not encrypted: it carries ids, this browser's login (a random
    # id the server keeps while the login is in force) and a CSRF token, nothing secret
    assert set(mine) == {"csrf", "team_id", "team_since", "login"}
    assert mine["team_id"] == room.team_ids[1]
    reread(session)
    b = session.get(Team, room.team_ids[2])
    other_secret = "another-servers-secret-key-0123456789abcdefgh"
    other_app = create_app(
        Settings(
            data_dir=tmp_path / "other",
            secret_key=other_secret,
            database_url=settings.resolved_database_url,
        )
    )
    try:
        with browser_like(other_app) as elsewhere:  # the same database, another secret
            log_in(elsewhere, room.join_code, 2, room.pins[2])
            from_elsewhere = session_cookie(elsewhere)
    finally:
        dispose(other_app.state.database)
    assert from_elsewhere is not None
    # team 2's data, with a login of team 2's that is in force (made through the other
    # server, on the same database): only the signature can stop it
    login = session_data(from_elsewhere)["login"]
    theirs = {**mine, "team_id": b.id, "team_since": b.created_at.isoformat(), "login": login}
    payload, stamp, signature = cookie.split(".")
    edited = b64encode(json.dumps(theirs).encode()).decode()
    forgeries = {
        "edited payload, team 1's signature": f"{edited}.{stamp}.{signature}",
        "signed with another key": sign(theirs, other_secret),
        "not signed": edited,
        "another server's cookie for team 2": from_elsewhere,
        "the instructor, signed with another key": sign({"instructor": True}, other_secret),
    }
    before = counts(session)
    for name, value in forgeries.items():
        with as_cookie(app, value) as forged:
            token = forged.get("/api/csrf").json()["csrf_token"]
            assert forged.get(f"/api/levels/{level.id}").status_code == 401, name
            answer = forged.post(
                f"/api/levels/{level.id}/guesses",
                json={"x": 0, "idempotency_key": "forged-cookie"},
                headers={"X-CSRF-Token": token},
            )
            assert answer.status_code in (401, 403), name
            console = forged.get("/instructor", headers={"Accept": "application/json"})
            assert console.status_code == 401, name
    assert counts(session) == before
    # the control: signed with this server's secret, the same data is accepted, so the only
    # thing that stopped each forgery above is the secret
    with as_cookie(app, sign(theirs, SECRET)) as control:
        assert control.get(f"/api/levels/{level.id}").json()["team"]["number"] == 2


def test_a_removed_teams_phone_does_not_become_the_next_team(
    app, desk, session, room: Classroom
) -> None:
    level = room.levels[0]
    last = max(room.team_ids.values())  # team 3, the newest row: SQLite reuses its id
    with phone(app, room, 3) as old_phone:
        removed = post(desk, f"/instructor/lessons/{room.lesson.id}/teams/{last}/remove")
        assert removed.status_code == 303
        post(desk, f"/instructor/lessons/{room.lesson.id}/teams", count="1")
        reread(session)
        newest = session.scalars(select(Team).order_by(Team.id.desc())).first()
        assert newest.number == 3  # a new team 3, with a new PIN the old phone never typed
        assert old_phone.get(f"/api/levels/{level.id}").status_code == 401
        assert old_phone.get("/team", follow_redirects=False).headers["location"] == "/"
        answer = old_phone.post(
            f"/api/levels/{level.id}/enter", json={}, headers={"X-CSRF-Token": "x"}
        )
        assert answer.status_code in (401, 403)
    reread(session)
    assert session.get(Progress, (newest.id, level.id)) is None


def test_a_deleted_lessons_phone_does_not_join_the_next_lesson(app, desk, session) -> None:
    old = make_classroom(desk, session, "Last term", [{"title": "Old", "expression": "x^2"}], 2)
    with phone(app, old, 2) as old_phone:
        gone = post(desk, f"/instructor/lessons/{old.lesson.id}/delete", confirm_name="Last term")
        assert gone.status_code == 303
        new = make_classroom(desk, session, "This term", [{"title": "New", "expression": "x^4"}], 2)
        move(desk, new.levels[0], "open")
        assert old_phone.get("/api/levels").status_code == 401
        assert old_phone.get("/team", follow_redirects=False).headers["location"] == "/"


def test_a_team_login_in_the_instructors_browser_ends_the_instructors_rights(
    desk, room: Classroom
) -> None:
    log_in(desk, room.join_code, 1, room.pins[1])
    answer = desk.get("/instructor", headers={"Accept": "application/json"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "instructor_only"
    assert "instructor" not in session_data(session_cookie(desk))
