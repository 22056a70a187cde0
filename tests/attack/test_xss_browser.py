"""Stored XSS as a browser sees it: Chromium, with the Content-Security-Policy switched off
(so an injected handler would run), visits every kind of page that shows hostile names —
the teams' pages, the console, the monitor, the projector, the report — and no dialog may
open, no element may carry an event handler. A control shows the dialog watch works."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.attack.test_xss import LESSON, TITLES, XSS
from tests.browser.chromium import CHROMIUM, CHROMIUM_FLAGS, LAPTOP
from tests.server import INSTRUCTOR_PASSWORD, running_server
from tests.support import SECRET

pytestmark = pytest.mark.browser

INJECTED = """() => [...document.querySelectorAll('*')].filter(
  (el) => [...el.attributes].some((a) => a.name.startsWith('on'))
    || (el.tagName === 'IMG' && el.getAttribute('src') === 'x')).length"""


class Console:
    """The instructor's console over HTTP, to set a lesson up before the browser comes."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Origin": base})
        token = self.token()
        self.post("/instructor/login", password=INSTRUCTOR_PASSWORD, csrf_token=token)

    def token(self) -> str:
        return self.client.get("/api/csrf").json()["csrf_token"]

    def post(self, path: str, **form: str) -> httpx.Response:
        form.setdefault("csrf_token", self.token())
        answer = self.client.post(path, data=form)
        assert answer.status_code in (200, 303), (path, answer.text[:300])
        return answer


def set_up(base: str) -> dict:
    """A lesson named to break pages, two levels named so too, three teams under hostile
    names that guessed; the first level revealed, the second open and announced."""
    desk = Console(base)
    lesson_id = int(
        desk.post("/instructor/lessons", name=LESSON).headers["location"].split("/")[-1]
    )
    editor = {"x_min": "-5", "x_max": "5", "cooldown_seconds": "0"}
    editor |= {"standings_visibility": "shown"}
    for title, expression in zip(TITLES, ["(x - 1)^2", "x^2 + 1"], strict=True):
        desk.post(
            f"/instructor/lessons/{lesson_id}/levels/new",
            title=title,
            expression=expression,
            **editor,
        )
    made = desk.post(f"/instructor/lessons/{lesson_id}/teams", count="3")
    sheet = desk.client.get(made.headers["location"]).text  # the slips' own address
    pins = dict(re.findall(r'data-team="(\d+)".*?class="slip-pin">([^<]+)<', sheet, re.S))
    page = desk.client.get(f"/instructor/lessons/{lesson_id}").text
    team_ids = re.findall(r'<tr id="team-(\d+)">', page)
    level_ids = [int(i) for i in re.findall(r'<li class="level [^"]*" id="level-(\d+)"', page)]
    for team_id, name in zip(team_ids, XSS, strict=True):
        desk.post(f"/instructor/lessons/{lesson_id}/teams/{team_id}/rename", name=name)
    first, second = level_ids
    desk.post(f"/instructor/levels/{first}/state", action="open")
    join_code = re.search(r'class="join-code">([^<]+)<', page).group(1)
    for number, pin in pins.items():
        with httpx.Client(base_url=base, headers={"Origin": base}) as phone:
            token = phone.get("/api/csrf").json()["csrf_token"]
            login = {"join_code": join_code, "team_number": int(number), "pin": pin}
            token = phone.post("/api/session", json=login, headers={"X-CSRF-Token": token})
            phone.headers["X-CSRF-Token"] = token.json()["csrf_token"]
            assert phone.post(f"/api/levels/{first}/enter", json={}).status_code == 200
            body = {"x": int(number) - 2, "idempotency_key": f"browser-xss-{number}"}
            assert phone.post(f"/api/levels/{first}/guesses", json=body).status_code == 200
    for action in ("close", "reveal"):
        desk.post(f"/instructor/levels/{first}/state", action=action)
    desk.post(f"/instructor/levels/{second}/state", action="open")
    desk.client.close()
    return {
        "lesson_id": lesson_id,
        "levels": level_ids,
        "join_code": join_code,
        "pins": pins,
        "cookies": dict(desk.client.cookies),
    }


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    with running_server(tmp_path_factory.mktemp("xss-server"), SECRET) as base:
        yield base, set_up(base)


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (scripts/system-packages)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def visit(page, url: str, dialogs: list[str]) -> None:
    """Open a page, let its scripts draw (charts, tables, the live board), check it."""
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert dialogs == [], (url, dialogs)
    assert page.evaluate(INJECTED) == 0, url


def test_no_hostile_name_runs_in_any_page(chromium, hostile_server) -> None:
    base, lesson = hostile_server
    first, second = lesson["levels"]
    context = chromium.new_context(viewport=LAPTOP, bypass_csp=True, base_url=base)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visited = 0
    # the room: the projector on the open level, and the join page with its lesson list
    for url in (f"/projector/{lesson['join_code']}", f"/j/{lesson['join_code']}"):
        visit(page, url, dialogs)
        visited += 1
    assert page.get_by_text(LESSON).count() >= 1  # the name is there, as text
    # a team: log in through the page, then its levels, standings, play and reveal pages
    page.fill("#team_number", "1")
    page.fill("#pin", lesson["pins"]["1"])
    page.click("button[type=submit].primary")
    page.wait_for_url("**/team")
    for url in ("/team", "/standings", f"/levels/{first}/play", f"/levels/{first}/reveal"):
        visit(page, url, dialogs)
        visited += 1
    assert page.get_by_text(XSS[0], exact=False).count() >= 1
    # the instructor: the console, the editor, the monitor (live table and chart), the report
    context.clear_cookies()
    context.add_cookies(
        [{"name": k, "value": v, "url": base} for k, v in lesson["cookies"].items()]
    )
    lesson_id = lesson["lesson_id"]
    for url in (
        "/instructor",
        f"/instructor/lessons/{lesson_id}",
        f"/instructor/levels/{second}/edit",
        f"/instructor/levels/{first}/monitor",
        f"/instructor/levels/{second}/monitor",
    ):
        visit(page, url, dialogs)
        visited += 1
    report = page.request.get(f"{base}/instructor/lessons/{lesson_id}/report.html")
    assert report.ok
    page.set_content(report.text(), wait_until="load")  # opened from a file, offline
    page.wait_for_timeout(300)
    assert dialogs == [] and page.evaluate(INJECTED) == 0
    assert visited == 11
    # the control: an element with a handler, put there on purpose, does open a dialog
    page.evaluate(
        "() => { const i = document.createElement('img');"
        " i.setAttribute('onerror', 'alert(7)'); i.src = 'x'; document.body.append(i); }"
    )
    page.wait_for_timeout(300)
    assert dialogs == ["7"]
    context.close()
