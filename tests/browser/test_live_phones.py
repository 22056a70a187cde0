"""Phones follow the level live (Chromium against a real uvicorn server): the instructor
closes, reopens and closes a level from the console and every open phone, on the play page
and on the list of levels, shows it within a second, with the whole page consistent; a
reset, a guess of another team and the next level opened reach them too; a phone that was
offline catches up. The delays are printed (p50 and worst) for the record."""

from __future__ import annotations

import statistics
import time
from contextlib import closing

import pytest

from tests.browser.chromium import ARTIFACTS, new_phone
from tests.browser.test_play import log_in
from tests.server import instructor_client, logged_in

pytestmark = pytest.mark.browser

WITHIN_S = 1.0
FUNCTION_1, FUNCTION_2 = 1, 2  # the demo lesson's first levels


def post(console, path: str, **data: str) -> float:
    """A console form posted; the moment its answer came (the change is committed)."""
    answer = console.post(path, data={"csrf_token": console.headers["X-CSRF-Token"], **data})
    assert answer.status_code == 303, answer.text
    return time.monotonic()


def seen_within(page, condition: str, since: float) -> float:
    """Seconds from ``since`` until the page shows ``condition`` (a JS expression)."""
    page.wait_for_function(f"() => {condition}", timeout=10_000)
    return time.monotonic() - since


PILL = "document.getElementById('state-pill').textContent.trim() === '{state}'"
LIVE = "document.querySelector('[data-live]')?.dataset.live === 'live'"
STANDINGS = "document.getElementById('level-standings').textContent.includes('{text}')"
ENTER = "document.querySelector('li.level[data-level=\"{id}\"] button[type=submit]')"
LISTED = "document.querySelector('li.level[data-level=\"{id}\"]')?.dataset.state === '{state}'"


def assert_consistent(page, state: str) -> None:
    """Pill, form, status line and button agree about the level's state."""
    status = page.text_content("#status")
    assert page.text_content("#state-pill").strip() == state
    if state == "open":
        assert page.is_visible("#guess-form"), status
        assert "closed" not in status and "revealed" not in status, status
    else:
        assert page.is_hidden("#guess-form")
        assert "closed" in status, status


def test_phones_follow_the_level_within_a_second(server: str, browser) -> None:
    player, play, play_problems = new_phone(browser)
    log_in(play, server, 3)
    play.click("li.level >> text=Enter")
    play.wait_for_url("**/levels/*/play")
    lister, levels, list_problems = new_phone(browser)
    log_in(levels, server, 4)
    for page in (play, levels):
        page.wait_for_function(
            "() => document.querySelector('[data-live]')?.dataset.live === 'live'"
        )

    delays: list[float] = []
    with closing(instructor_client(server)) as console:
        for action, state in [("close", "closed"), ("open", "open")] * 2 + [("close", "closed")]:
            done = post(console, f"/instructor/levels/{FUNCTION_1}/state", action=action)
            delays.append(seen_within(play, PILL.format(state=state), done))
            delays.append(seen_within(levels, LISTED.format(id=FUNCTION_1, state=state), done))
            play.wait_for_timeout(50)  # the team's own state follows the pill
            assert_consistent(play, state)
        assert "closed" in levels.text_content(f'li.level[data-level="{FUNCTION_1}"]')

        # the next level opened: the play page says so and leads there; the list shows it
        done = post(console, f"/instructor/levels/{FUNCTION_2}/state", action="open")
        delays.append(seen_within(play, "!document.getElementById('next-level').hidden", done))
        delays.append(seen_within(levels, LISTED.format(id=FUNCTION_2, state="open"), done))
        assert "Function 2" in play.text_content("#next-level")

        # another team's guess reaches the standings; a reset empties this team's history
        post(console, f"/instructor/levels/{FUNCTION_1}/state", action="open")
        play.wait_for_function(f"() => {PILL.format(state='open')}")
        play.fill("#x", "2")
        play.click("#submit")
        play.wait_for_selector("#history tbody tr")
        with logged_in(server, 5) as other:
            other.post(f"/api/levels/{FUNCTION_1}/enter", json={"password": None})
            answer = other.post(
                f"/api/levels/{FUNCTION_1}/guesses", json={"x": 3, "idempotency_key": "live-5-3"}
            )
            assert answer.status_code == 200, answer.text
            guessed = time.monotonic()
        delays.append(
            seen_within(
                play,
                "/Team 5/.test(document.querySelector('#level-standings').textContent)",
                guessed,
            )
        )
        # a reset: the team's guesses are gone and it enters the level again
        done = post(console, f"/instructor/levels/{FUNCTION_1}/reset")
        delays.append(seen_within(play, ENTER.format(id=FUNCTION_1), done))
        play.locator(f'li.level[data-level="{FUNCTION_1}"] button[type=submit]').click()
        play.wait_for_url("**/levels/*/play")
        assert play.text_content("#left") == "30" and play.is_enabled("#submit")
        assert play.is_hidden("#answer") and play.is_visible("#no-guesses")

        # a phone that was offline catches up when it is back
        player.set_offline(True)
        post(console, f"/instructor/levels/{FUNCTION_1}/state", action="close")
        player.set_offline(False)
        back = time.monotonic()
        play.wait_for_function(f"() => {PILL.format(state='closed')}", timeout=35_000)
        print(f"\nback online: caught up in {time.monotonic() - back:.1f} s")
        assert_consistent(play, "closed")

    print(
        f"phones follow the level: {len(delays)} changes, p50 {statistics.median(delays):.3f} s,"
        f" worst {max(delays):.3f} s"
    )
    play.screenshot(path=str(ARTIFACTS / "play-phone-live-closed.png"), full_page=True)
    assert max(delays) < WITHIN_S, delays
    assert play_problems == [] or all("net::" in p for p in play_problems), play_problems
    assert list_problems == []
    player.close()
    lister.close()
