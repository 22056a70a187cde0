"""Two-parameter levels on a phone: a team types (or taps) a point, reads f and the
gradient, sees an arrow downhill at each guess; steps by learning rate move both
coordinates; after the reveal the plane carries the contour map, and the projector and the
reveal page draw every path over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database
from app.game.moves import Mode
from app.game.settings import LevelSpec
from app.models import Lesson
from app.services.demo import DEMO_JOIN_CODE
from tests.browser.chromium import (
    ARTIFACTS,
    LAPTOP,
    TABLES_FIT,
    log_in_instructor,
    new_phone,
    watch,
)
from tests.browser.test_moves import history, play, settle
from tests.browser.test_play import chart_traces, log_in
from tests.databases import server_database_url
from tests.support import PLANE, open_level

pytestmark = pytest.mark.browser


def open_plane_level(data_dir: Path, mode: Mode) -> int:
    """f(x, y) = (x - 1)^2 + 3(y + 2)^2 on [-5, 5] × [-4, 4] in the demo lesson, open now
    (stepping levels start at (4, 1), where ∇f = (6, 18))."""
    database = Database(server_database_url(data_dir, fresh=False))
    with database.sessions() as session:
        lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
        spec = LevelSpec(
            title=f"Plane: {mode.value}",
            **PLANE,
            cooldown_seconds=0,
            mode=mode,
            start_x=4 if mode.steps else None,
            start_y=1 if mode.steps else None,
            eta_max=1 if mode.steps else None,
        )
        level_id = open_level(session, lesson.id, spec).id
    database.engine.dispose()
    return level_id


def arrows(page) -> list[dict]:
    return page.evaluate(
        "() => document.getElementById('chart').layout.annotations.filter(a => a.showarrow)"
    )


def test_a_team_guesses_points_on_a_phone_and_sees_the_contours_after_the_reveal(
    server: str, browser, data_dir
) -> None:
    level_id = open_plane_level(data_dir, Mode.FREE)
    context, page, problems = new_phone(browser)
    log_in(page, server, 5)
    play(page, server, level_id)
    assert "y from -4 to 4" in page.text_content(".rules")
    page.fill("#x", "3")
    page.fill("#y", "1")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 1")
    assert page.text_content("#answer") == "f(3, 1) = 31, gradient (4, 18)."
    # a tap on the plane fills both boxes
    page.locator("#chart").scroll_into_view_if_needed()
    box = page.locator("#chart .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    tapped_x, tapped_y = float(page.input_value("#x")), float(page.input_value("#y"))
    assert -3 < tapped_x < -2 and -3 < tapped_y < -1
    page.fill("#x", "1.5")
    page.fill("#y", "-2")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    # columns: #, x, y, f(x, y), ∂f/∂x, ∂f/∂y, time
    assert [row[:6] for row in history(page)] == [
        ["2", "1.5", "-2", "0.25", "1", "0"],
        ["1", "3", "1", "31", "4", "18"],
    ]
    assert page.text_content("#best-x") == "(1.5, -2)"
    # one arrow per guess, along −∇f: from (3, 1) down and to the left
    first, second = arrows(page)
    assert (first["ax"], first["ay"]) == (3, 1) and first["x"] < 3 and first["y"] < 1
    assert (second["ax"], second["ay"]) == (1.5, -2) and second["x"] < 1.5
    traces = chart_traces(page)
    assert traces["Your guesses"]["y"] == [1, -2]
    kinds = page.evaluate("() => document.getElementById('chart').data.map(t => t.type)")
    assert "contour" not in kinds and len(kinds) >= 4  # f stays hidden
    page.screenshot(path=str(ARTIFACTS / "play-plane-phone.png"), full_page=True)

    settle(data_dir, level_id)
    page.reload()
    page.wait_for_function(
        "() => (document.getElementById('chart').data || []).some(t => t.type === 'contour')"
    )
    assert chart_traces(page)["True minimum"]["x"] == [pytest.approx(1, abs=1e-6)]
    page.screenshot(path=str(ARTIFACTS / "play-plane-revealed-phone.png"), full_page=True)
    page.goto(f"{server}/levels/{level_id}/reveal")
    page.wait_for_function(
        "() => (document.querySelector('[data-reveal-chart]').data || [])"
        ".some(t => t.type === 'contour')"
    )
    names = page.evaluate(
        "() => document.querySelector('[data-reveal-chart]').data.map(t => t.name)"
    )
    assert "Gradient descent" in " ".join(n or "" for n in names)
    assert "f(x, y) =" in page.text_content(".reveal")
    page.screenshot(path=str(ARTIFACTS / "reveal-plane-phone.png"), full_page=True)
    assert problems == []
    context.close()


def test_a_team_steps_in_two_parameters_on_a_phone(server: str, browser, data_dir) -> None:
    level_id = open_plane_level(data_dir, Mode.LEARNING_RATE)
    context, page, problems = new_phone(browser)
    log_in(page, server, 6)
    play(page, server, level_id)
    assert page.text_content("#position") == "You stand at (4, 1): f = 36, gradient (6, 18)."
    page.fill("#eta", "0.1")
    assert page.text_content("#step-preview") == (
        "This step: (x, y) ← (4, 1) − 0.1·(6, 18) = (3.4, -0.8)"
    )
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 1")
    page.fill("#eta", "0.5")  # along y: -0.8 - 0.5 * 7.2 = -4.4 leaves the rectangle
    assert page.text_content("#step-preview").endswith("— stopped at the edge")
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    # columns: #, η, (Δx, Δy), x, y, f, ∂f/∂x, ∂f/∂y, time
    rows = history(page)
    assert rows[1][:5] == ["1", "0.1", "(-0.6, -1.8)", "3.4", "-0.8"]
    assert rows[0][:5] == ["2", "0.5", "(-2.4, -3.2) ⇥", "1", "-4"]
    traces = chart_traces(page)
    assert traces["Your path"]["x"] == [4, 3.4, 1]
    assert traces["Your path"]["y"] == [1, -0.8, -4]
    assert page.evaluate(TABLES_FIT), "a table runs off a 360-px phone"
    page.screenshot(path=str(ARTIFACTS / "play-plane-steps-phone.png"), full_page=True)
    assert problems == []
    context.close()


def test_the_editor_makes_a_neuron_level_from_pasted_data(server: str, browser) -> None:
    """The instructor chooses a model instead of typing f, pastes data (a mistake named at
    the data first), and sees the loss's contour map and the best model over the data."""
    context = browser.new_context(viewport=LAPTOP)
    desk = context.new_page()
    problems = watch(desk)
    log_in_instructor(desk, server)
    desk.goto(f"{server}/instructor/lessons/1/levels/new")
    assert desk.is_hidden("#fit-fields") and desk.is_visible("#expression")
    desk.fill("#title", "A neuron of my own")
    desk.select_option("#fit", "neuron")
    assert desk.is_hidden("#expression") and desk.is_hidden("#fit_c")  # a sigmoid fixes nothing
    desk.fill("#x_min", "-6")
    desk.fill("#x_max", "6")
    desk.fill("#y_min", "-6")
    desk.fill("#y_max", "6")
    desk.fill("#fit_data", "ears,is a cat\n0.2,0\n0.9,1\n0.4,2")
    desk.wait_for_selector("#fit_data ~ .field-error:not([hidden])")
    assert "Point 3" in desk.text_content("#fit_data ~ .field-error:not([hidden])")
    desk.fill("#fit_data", "ears,is a cat\n0.2,0\n0.35,0\n0.5,1\n0.45,0\n0.9,1\n0.7,1")
    desk.wait_for_function(
        "() => (document.getElementById('preview-fits').data || []).length === 2"
        " && document.getElementById('preview').data?.some(t => t.type === 'contour')"
    )
    assert desk.is_hidden("#fit_data ~ .field-error:not([hidden])")
    desk.screenshot(path=str(ARTIFACTS / "editor-neuron.png"), full_page=True)
    desk.fill("#cooldown_seconds", "5")
    desk.click("#level-form button[type=submit]")
    desk.wait_for_url("**/instructor/lessons/1#level-*")
    assert desk.locator("li.level", has_text="A neuron of my own").count() == 1
    assert problems == []
    context.close()
