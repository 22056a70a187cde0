"""Stored XSS and formula injection: teams register themselves under hostile names, the
lesson and its levels carry hostile titles, and every page that shows them — the teams'
pages, the console, the monitor, the projector, the slips, the report — shows them as text;
JSON carries them as data; the CSV exports cannot be run as spreadsheet formulas. Reflected
input (a refused form shown again) is checked too."""

from __future__ import annotations

import csv
import io
import json
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.attack.classroom import Classroom, enter, guess, make_classroom, move
from tests.support import browser_like, csrf_of, post, slip_sheet

XSS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "\"'><svg onload=alert(1)>",
]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-1+2", "@SUM(A1:A9)"]
LESSON = " ".join(XSS)  # 91 characters: a lesson name may have 120
TITLES = [" ".join(XSS), "=1+2 " + XSS[0]]
LIVE_MARKUP = ["<img src=x", "<svg onload", "<script>alert", *XSS]


@dataclass
class Hostile:
    room: Classroom
    teams: dict[str, TestClient]  # team name -> its logged-in browser
    desk: TestClient


@pytest.fixture
def hostile(app, desk, session):
    """A lesson, its levels and its self-registered teams, all named to break pages: the
    first level played, closed and revealed, the second open with live standings."""
    room = make_classroom(
        desk,
        session,
        LESSON,
        [
            {"title": TITLES[0], "expression": "(x - 1)^2"},
            {"title": TITLES[1], "expression": "x^2"},
        ],
        teams=0,
    )
    switched = post(desk, f"/instructor/lessons/{room.lesson.id}/registration", enabled="1")
    assert switched.status_code == 303
    first, second = room.levels
    move(desk, first, "open")
    with ExitStack() as stack:
        teams = {}
        for i, name in enumerate(XSS + FORMULAS):
            phone = stack.enter_context(browser_like(app))
            made = phone.post(
                "/register",
                data={"csrf_token": csrf_of(phone), "join_code": room.join_code, "name": name},
                follow_redirects=False,
            )
            assert made.status_code == 303, made.text
            phone.headers["X-CSRF-Token"] = csrf_of(phone)
            enter(phone, first)
            guess(phone, first, f"{i / 4 - 1:.2f}", f"hostile-guess-{i}")
            teams[name] = phone
        move(desk, first, "close", "reveal")
        move(desk, second, "open")
        for i, name in enumerate(XSS):
            enter(teams[name], second)
            guess(teams[name], second, f"{i / 2:.1f}", f"hostile-second-{i}")
        yield Hostile(room, teams, desk)


def shown_as_text(payload: str, page: str) -> bool:
    """The payload is on the page as text: escaped for HTML, or as JSON in a data script."""
    in_script = json.dumps(payload, ensure_ascii=False)[1:-1]
    in_script = in_script.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return str(escape(payload)) in page or in_script in page


def assert_html_is_safe(where: str, response, *, shows_names: bool = True) -> None:
    assert response.status_code in (200, 403, 404, 409, 422), (where, response.status_code)
    assert response.headers["content-type"].startswith("text/html"), where
    assert "script-src 'self'" in response.headers["content-security-policy"], where
    page = response.text
    for markup in LIVE_MARKUP:
        assert markup not in page, (where, markup)
    if shows_names:
        assert any(shown_as_text(p, page) for p in XSS), f"{where} shows no hostile text"


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [value] if isinstance(value, str) else []


def assert_json_is_data(where: str, response, *, expect: list[str]) -> None:
    """JSON is served as JSON (never sniffed as a page) and keeps the names as typed."""
    assert response.status_code == 200, where
    assert response.headers["content-type"].startswith("application/json"), where
    assert response.headers["x-content-type-options"] == "nosniff", where
    found = strings_in(response.json())
    for text in expect:
        assert any(text in s for s in found), (where, text)


def test_team_pages_show_hostile_names_as_text(hostile: Hostile) -> None:
    first, second = hostile.room.levels
    team = hostile.teams[XSS[0]]
    for path in (
        "/team",
        "/standings",
        f"/levels/{first.id}/play",
        f"/levels/{first.id}/reveal",
        f"/levels/{second.id}/play",
        f"/j/{hostile.room.join_code}",
    ):
        assert_html_is_safe(path, team.get(path))
    for path in ("/api/levels", "/api/standings", f"/api/levels/{second.id}/standings"):
        assert_json_is_data(path, team.get(path), expect=XSS[:1])
    assert_json_is_data(f"/api/levels/{first.id}", team.get(f"/api/levels/{first.id}"), expect=[])


