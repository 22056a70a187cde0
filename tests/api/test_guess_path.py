"""The guess path stays short: an accepted guess is one transaction of at most five SQL
statements, counted on the engine itself (so the count cannot grow unnoticed), and on
PostgreSQL a team's open transaction does not hold up other teams' guesses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from starlette.routing import Match

from app.api.routes import GUESS_ROUTE
from app.db import begin_guess, utcnow
from app.hot_path import GuessFastPath
from app.main import SESSION_COOKIE
from app.security import SECURITY_HEADERS
from app.services.tokens import issue_tokens
from tests.attack.classroom import session_data
from tests.databases import ENGINE
from tests.support import Demo, browser_like, enter, login_as

MAX_STATEMENTS = 5


@dataclass
class Count:
    statements: list[str] = field(default_factory=list)
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0


@contextmanager
def counted(app) -> Iterator[Count]:
    """Every statement and transaction the app's engine runs meanwhile. The live hub, which
    looks at every lesson's mark a few times a second on its own, is stopped first."""
    hub = app.state.live
    hub.closing = True  # its loop ends after the look it may be taking now
    deadline = time.monotonic() + 5
    while not hub._task.done() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hub._task.done()
    engine = app.state.database.engine
    count = Count()

    def on_statement(conn, cursor, statement, parameters, context, executemany) -> None:
        count.statements.append(statement.split("\n", 1)[0][:80])

    def on_begin(conn) -> None:
        count.begins += 1

    def on_commit(conn) -> None:
        count.commits += 1

    def on_rollback(conn) -> None:
        count.rollbacks += 1

    listeners = [
        ("before_cursor_execute", on_statement),
        ("begin", on_begin),
        ("commit", on_commit),
        ("rollback", on_rollback),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield count
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def entered(client: TestClient, demo: Demo):
    """Team 1 logged in, in the demo's first level (returned)."""
    login_as(client, 1)
    level = demo.levels[0]
    enter(client, level.id)
    return level


def guess(client: TestClient, level_id: int, x: float, key: str):
    return client.post(f"/api/levels/{level_id}/guesses", json={"x": x, "idempotency_key": key})


def test_an_accepted_guess_is_one_transaction_of_at_most_five_statements(
    app, client, demo: Demo
) -> None:
    level = entered(client, demo)
    for n in range(3):  # the first, and the next ones (a best to compare, a last guess)
        with counted(app) as count:
            answer = guess(client, level.id, 1.0 + n, f"path-key-{n:04d}")
        assert answer.status_code == 200, answer.text
        assert len(count.statements) <= MAX_STATEMENTS, count.statements
        assert count.commits == 1, count
        # every statement is seen, those run on the DB-API cursor too (app.services.guess_rows)
        kinds = [s.lstrip().split(None, 1)[0].upper() for s in count.statements]
        assert {"SELECT", "INSERT", "UPDATE"} <= set(kinds), count.statements
        _next_window(app, demo, team=1)


def test_a_programs_guess_reads_its_token_in_the_same_transaction(app, session, demo: Demo) -> None:
    level = demo.levels[0]
    issued = issue_tokens(session, lesson_id=demo.lesson.id, now=utcnow())
    tokens = {t.team.number: t.token for t in issued}
    with TestClient(app, headers={"Authorization": f"Bearer {tokens[2]}"}) as bot:
        assert bot.post(f"/api/levels/{level.id}/enter", json={}).status_code == 200
        with counted(app) as count:
            answer = guess(bot, level.id, 2.0, "bot-key-0001")
        assert answer.status_code == 200, answer.text
        assert len(count.statements) <= MAX_STATEMENTS, count.statements
        assert count.commits == 1, count


def test_a_refused_guess_writes_nothing_and_commits_nothing(app, client, demo: Demo) -> None:
    level = entered(client, demo)
    assert guess(client, level.id, 1.0, "first-key-01").status_code == 200
    with counted(app) as count:
        refused = guess(client, level.id, 2.0, "second-key-1")  # within the cooldown
    assert refused.json()["error"]["code"] == "cooldown"
    assert count.commits == 0
    assert not [s for s in count.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_the_guess_route_is_matched_first_and_refuses_as_the_declared_one(
    app, client, demo: Demo
) -> None:
    """Guesses are answered by a plain route in front of FastAPI's (no dependency
    resolution on the hottest path); it checks what FastAPI would, in the same order."""
    routes = app.router.routes
    scope = {"type": "http", "method": "POST", "path": "/api/levels/7/guesses"}
    assert GUESS_ROUTE.matches(scope)[0] == Match.FULL
    ahead = routes[: routes.index(GUESS_ROUTE)]
    assert all(route.matches(scope)[0] == Match.NONE for route in ahead)
    level = demo.levels[0]
    # the checks before the body: no CSRF token, then no login
    bare = client.post(f"/api/levels/{level.id}/guesses", json={"idempotency_key": "k-00000001"})
    assert bare.json()["error"]["code"] == "csrf_failed"
    login_as(client, 1)
    enter(client, level.id)
    missing = client.post(f"/api/levels/{level.id}/guesses", json={"x": 1})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "invalid_request"
    assert "idempotency_key" in missing.json()["error"]["fields"]
    for body in (b"{", b"[1]", b""):
        broken = client.post(f"/api/levels/{level.id}/guesses", content=body)
        assert broken.json()["error"]["code"] == "invalid_request", body
    huge = client.post("/api/levels/99999999999999999999/guesses", json={"idempotency_key": "k1"})
    assert huge.json()["error"]["code"] == "invalid_request"
    negative = guess(client, -3, 1.0, "key-00000002")  # FastAPI's route: the same rules
    assert negative.json()["error"]["code"] == "level_not_found"
    assert guess(client, level.id, 1.0, "first-key-01").status_code == 200


@contextmanager
def stack_calls(app) -> Iterator[list[str]]:
    """The guesses that reach the middleware stack behind the fast path (app.hot_path)."""
    middleware = app.middleware_stack
    while not isinstance(middleware, GuessFastPath):
        middleware = middleware.app
    behind, seen = middleware.app, []

    async def spy(scope, receive, send) -> None:
        if scope["path"].endswith("/guesses"):
            seen.append(type(scope.get("downhill.decided")).__name__)
        await behind(scope, receive, send)

    middleware.app = spy
    try:
        yield seen
    finally:
        middleware.app = behind


def test_an_accepted_guess_is_answered_ahead_of_the_stack_as_the_stack_would(
    app, client, demo: Demo
) -> None:
    level = entered(client, demo)
    with stack_calls(app) as seen:
        answer = guess(client, level.id, 1.5, "fast-key-0001")
        assert answer.status_code == 200, answer.text
        assert seen == []  # the stack never saw it
        assert answer.json()["guess"]["x"] == 1.5 and not answer.json()["replayed"]
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["vary"] == "Cookie"
        for name, value in SECURITY_HEADERS:
            assert answer.headers[name.decode()] == value.decode()
        assert "set-cookie" not in answer.headers
        # the same key again: the stored answer, still ahead of the stack
        again = guess(client, level.id, 1.5, "fast-key-0001")
        assert again.json()["replayed"] and again.json()["guess"] == answer.json()["guess"]
        # a refusal is decided once, by the writer, and shown by the stack
        with counted(app) as count:
            refused = guess(client, level.id, 2.5, "fast-key-0002")  # within the cooldown
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "cooldown"
        assert seen == ["Refused"]
        assert len(set(count.statements)) == len(count.statements), count.statements
        # a request it does not read to the end goes to the stack untouched
        doubled = client.post(
            f"/api/levels/{level.id}/guesses",
            json={"x": 3, "idempotency_key": "fast-key-0003"},
            headers=[("Origin", "http://elsewhere.example"), ("Origin", "http://testserver")],
        )
        assert doubled.json()["error"]["code"] == "csrf_failed"
        assert seen == ["Refused", "NoneType"]


def test_a_guess_whose_login_is_gone_is_refused_and_forgotten_by_the_stack(app, demo: Demo) -> None:
    level = demo.levels[0]
    with browser_like(app) as phone:
        csrf = login_as(phone, 1)
        enter(phone, level.id)
        kept = phone.cookies.get(SESSION_COOKIE)
        assert phone.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 200
    with browser_like(app) as again, stack_calls(app) as seen:
        again.cookies.set(SESSION_COOKIE, kept)
        answer = again.post(
            f"/api/levels/{level.id}/guesses",
            json={"x": 1, "idempotency_key": "gone-key-001"},
            headers={"X-CSRF-Token": csrf},
        )
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_logged_in"
        assert seen == ["Refused"]
        assert SESSION_COOKIE in answer.headers["set-cookie"]  # the team is forgotten
        cookie = answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        assert "team_id" not in session_data(cookie) and "csrf" in session_data(cookie)


def _next_window(app, demo: Demo, *, team: int) -> None:
    """Move the team's last guess back past the cooldown (as if time had passed)."""
    with app.state.database.sessions() as s, s.begin():
        s.execute(
            text(
                "UPDATE progress SET last_guess_at = :at"
                " WHERE team_id = :team AND level_id = :level"
            ),
            {
                "at": utcnow().replace(year=2000),
                "team": demo.teams[team].id,
                "level": demo.levels[0].id,
            },
        )


@pytest.mark.skipif(ENGINE != "postgresql", reason="SQLite has one writer: guesses queue there")
def test_other_teams_guess_while_one_teams_transaction_is_held_open(
    app, database, demo: Demo
) -> None:
    """A global lock would make the other teams wait for team 1's transaction to end."""
    level = demo.levels[0]
    with ExitStack() as stack:
        phones = {n: stack.enter_context(browser_like(app)) for n in (1, 2, 3)}
        for n, phone in phones.items():
            login_as(phone, n)
            enter(phone, level.id)
        answers: dict[int, int] = {}

        def play(n: int) -> None:
            answers[n] = guess(phones[n], level.id, float(n), f"held-key-{n:04d}").status_code

        held = stack.enter_context(database.sessions())
        begin_guess(held)  # team 1's guess, stalled between its read and its write
        held.execute(
            text(
                "SELECT * FROM progress JOIN level ON level.id = progress.level_id"
                " WHERE team_id = :team AND level_id = :level"
                " FOR UPDATE OF progress FOR SHARE OF level"
            ),
            {"team": demo.teams[1].id, "level": level.id},
        )
        others = [threading.Thread(target=play, args=(n,)) for n in (2, 3)]
        for thread in others:
            thread.start()
        for thread in others:
            thread.join(timeout=20)
        assert answers == {2: 200, 3: 200}, answers  # they did not wait for team 1
        blocked = threading.Thread(target=play, args=(1,))
        blocked.start()
        blocked.join(timeout=1.5)
        assert blocked.is_alive(), "team 1's own second guess waits for its first"
        held.rollback()
        blocked.join(timeout=20)
        assert answers[1] == 200
