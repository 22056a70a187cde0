"""The projector in Chromium against real uvicorn servers: a guess accepted through the API
reaches an open projector page within the update interval; a stream served by another
process hears of a guess handled by the first; a dropped connection catches up; the reveal
draws the curve, the paths and the ghosts and replays them; screenshots at 1280×720 and
1920×1080 in each state, with nothing to scroll."""

from __future__ import annotations

import json
import re
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.browser.chromium import ARTIFACTS, watch
from tests.server import instructor_client, level_command, logged_in, running_server
from tests.support import SECRET

pytestmark = pytest.mark.browser

SCREENS = {"720p": {"width": 1280, "height": 720}, "1080p": {"width": 1920, "height": 1080}}
CHART = "document.querySelector('[data-reveal-chart]')"
CUT = "(part) => { const e = document.querySelector(part); return e.scrollWidth > e.clientWidth; }"
RANGES = f"() => ['xaxis', 'yaxis'].map(a => {CHART}._fullLayout[a].range)"
PLAYED = (
    f"() => {CHART}.data.filter(t => (t.legendgroup || '').startsWith('team-'))"
    ".filter(t => t.mode === 'markers+lines')"
    ".flatMap(t => t.x.map((x, i) => [x, t.y[i]]))"
)
QR_BOXES = """() => ['.welcome-qr svg', '.welcome-qr svg path'].map(s => {
    const box = document.querySelector(s).getBoundingClientRect();
    return { width: box.width, height: box.height };
})"""
UPDATE_WITHIN_MS = 2_000  # the versions are polled every 0.25 s; a page draws at once


