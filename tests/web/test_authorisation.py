"""The authorisation matrix of the instructor's console: every instructor route, found by
walking the app's routes (a new route is covered the day it is added), asked by nobody, by
a team and by the instructor; and the CSRF checks on every unsafe one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import Announcement, Guess, Lesson, Level, Team
from tests.server import ROOT
from tests.support import Demo, browser_like, csrf_of, login_as, reread

OPEN_TO_ALL = {("GET", "/instructor/login"), ("POST", "/instructor/login")}


def instructor_routes(app) -> list[tuple[str, str]]:
    """Every instructor route and method, as the app's OpenAPI schema lists them."""
    found = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/instructor")
        for method in operations
        if (method.upper(), path) not in OPEN_TO_ALL
    ]
    return sorted(found, key=lambda pair: pair[1].endswith("/logout"))  # log out last


def declared_routes() -> set[tuple[str, str]]:
    """Every route the console's source declares, to check none is hidden from the schema."""
    found = set()
    for room in sorted((ROOT / "app" / "web" / "console").glob("*.py")):
        source = room.read_text(encoding="utf-8")
        found |= {
            (method.upper(), "/instructor" + path)
            for method, path in re.findall(r'@(?:router|public)\.(get|post)\(\s*"([^"]*)"', source)
        }
    return found - OPEN_TO_ALL


def fill(path: str, demo: Demo) -> str:
    ids = {
        "lesson_id": demo.lesson.id,
        "level_id": demo.levels[0].id,
        "team_id": demo.teams[1].id,
    }
    filled = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
    assert "{" not in filled, path
    return filled


def everything(session) -> tuple:
    """What an instructor route could change, to check a refused request changed nothing."""
    reread(session)
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (
        count(Lesson),
        count(Team),
        count(Level),
        count(Guess),
        count(Announcement),
        tuple(
            session.execute(
                select(
                    Lesson.name, Lesson.archived, Lesson.self_registration, Lesson.team_cap
                ).order_by(Lesson.id)
            )
        ),
        tuple(
            session.execute(
                select(Level.id, Level.state, Level.position, Level.title, Level.password).order_by(
                    Level.id
                )
            )
        ),
        # in a stated order: PostgreSQL moves a row it updates (a team's first login)
        tuple(session.execute(select(Team.id, Team.name, Team.pin_hash).order_by(Team.id))),
        tuple(
            session.execute(
                select(
                    Announcement.lesson_id, Announcement.level_id, Announcement.show_password
                ).order_by(Announcement.lesson_id)
            )
        ),
    )


def call(client, method: str, path: str, **kwargs):
    if path.endswith("/stream"):
        with client.stream(method, path, follow_redirects=False, **kwargs) as response:
            if response.status_code != 200:  # a refusal is short: read it; a stream is not
                response.read()
            return response
    return client.request(method, path, follow_redirects=False, **kwargs)


def test_every_instructor_route_is_in_the_matrix(app) -> None:
    routes = instructor_routes(app)
    assert set(routes) == declared_routes()
    assert len(routes) >= 30, routes  # lessons, teams, levels, running, exports, monitor
    assert ("GET", "/instructor/lessons/{lesson_id}/report.html") in routes
    assert ("POST", "/instructor/lessons/{lesson_id}/announce") in routes


def test_nobody_gets_the_login_page_or_401(app, session, demo: Demo) -> None:
    before = everything(session)
    with browser_like(app) as nobody:
        token = csrf_of(nobody)
        for method, template in instructor_routes(app):
            path = fill(template, demo)
            as_json = call(
                nobody, method, path, headers={"Accept": "application/json", "X-CSRF-Token": token}
            )
            assert as_json.status_code == 401, (method, path)
            assert as_json.json()["error"]["code"] == "instructor_login_required"
            if method == "GET":
                page = call(nobody, method, path)
                assert page.status_code == 303, path
                assert page.headers["location"] == "/instructor/login"
    assert everything(session) == before


def test_a_team_gets_403_everywhere_and_changes_nothing(app, session, demo: Demo) -> None:
    before = everything(session)
    with browser_like(app) as team:
        token = login_as(team, 1)
        for method, template in instructor_routes(app):
            path = fill(template, demo)
            data = {
                "csrf_token": token,
                "action": "open",
                "count": "3",
                "name": "Taken",
                "enabled": "1",
                "cap": "99",
                "level_id": str(demo.levels[1].id),
                "show_password": "1",
                "step": "1",
                "confirm_name": demo.lesson.name,
            }
            response = call(
                team,
                method,
                path,
                headers={"Accept": "application/json"},
                **({"data": data} if method == "POST" else {}),
            )
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["code"] == "instructor_only", (method, path)
        # the team is still logged in as itself, nothing more
        assert team.get("/api/levels").status_code == 200
    assert everything(session) == before


def test_the_instructor_reaches_every_route(app, desk, demo: Demo) -> None:
    for method, template in instructor_routes(app):
        path = fill(template, demo)
        response = call(
            desk,
            method,
            path,
            **({"data": {"csrf_token": desk.headers["X-CSRF-Token"]}} if method == "POST" else {}),
        )
        # a form sent empty may be refused for what it lacks, never for who sent it
        assert response.status_code not in (401, 403, 404, 405), (method, path, response.text)
        assert response.status_code < 500, (method, path)


@pytest.mark.parametrize("forgery", ["no token", "wrong token", "other site"])
def test_unsafe_instructor_requests_need_the_csrf_checks(
    app, desk, session, demo: Demo, forgery: str
) -> None:
    before = everything(session)
    token = desk.headers.pop("X-CSRF-Token")
    data = {
        "action": "open",
        "count": "3",
        "name": "Forged",
        "confirm_name": demo.lesson.name,
        "enabled": "1",
        "cap": "99",
        "level_id": str(demo.levels[1].id),
        "step": "1",
    }
    headers = {"Accept": "application/json"}
    if forgery == "wrong token":
        data["csrf_token"] = token[:-2] + "xx"
    elif forgery == "other site":
        data["csrf_token"] = token
        headers["Origin"] = "https://evil.example"
    for method, template in instructor_routes(app):
        if method != "POST":
            continue
        response = desk.post(fill(template, demo), data=data, headers=headers)
        assert response.status_code == 403, template
        assert response.json()["error"]["code"] == "csrf_failed", template
    assert everything(session) == before
