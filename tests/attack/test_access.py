"""Getting in: CSRF on every unsafe route a team can send (the instructor's are walked in
tests/web/test_authorisation.py), the session cookies' flags (a team's and the
instructor's), and PIN guessing throttled per team, never per address: a classroom shares
one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.config import Settings
from app.db import lock_for_write, utcnow
from app.game.rules import LevelState
from app.main import SESSION_COOKIE, create_app
from app.models import Guess, Lesson, Progress, Team, Throttle, Vote
from app.services.teams import hash_pin, set_registration
from tests.attack.classroom import session_cookie, session_data
from tests.conftest import INSTRUCTOR_PASSWORD
from tests.support import (
    BASE_URL,
    Demo,
    browser_like,
    csrf_of,
    dispose,
    login_as,
    reread,
    set_level,
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def team_unsafe_routes(app) -> list[tuple[str, str]]:
    """Every unsafe route outside the instructor's console, from the app's schema."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith("/instructor")
        for method in operations
        if method.upper() in UNSAFE
    ]


def world(session) -> tuple:
    """What a forged request could change."""
    reread(session)
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (count(Team), count(Guess), count(Progress), count(Throttle), count(Vote))


BODIES = {
    "/api/session": {"json": {"join_code": "DEMO", "team_number": 2, "pin": "{pin2}"}},
    "/api/levels/{level_id}/enter": {"json": {}},
    "/api/levels/{level_id}/guesses": {"json": {"x": 1, "idempotency_key": "csrf-probe-1"}},
    "/api/levels/{level_id}/prediction": {"json": {"choice": "gradient_descent"}},
    "/login": {"data": {"join_code": "DEMO", "team_number": "2", "pin": "{pin2}"}},
    "/register": {"data": {"join_code": "DEMO", "name": "Forged team"}},
    "/logout": {"data": {}},
    "/levels/{level_id}/enter": {"data": {}},
}


def closed_and_asked(session, demo: Demo) -> None:
    """The demo's second level closed with a prediction asked: a vote would count."""
    set_level(session, demo.levels[1], state=LevelState.CLOSED.value, prediction=True)


def request_for(method: str, path: str, demo: Demo, token: str | None) -> dict:
    """A request that would change something if it got through (log team 2 in, register a
    team, enter, guess, log out), carrying ``token`` as a page or a script would."""
    body = BODIES[path] if method == "POST" else {}
    # a prediction is for a closed level: the second one (see ``closed_and_asked``)
    level = demo.levels[1] if path.endswith("/prediction") else demo.levels[0]
    url = path.replace("{level_id}", str(level.id))
    request: dict = {"method": method, "url": url, "follow_redirects": False, "headers": {}}
    if "data" in body:
        fields = {k: v.replace("{pin2}", demo.pin(2)) for k, v in body["data"].items()}
        request["data"] = fields | ({"csrf_token": token} if token is not None else {})
    else:
        if "json" in body:
            request["json"] = {
                k: v.replace("{pin2}", demo.pin(2)) if isinstance(v, str) else v
                for k, v in body["json"].items()
            }
        if token is not None:
            request["headers"]["X-CSRF-Token"] = token
    return request


