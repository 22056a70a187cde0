"""Learning-rate and momentum levels on a phone: a team types η (and β), sees the step it is
about to take, steps twice, and reads where the server moved it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database, utcnow
from app.game.moves import Mode
from app.game.rules import LevelState
from app.game.settings import LevelSpec
from app.models import Lesson, Level
from app.services.demo import DEMO_JOIN_CODE
from app.services.levels import set_level_state
from tests.browser.chromium import ARTIFACTS, TABLES_FIT, new_phone
from tests.browser.test_play import chart_traces, log_in
from tests.databases import server_database_url
from tests.support import open_level

pytestmark = pytest.mark.browser


def open_stepping_level(
    data_dir: Path,
    mode: Mode,
    slope_noise: float | None = None,
    *,
    batch_max: int | None = None,
    cooldown: int = 0,
) -> int:
    """A level of f(x) = (x - 1)^2 from x = 4 (slope 6) in the demo lesson, open now."""
    database = Database(server_database_url(data_dir, fresh=False))
    with database.sessions() as session:
        lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
        spec = LevelSpec(
            title=f"Steps: {mode.value}",
            expression="(x - 1)^2",
            x_min=-5,
            x_max=5,
            cooldown_seconds=cooldown,
            mode=mode,
            start_x=4,
            eta_max=2,
            beta_max=0.95 if mode is Mode.MOMENTUM else None,
            slope_noise=slope_noise,
            batch_max=batch_max,
        )
        level_id = open_level(session, lesson.id, spec).id
    database.engine.dispose()
    return level_id


def settle(data_dir: Path, level_id: int) -> None:
    """Close and reveal the level, as the console does."""
    database = Database(server_database_url(data_dir, fresh=False))
    with database.sessions() as session:
        level = session.get(Level, level_id)
        for state in (LevelState.CLOSED, LevelState.REVEALED):
            set_level_state(session, level=level, state=state, now=utcnow())
    database.engine.dispose()


def history(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#history tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


def play(page, server: str, level_id: int) -> None:
    page.goto(f"{server}/team")
    page.click(f"li.level[data-level='{level_id}'] >> button[type=submit]")
    page.wait_for_url(f"**/levels/{level_id}/play")
    page.wait_for_function("() => document.getElementById('chart').data !== undefined")


def test_a_team_steps_by_learning_rate_on_a_phone(server: str, browser, data_dir) -> None:
    level_id = open_stepping_level(data_dir, Mode.LEARNING_RATE)
    context, page, problems = new_phone(browser)
    log_in(page, server, 8)
    play(page, server, level_id)
    assert page.locator("#x").count() == 0  # the server chooses x
    assert page.text_content("#position") == "You stand at x = 4: f(x) = 9, slope 6."
    page.fill("#eta", "2.5")  # above this level's bound of 2: flagged before it is sent
    assert page.text_content("#step-preview") == (
        "The learning rate η must be above 0 and at most 2 on this level."
    )
    assert page.get_attribute("#eta", "aria-invalid") == "true"
    page.fill("#eta", "0.1")
    assert page.text_content("#step-preview") == "This step: x ← 4 − 0.1·(6) = 3.4"
    assert page.get_attribute("#eta", "aria-invalid") is None
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 1")
    assert page.text_content("#position") == "You stand at x = 3.4: f(x) = 5.76, slope 4.8."
    page.fill("#eta", "2")  # too large: 3.4 - 2 * 4.8 = -6.2 leaves the domain
    assert page.text_content("#step-preview").endswith("— stopped at the edge")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    assert "stopped at its edge" in page.text_content("#answer")
    # columns: #, η, Δx, x, f(x), slope, time
    assert [row[:6] for row in history(page)] == [
        ["2", "2", "-8.4 ⇥", "-5", "36", "-12"],
        ["1", "0.1", "-0.6", "3.4", "5.76", "4.8"],
    ]
    traces = chart_traces(page)
    assert traces["Your path"]["x"] == [4, 3.4, -5]
    assert traces["Start"]["x"] == [4]
    assert page.is_visible("#clamped-hint")
    assert page.evaluate(TABLES_FIT), "a table runs off a 360-px phone"
    page.screenshot(path=str(ARTIFACTS / "play-learning-rate-phone.png"), full_page=True)
    assert problems == []
    context.close()


def test_a_team_steps_with_momentum_on_a_phone(server: str, browser, data_dir) -> None:
    level_id = open_stepping_level(data_dir, Mode.MOMENTUM)
    context, page, problems = new_phone(browser, locale="zh-TW")
    log_in(page, server, 9)
    play(page, server, level_id)
    page.fill("#eta", "0.1")
    page.fill("#beta", "0.5")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 1")
    page.click("#submit")  # the same η and β again: the velocity carries on
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    # columns: #, η, β, velocity, Δx, x, ...; v = 0.5 * -0.6 - 0.1 * 4.8 = -0.78
    assert [row[:6] for row in history(page)] == [
        ["2", "0.1", "0.5", "-0.78", "-0.78", "2.62"],
        ["1", "0.1", "0.5", "-0.6", "-0.6", "3.4"],
    ]
    assert "速度 v = -0.78" in page.text_content("#position")
    assert page.text_content("#submit") == "走一步"
    refused = page.request.post(
        f"{server}/api/levels/{level_id}/guesses",
        headers={
            "Origin": server,
            "X-CSRF-Token": page.get_attribute("meta[name=csrf-token]", "content"),
        },
        data={"eta": 0.1, "beta": 1.5, "idempotency_key": "browser-refused"},
    )
    assert refused.status == 422 and refused.json()["error"]["code"] == "beta_out_of_bounds"
    page.screenshot(path=str(ARTIFACTS / "play-momentum-phone-zh-TW.png"), full_page=True)
    assert problems == []
    context.close()


def test_a_team_steps_on_noisy_slopes_and_sees_the_true_ones_after_the_reveal(
    server: str, browser, data_dir
) -> None:
    level_id = open_stepping_level(data_dir, Mode.LEARNING_RATE, slope_noise=0.5)
    context, page, problems = new_phone(browser)
    log_in(page, server, 7)
    play(page, server, level_id)
    assert "random noise of about ±0.5" in page.text_content(".noise-rule")
    assert page.text_content("#true-slope-head") == "True slope"
    assert not page.is_visible("#true-slope-head")
    for count in (1, 2):
        page.fill("#eta", "0.1")
        page.click("#submit")
        page.wait_for_function(
            f"() => document.querySelectorAll('#history tbody tr').length === {count}"
        )
    rows = history(page)  # columns: #, η, Δx, x, f(x), slope (noisy), time
    first_x = float(rows[1][3])
    assert first_x != 3.4  # 4 - 0.1 * 6 only if the noise were nothing
    assert float(rows[1][5]) != 2 * (first_x - 1)
    assert "Slope (noisy)" in page.text_content("#history thead")
    settle(data_dir, level_id)
    page.reload()
    page.wait_for_selector("#true-slope-head", state="visible")
    rows = history(page)  # now with the true slope after the noisy one
    for row in rows:
        assert float(row[6]) == pytest.approx(2 * (float(row[3]) - 1), abs=1e-4)
    page.screenshot(path=str(ARTIFACTS / "play-noisy-phone.png"), full_page=True)
    assert problems == []
    context.close()


def test_a_team_chooses_a_batch_size_on_noisy_slopes(server: str, browser, data_dir) -> None:
    """A bigger batch: a less noisy slope and a longer wait, stated on the page; the batch
    of each guess is in the record."""
    level_id = open_stepping_level(
        data_dir, Mode.LEARNING_RATE, slope_noise=2.0, batch_max=8, cooldown=2
    )
    context, page, problems = new_phone(browser)
    log_in(page, server, 9)
    play(page, server, level_id)
    rule = page.text_content("#batch-rule")
    assert "up to 8" in rule and "±2/√b" in rule and "b × 2 seconds" in rule
    assert page.eval_on_selector_all("#batch option", "os => os.map(o => o.value)") == [
        "1",
        "2",
        "4",
        "8",
    ]
    page.fill("#eta", "0.1")
    page.select_option("#batch", "8")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 1")
    # the next guess waits 8 × 2 seconds
    page.wait_for_function("() => /1[0-6]/.test(document.getElementById('status').textContent)")
    header = page.eval_on_selector_all(
        "#history thead th:not([hidden])", "h => h.map(c => c.textContent)"
    )
    row = history(page)[0]
    assert row[header.index("b")] == "8"
    page.screenshot(path=str(ARTIFACTS / "play-batch-phone.png"), full_page=True)
    assert page.evaluate(TABLES_FIT), "a table runs off a 360-px phone"
    page.screenshot(path=str(ARTIFACTS / "play-batch-phone.png"), full_page=True)
    assert problems == []
    context.close()