def guess_as(base: str, number: int, level_id: int, x: float) -> dict:
    """A demo team logs in and guesses."""
    with logged_in(base, number) as phone:
        phone.post(f"/api/levels/{level_id}/enter", json={"password": None})
        answer = phone.post(
            f"/api/levels/{level_id}/guesses",
            json={"x": x, "idempotency_key": f"projector-{number}-{x}".replace(".", "_")},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def announce(base: str, level_id: str) -> None:
    with closing(instructor_client(base)) as console:
        answer = console.post(
            "/instructor/lessons/1/announce",
            data={"csrf_token": console.headers["X-CSRF-Token"], "level_id": level_id},
        )
    assert answer.status_code == 303, answer.text


def open_projector(browser, base: str, screen: str = "720p", theme: str = "dark"):
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    problems = watch(page)
    page.goto(f"{base}/projector/DEMO?theme={theme}")
    page.wait_for_function("() => document.getElementById('live').dataset.live === 'live'")
    return context, page, problems


def no_scrolling(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def board(page) -> list[str]:
    return page.eval_on_selector_all("#board li .name", "els => els.map(e => e.textContent)")


def test_the_waiting_screen(server: str, browser) -> None:
    announce(server, "")
    for screen in SCREENS:
        context, page, problems = open_projector(browser, server, screen)
        assert page.is_visible("#welcome") and page.is_visible(".welcome-qr svg")
        assert re.fullmatch(
            r"No team is in yet|\d+ of 10 teams are in|1 of 10 teams is in",
            page.text_content("#teams-in"),
        )
        assert no_scrolling(page)
        # the code fills its white card (its modules drawn edge to edge), half the height
        card, code = page.evaluate(QR_BOXES)
        assert (
            code["width"] >= 0.75 * card["width"]
            and card["height"] >= 0.45 * SCREENS[screen]["height"]
        ), (card, code)
        page.screenshot(path=str(ARTIFACTS / f"projector-waiting-{screen}.png"))
        assert problems == []
        context.close()
    # a team logging in for the first time moves the count of teams that joined, live
    context, page, problems = open_projector(browser, server)
    shown = page.text_content("#teams-in")
    before = 0 if shown.startswith("No team") else int(shown.split()[0])
    with logged_in(server, 10):  # no other test here logs team 10 in
        pass
    page.wait_for_function(
        f"() => document.getElementById('teams-in').textContent.startsWith('{before + 1} of 10')",
        timeout=5_000,
    )
    assert problems == []
    context.close()
    announce(server, "1")


def test_a_guess_reaches_the_projector_within_the_update_interval(server: str, browser) -> None:
    context, page, problems = open_projector(browser, server)
    assert page.is_visible("#live-view")
    assert "Level 1 · Function 1" in page.text_content("#level-title")
    before = int(page.text_content("#guess-total"))
    guess_as(server, 1, 1, 2.5)
    accepted = time.monotonic()
    page.wait_for_function(
        f"() => Number(document.getElementById('guess-total').textContent) === {before + 1}",
        timeout=UPDATE_WITHIN_MS,
    )
    took = time.monotonic() - accepted
    assert "Team 1" in board(page), board(page)
    assert took < UPDATE_WITHIN_MS / 1000
    guess_as(server, 2, 1, 3.6)  # closer to x* = 3.7: team 2 goes first, with an arrow
    page.wait_for_function(
        "() => document.querySelector('#board li .name').textContent === 'Team 2'"
    )
    assert page.text_content("#board li:nth-child(2) .move") == "▼"
    # the race of the leaders' best f(x) and who plays fill the rest of the screen
    page.wait_for_selector("#race:not([hidden]) .main-svg")
    assert page.evaluate("() => document.getElementById('race-chart').data.length") == 2
    # each line ends in a dot: the team's best now, seen even after a single guess
    ends = page.evaluate(
        "() => document.getElementById('race-chart').data.map(t => t.marker.size.at(-1))"
    )
    assert len(ends) == 2 and all(size > 0 for size in ends)
    tiles = page.eval_on_selector_all("#tiles li", "tiles => tiles.map(t => t.className)")
    assert len(tiles) == 10 and tiles.count("out") <= 8, tiles
    assert "2 played" in page.text_content("#activity-head")
    for screen in SCREENS:
        page.set_viewport_size(SCREENS[screen])
        assert no_scrolling(page)
        # the race's chart fits its box, and its box ends above the tiles (it was drawn
        # over them when the tiles took the height)
        page.wait_for_function(RACE_FITS, timeout=3_000)
        page.screenshot(path=str(ARTIFACTS / f"projector-open-{screen}.png"))
    assert problems == []
    context.close()


RACE_FITS = """() => {
  const box = document.getElementById('race-chart').getBoundingClientRect();
  const chart = document.querySelector('#race-chart .main-svg').getBoundingClientRect();
  const tiles = document.getElementById('activity').getBoundingClientRect();
  return box.height > 100 && chart.height <= box.height + 1 && box.bottom <= tiles.top + 1;
}"""


def test_a_restarted_server_is_caught_up_with_and_does_not_wait_for_streams(
    browser, tmp_path
) -> None:
    with running_server(tmp_path, SECRET) as first:
        port = int(first.rsplit(":", 1)[1])
        context, page, problems = open_projector(browser, first)
        before = int(page.text_content("#guess-total"))
        log = sorted(tmp_path.glob("server-*.log"))[0]
        stopping = time.monotonic()
    # the context above ended the server with an open stream: it stopped promptly
    assert time.monotonic() - stopping < 8, log.read_text()
    page.wait_for_function("() => document.getElementById('live').dataset.live !== 'live'")
    with running_server(tmp_path, SECRET, prepare=False) as elsewhere:
        guess_as(elsewhere, 5, 1, 7.5)  # while the page's server is down
    with running_server(tmp_path, SECRET, prepare=False, port=port):
        page.wait_for_function(
            f"() => Number(document.getElementById('guess-total').textContent) === {before + 1}",
            timeout=20_000,
        )
        assert "Team 5" in board(page)
        page.wait_for_function("() => document.getElementById('live').dataset.live === 'live'")
    context.close()
    # the only complaints are the stream's and the polling's, while the server was away
    assert all(
        "Failed to load resource: net::" in p and "/projector/DEMO/" in p for p in problems
    ), problems


def next_event(lines) -> dict:
    """The data of the next Server-Sent Event."""
    return next(json.loads(line[5:]) for line in lines if line.startswith("data:"))


def test_a_stream_of_another_process_hears_of_a_guess(server: str, data_dir: Path) -> None:
    with running_server(data_dir, SECRET, prepare=False) as other:
        with httpx.Client(timeout=10) as client:
            with client.stream("GET", f"{other}/projector/DEMO/stream") as stream:
                events = stream.iter_lines()
                first = next_event(events)
                guess_as(server, 4, 1, 0.5)  # handled by the first process
                accepted = time.monotonic()
                update = next_event(events)
                while update["level"]["guesses"] == first["level"]["guesses"]:
                    update = next_event(events)  # the team's first login moved the screen
                took = time.monotonic() - accepted
    assert update["level"]["guesses"] == first["level"]["guesses"] + 1
    assert took < UPDATE_WITHIN_MS / 1000


def test_the_reveal_on_the_projector_with_the_replay(server: str, browser, data_dir) -> None:
    level_command(data_dir, SECRET, "close", "1")
    level_command(data_dir, SECRET, "reveal", "1")
    for screen in SCREENS:
        context, page, problems = open_projector(browser, server, screen)
        page.wait_for_selector("#reveal-view:not([hidden]) .main-svg")
        traces = page.evaluate(
            "() => document.querySelector('[data-reveal-chart]').data.map(t => t.name || '')"
        )
        assert "The hidden function" in traces and "True minimum" in traces
        assert {"Gradient descent", "Momentum", "Random search", "Newton-like (tangents)"} <= set(
            traces
        )
        assert page.text_content("[data-reveal-count]") == "Guess 3 of 3"
        # the title and the formula wrap rather than being cut
        for part in ("#reveal-title", "#reveal-expression"):
            assert not page.evaluate(CUT, part), part
        rows = page.eval_on_selector_all("#final-rows tr", "rows => rows.map(r => r.textContent)")
        assert rows[0].startswith("1Team 2") and any("Momentum" in row for row in rows)
        assert "points" in page.text_content("#overall-rows")
        assert no_scrolling(page)
        page.screenshot(path=str(ARTIFACTS / f"projector-revealed-{screen}.png"))
        # the replay: from nothing, one guess at a time
        page.click("[data-reveal-play]")
        page.wait_for_function(
            "() => /Guess [0-2] of 3/"
            ".test(document.querySelector('[data-reveal-count]').textContent)"
        )
        page.click("[data-reveal-play]")  # pause
        paused = page.text_content("[data-reveal-count]")
        page.click("[data-reveal-step]")
        assert page.text_content("[data-reveal-count]") != paused
        # the view: where the teams played (every guess in it), one tap to the whole domain
        (x0, x1), (y0, y1) = page.evaluate(RANGES)
        played = page.evaluate(PLAYED)
        assert played and all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in played)
        page.click("[data-reveal-view]")
        assert page.text_content("[data-reveal-view]") == "Where the play was"
        assert page.evaluate(RANGES)[0] == [-10, 10]
        assert problems == []
        context.close()
    light = browser.new_context(viewport=SCREENS["1080p"])
    page = light.new_page()
    page.goto(f"{server}/projector/DEMO?theme=light")
    page.wait_for_selector("#reveal-view:not([hidden]) .main-svg")
    page.screenshot(path=str(ARTIFACTS / "projector-revealed-light-1080p.png"))
    light.close()