FORGERIES = {  # headers sent, and which token
    "no token": ({}, None),
    "wrong token": ({}, "not-the-token"),
    "another site": ({"Origin": "http://evil.example"}, "right"),
    "a look-alike site": ({"Origin": f"{BASE_URL}.evil.example"}, "right"),
    "an opaque origin": ({"Origin": "null"}, "right"),
    "another site's page, no Origin": ({"Referer": "http://evil.example/play"}, "right"),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_every_unsafe_team_route_refuses_a_forged_request(
    app, session, demo: Demo, forgery: str
) -> None:
    set_registration(session, lesson_id=demo.lesson.id, enabled=True, cap="")
    closed_and_asked(session, demo)
    routes = team_unsafe_routes(app)
    assert len(routes) >= 8, routes  # log in and out (API and forms), register, enter, guess
    assert {path for _, path in routes} <= set(BODIES), "a new unsafe route: add its body"
    before = world(session)
    headers, which = FORGERIES[forgery]
    with browser_like(app) as team:
        token = login_as(team, 1)
        del team.headers["X-CSRF-Token"]
        if "Referer" in headers:
            del team.headers["Origin"]
        for method, path in routes:
            request = request_for(method, path, demo, token if which == "right" else which)
            request["headers"].update(headers)
            response = team.request(**request)
            assert response.status_code == 403, (forgery, method, path, response.text[:200])
            if path.startswith("/api/"):
                assert response.json()["error"]["code"] == "csrf_failed"
            else:
                assert 'data-code="csrf_failed"' in response.text
        # still team 1, logged in; nothing was stored
        assert session_data(session_cookie(team))["team_id"] == demo.teams[1].id
        assert team.get("/api/levels").status_code == 200
    assert world(session) == before


def test_the_same_requests_with_the_token_from_this_site_go_through(
    app, session, demo: Demo
) -> None:
    """The control: what the forgeries sent is refused for the forgery alone."""
    set_registration(session, lesson_id=demo.lesson.id, enabled=True, cap="")
    closed_and_asked(session, demo)
    with browser_like(app) as team:
        token = login_as(team, 1)
        del team.headers["X-CSRF-Token"]  # each request carries its own, as the pages do
        routes = sorted(team_unsafe_routes(app), key=lambda r: r[1] in ("/logout", "/api/session"))
        for method, path in routes:
            response = team.request(**request_for(method, path, demo, token))
            assert response.status_code in (200, 303), (method, path, response.text[:300])
            token = csrf_of(team)
    reread(session)
    assert session.scalar(select(func.count()).select_from(Guess)) == 1
    assert session.scalar(select(func.count()).select_from(Vote)) == 1


def cookie_flags(set_cookie: str) -> dict[str, str]:
    name_value, *attributes = [part.strip() for part in set_cookie.split(";")]
    flags = {"name": name_value.split("=", 1)[0]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        flags[key.lower()] = value.lower()
    return flags


def test_session_cookies_of_teams_and_the_instructor_are_httponly_and_samesite(
    app, session, demo: Demo
) -> None:
    from app.services.instructor import set_password

    set_password(session, password=INSTRUCTOR_PASSWORD, now=utcnow())
    with browser_like(app) as phone:
        token = csrf_of(phone)
        form = {"csrf_token": token, "join_code": "DEMO", "team_number": "3", "pin": demo.pin(3)}
        by_form = phone.post("/login", data=form, follow_redirects=False)
        api = phone.post(
            "/api/session",
            json={"join_code": "DEMO", "team_number": 4, "pin": demo.pin(4)},
            headers={"X-CSRF-Token": token},
        )
    with browser_like(app) as laptop:
        data = {"csrf_token": csrf_of(laptop), "password": INSTRUCTOR_PASSWORD}
        instructor = laptop.post("/instructor/login", data=data, follow_redirects=False)
        assert instructor.headers["location"] == "/instructor"
    for name, response in {"form": by_form, "api": api, "instructor": instructor}.items():
        flags = cookie_flags(response.headers["set-cookie"])
        assert flags["name"] == SESSION_COOKIE, name
        assert "httponly" in flags and flags["samesite"] == "lax", (name, flags)
        assert flags["path"] == "/" and int(flags["max-age"]) <= 14 * 24 * 3600, (name, flags)
        assert "secure" not in flags, name  # plain HTTP on a classroom LAN by default


def test_behind_https_the_session_cookie_is_secure(settings) -> None:
    secure = create_app(Settings(**{**settings.model_dump(), "cookie_secure": True}))
    try:
        with browser_like(secure) as client:
            flags = cookie_flags(client.get("/api/csrf").headers["set-cookie"])
        assert {"secure", "httponly"} <= set(flags) and flags["samesite"] == "lax"
    finally:
        dispose(secure.state.database)


def pin_login(client, number: int, pin: str, join_code: str = "DEMO", **headers: str):
    token = client.get("/api/csrf").json()["csrf_token"]
    return client.post(
        "/api/session",
        json={"join_code": join_code, "team_number": number, "pin": pin},
        headers={"X-CSRF-Token": token, **headers},
    )


def unlock_all(session) -> None:
    """Move every lock into the past, as if its time had passed."""
    lock_for_write(session)
    session.execute(update(Throttle).values(locked_until=utcnow() - timedelta(seconds=1)))
    session.commit()


def test_wrong_pins_lock_that_team_for_a_while_whoever_asks_and_no_other(
    app, session, demo: Demo
) -> None:
    level = demo.levels[0]
    with browser_like(app) as team3_phone, browser_like(app) as attacker:
        login_as(team3_phone, 3)  # already playing before the attack
        for attempt in range(5):
            wrong = pin_login(attacker, 3, f"WRONG{attempt}")
            assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
        # team 3 is locked: with its right PIN, from another browser, another claimed address
        with browser_like(app) as team3_new_phone:
            locked = pin_login(team3_new_phone, 3, demo.pin(3), **{"X-Forwarded-For": "10.9.8.7"})
            assert locked.status_code == 429
            error = locked.json()["error"]
            assert error["code"] == "too_many_attempts" and 0 < error["seconds"] <= 15
            assert f"Wait {error['seconds']} seconds" in error["message"]
            assert locked.headers["Retry-After"] == str(error["seconds"])
            form = {
                "csrf_token": csrf_of(team3_new_phone),
                "join_code": "DEMO",
                "team_number": "3",
                "pin": demo.pin(3),
            }
            page = team3_new_phone.post("/login", data=form)
            assert page.status_code == 429 and 'data-code="too_many_attempts"' in page.text
        # team 4 logs in from the attacker's browser, the same address; team 3's phone plays on
        assert pin_login(attacker, 4, demo.pin(4)).status_code == 200
        assert team3_phone.get("/api/levels").status_code == 200
        entered = team3_phone.post(f"/api/levels/{level.id}/enter", json={})
        assert entered.status_code == 200
        # the lock passes; the next wrong PIN locks for twice as long
        unlock_all(session)
        assert pin_login(attacker, 3, "WRONG5").status_code == 401
        again = pin_login(attacker, 3, demo.pin(3))
        assert again.status_code == 429 and 15 < again.json()["error"]["seconds"] <= 30
        # once it passes, the right PIN gets in and the count starts again
        unlock_all(session)
        assert pin_login(attacker, 3, demo.pin(3)).status_code == 200
        assert pin_login(attacker, 3, "WRONG6").json()["error"]["code"] == "login_failed"


def test_team_numbers_that_do_not_exist_are_throttled_too(app, demo: Demo) -> None:
    with browser_like(app) as attacker:
        codes = [pin_login(attacker, 77, f"GUESS{i}").status_code for i in range(6)]
        assert codes == [401] * 5 + [429]  # the answer never says whether team 77 exists
        assert pin_login(attacker, 5, demo.pin(5)).status_code == 200


def test_sixty_teams_log_in_from_one_address_while_one_is_attacked(app, session) -> None:
    lock_for_write(session)
    lesson = Lesson(name="Big class", join_code="BIGCL", created_at=utcnow())
    session.add(lesson)
    session.flush()
    shared = hash_pin("KEY777")  # one hash for all: hashing sixty PINs is not what is tested
    for number in range(1, 62):
        session.add(Team(lesson_id=lesson.id, number=number, pin_hash=shared, created_at=utcnow()))
    session.commit()
    with browser_like(app) as classroom:  # one browser: one address, one cookie jar
        attacked = 0
        for number in [n for n in range(1, 62) if n != 3]:
            if number % 3 == 0:
                refused = pin_login(classroom, 3, f"WRONG{number}", join_code="BIGCL")
                assert refused.status_code in (401, 429)
                attacked += 1
            answer = pin_login(classroom, number, "KEY777", join_code="BIGCL")
            assert answer.status_code == 200, (number, answer.text)
            assert answer.json()["team"]["number"] == number
        assert attacked >= 19
        assert pin_login(classroom, 3, "KEY777", join_code="BIGCL").status_code == 429