def test_the_projector_shows_hostile_names_as_text(app, hostile: Hostile) -> None:
    code = hostile.room.join_code
    with browser_like(app) as anyone:
        paths = ("/projector/{}", "/projector/{}?theme=light", "/j/{}", "/register?code={}")
        for path in (template.format(code) for template in paths):
            assert_html_is_safe(path, anyone.get(path))
        state = anyone.get(f"/projector/{code}/state.json")
        assert_json_is_data("state.json", state, expect=[LESSON, TITLES[1], *XSS])
        with anyone.stream("GET", f"/projector/{code}/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            data = next(line for line in stream.iter_lines() if line.startswith("data:"))
        assert LESSON in strings_in(json.loads(data.removeprefix("data:"))["lesson"])


def test_the_console_shows_hostile_names_as_text(hostile: Hostile) -> None:
    desk = hostile.desk
    lesson = hostile.room.lesson
    first, second = hostile.room.levels
    for path in (
        "/instructor",
        f"/instructor/lessons/{lesson.id}",
        f"/instructor/lessons/{lesson.id}/delete",
        f"/instructor/levels/{first.id}/edit",
        f"/instructor/levels/{second.id}/edit",
        f"/instructor/levels/{first.id}/monitor",
        f"/instructor/levels/{second.id}/monitor",
        f"/instructor/lessons/{lesson.id}/levels/new",
    ):
        assert_html_is_safe(path, desk.get(path))
    monitor = desk.get(f"/instructor/levels/{second.id}/monitor.json")
    assert_json_is_data("monitor.json", monitor, expect=[TITLES[1], *XSS])
    exported = desk.get(f"/instructor/lessons/{lesson.id}/lesson.json")
    assert_json_is_data("lesson.json", exported, expect=[LESSON, *TITLES])
    assert exported.headers["content-disposition"].startswith("attachment")
    # the slips of new teams: a page of its own, printed
    sheet = slip_sheet(desk, f"/instructor/lessons/{lesson.id}/teams", count="1")
    assert_html_is_safe("slips", sheet)


def test_the_report_shows_hostile_names_as_text(hostile: Hostile) -> None:
    lesson = hostile.room.lesson
    report = hostile.desk.get(f"/instructor/lessons/{lesson.id}/report.html")
    assert report.headers["content-disposition"].startswith("attachment")
    assert_html_is_safe("report.html", report)
    # plotly reads tags in trace names: the names go in escaped, inside JSON
    assert "&lt;img src=x onerror=alert(1)&gt;" in report.text


def test_refused_forms_show_what_was_typed_as_text(app, hostile: Hostile) -> None:
    desk = hostile.desk
    lesson = hostile.room.lesson
    too_long = XSS[2] * 6
    renamed = post(desk, f"/instructor/lessons/{lesson.id}/rename", name=too_long)
    assert renamed.status_code == 422
    assert_html_is_safe("rename, refused", renamed)
    editor = post(
        desk,
        f"/instructor/lessons/{lesson.id}/levels/new",
        title=XSS[1],
        expression=XSS[0],
        x_min=XSS[2][:40],
        x_max="1",
        cooldown_seconds="0",
        standings_visibility="shown",
    )
    assert editor.status_code == 422
    assert_html_is_safe("level editor, refused", editor)
    with browser_like(app) as anyone:
        token = csrf_of(anyone)
        login = anyone.post("/login", data={"csrf_token": token, "join_code": XSS[2][:40]})
        assert login.status_code == 404
        assert_html_is_safe("login, refused", login)  # the code typed, shown back as text
        taken = anyone.post(
            "/register",
            data={"csrf_token": token, "join_code": hostile.room.join_code, "name": XSS[1]},
        )
        assert taken.status_code == 409
        assert_html_is_safe("register, name taken", taken)
        missing = anyone.get(f"/projector/{XSS[0]}")
        assert_html_is_safe("projector of no lesson", missing, shows_names=False)
        for path in ("/lang/en?next=javascript:alert(1)", "/lang/en?next=//evil.example"):
            redirect = anyone.get(path, follow_redirects=False)
            assert redirect.headers["location"] == "/", path


def csv_rows(response) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_exports_cannot_run_formulas(hostile: Hostile) -> None:
    lesson = hostile.room.lesson
    cells = []
    for name in ("guesses", "standings"):
        header, *rows = csv_rows(hostile.desk.get(f"/instructor/lessons/{lesson.id}/{name}.csv"))
        assert len(rows) >= len(FORMULAS), name
        cells += [cell for row in rows for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a number may start so (x = -0.75): a spreadsheet reads a number
    for formula in FORMULAS + [TITLES[1]]:
        assert "'" + formula in cells, formula
        assert formula not in cells, formula
    assert LESSON in cells and all(name in cells for name in XSS)  # text stays as typed
