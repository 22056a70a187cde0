"""A lesson from nothing, in the browser, as an instructor who has never seen Downhill runs
it: log in, build three levels with custom functions (watching the preview), create twelve
teams and print their slips, open the first level and put it on the projector; a team logs
in from a phone with a printed PIN and guesses; a team without a slip registers itself; the
monitor follows; the level is revealed and the lesson report opens offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.chromium import ARTIFACTS, LAPTOP, log_in_instructor, new_phone, watch

pytestmark = pytest.mark.browser

LEVELS = [
    # title, expression, x_min, x_max, password
    ("Warm-up bowl", "(x - 1.5)^2 / 4 + 3", "-6", "6", "Maple"),
    ("Two valleys", "0.1*x^4 - x^2 + 0.5*x + 4", "-4", "4", "Cedar"),
    ("Ripples", "(x - 2)^2 / 10 + sin(3*x)", "-5", "8", ""),
]


def add_level(desk, title: str, expression: str, x_min: str, x_max: str, password: str):
    desk.click("text=Add a level")
    desk.wait_for_url("**/levels/new")
    desk.fill("#title", title)
    desk.fill("#x_min", x_min)
    desk.fill("#x_max", x_max)
    # a mistake first: the preview names it at its place in the text
    desk.fill("#expression", "(x - 1.5)^2 / 4 + y")
    desk.wait_for_selector("#expression-caret:not([hidden]) mark")
    assert desk.text_content("#expression-caret mark") == "y"
    assert "Unknown name y" in desk.text_content("#expression-error")
    desk.fill("#expression", expression)
    desk.wait_for_selector("#expression-error", state="hidden")
    desk.wait_for_function(
        "() => document.getElementById('preview').data?.length === 3"
        " && document.getElementById('preview-facts').textContent.includes('True minimum')"
        f" && document.getElementById('expression').value === {expression!r}"
    )
    desk.fill("#cooldown_seconds", "3")
    desk.fill("#password", password)
    desk.click("#level-form button[type=submit]")
    desk.wait_for_url("**/instructor/lessons/*")


def test_an_instructor_builds_and_runs_a_lesson_and_a_team_plays_it(server, browser) -> None:
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    desk = context.new_page()
    desk_problems = watch(desk)

    # getting in, and a new lesson
    log_in_instructor(desk, server)
    desk.fill("#name", "Gradient descent, week 3")
    desk.click("form[action='/instructor/lessons'] button[type=submit]")
    desk.wait_for_url("**/instructor/lessons/*")
    lesson_url = desk.url
    join_address = desk.text_content(".join-address a").strip()
    assert join_address.startswith(f"{server}/j/")

    # three levels with custom functions
    for level in LEVELS:
        add_level(desk, *level)
    titles = desk.eval_on_selector_all(".level-title", "els => els.map(e => e.textContent)")
    assert titles == [f"{i}. {level[0]}" for i, level in enumerate(LEVELS, start=1)]

    # twelve teams and their slips, printed to PDF
    desk.fill("#count", "12")
    desk.click("text=Add and print their slips")
    desk.wait_for_selector(".slip")
    slips = desk.eval_on_selector_all(
        ".slip",
        "els => els.map(e => [e.querySelector('.slip-number').textContent,"
        " e.querySelector('.slip-pin').textContent])",
    )
    assert [number for number, _ in slips] == [str(n) for n in range(1, 13)]
    assert desk.url.endswith("/slips")  # the sheet has an address of its own: a reload
    desk.reload()  # shows the same slips and makes no team
    again = desk.eval_on_selector_all(
        ".slip",
        "els => els.map(e => [e.querySelector('.slip-number').textContent,"
        " e.querySelector('.slip-pin').textContent])",
    )
    assert again == slips
    for paper in ("A4", "Letter"):
        pdf = desk.pdf(path=str(ARTIFACTS / f"slips-{paper.lower()}.pdf"), format=paper)
        assert pdf.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2, paper  # 12 slips, 2 pages
    desk.emulate_media(media="print")
    desk.screenshot(path=str(ARTIFACTS / "slips-print.png"), full_page=True)
    desk.emulate_media(media="screen")
    pins = dict(slips)

    # teams without a slip may register themselves, up to 14 teams in all
    desk.goto(lesson_url)
    desk.check("#registration input[name=enabled]")
    desk.fill("#cap", "14")
    desk.click("#registration button[type=submit]")
    desk.wait_for_url("**#teams")

    # open level 1: it goes on the projector
    first = desk.locator("li.level", has_text=LEVELS[0][0])
    first.locator("button[value=open]").click()
    desk.wait_for_url("**#level-*")
    assert "open" in desk.locator("li.level", has_text=LEVELS[0][0]).locator(".pill").text_content()
    assert f"Announced for the projector: level 1, “{LEVELS[0][0]}”." in desk.text_content(
        ".announced"
    )
    desk.screenshot(path=str(ARTIFACTS / "lesson-day-console.png"), full_page=True)
    desk.locator("li.level", has_text=LEVELS[0][0]).locator("text=Monitor").click()
    desk.wait_for_url("**/monitor")

    # team 7 joins from the printed slip's address and PIN, and guesses
    phone, page, problems = new_phone(browser)
    page.goto(join_address)
    page.fill("#team_number", "7")
    page.fill("#pin", pins["7"].lower())
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/team")
    level = page.locator("li.level", has_text=LEVELS[0][0])
    level.locator("input[name=password]").fill("maple")
    level.locator("button[type=submit]").click()
    page.wait_for_url("**/levels/*/play")
    page.fill("#x", "0")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    row = page.eval_on_selector("#history tbody tr", "r => [...r.cells].map(c => c.textContent)")
    assert row[:4] == ["1", "0", "3.5625", "-0.75"]  # f(0) = 2.25/4 + 3, f'(0) = -1.5/2
    page.screenshot(path=str(ARTIFACTS / "lesson-day-phone.png"), full_page=True)

    # the monitor hears of it by itself
    desk.wait_for_function(
        "() => [...document.querySelectorAll('#monitor-table tbody tr')].some("
        "r => r.cells[0].textContent.trim() === 'Team 7' && r.cells[1].textContent.trim() === '1')",
        timeout=10_000,
    )

    # a team without a slip registers and gets number 13
    newcomer, new_page, new_problems = new_phone(browser)
    new_page.goto(join_address)
    new_page.click("text=No slip? Register a new team")
    new_page.fill("#team_name", "Late owls")
    new_page.click("button[type=submit]")
    new_page.wait_for_selector("[data-pin]")
    assert new_page.text_content("[data-team-number]") == "13"
    new_page.screenshot(path=str(ARTIFACTS / "lesson-day-registered.png"), full_page=True)
    new_pin = new_page.text_content("[data-pin]")
    new_page.click("text=I wrote them down")
    new_page.wait_for_url(f"{server}/team")
    # the number and PIN on the screen log the team in again from another phone
    other, other_page, other_problems = new_phone(browser)
    other_page.goto(join_address)
    other_page.fill("#team_number", "13")
    other_page.fill("#pin", new_pin)
    other_page.click("button[type=submit]")
    other_page.wait_for_url(f"{server}/team")
    assert "13 · Late owls" in other_page.text_content("header")

    # close on the monitor (it asks first: a click by mistake changes nothing), reveal from
    # the lesson page in another tab: the monitor follows by itself, and the team's page
    # shows the curve
    moves = desk.locator(".level-moves")
    asked: list[str] = []
    desk.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    moves.locator("button[value=close]").click()
    desk.wait_for_timeout(300)
    assert asked and LEVELS[0][0] in asked[0] and desk.url.endswith("/monitor")
    assert desk.text_content("#state-pill") == "open"
    desk.once("dialog", lambda dialog: dialog.accept())
    moves.locator("button[value=close]").click()
    desk.wait_for_selector(".level-moves button[value=reveal]")
    assert desk.url.endswith("/monitor") and desk.text_content("#state-pill") == "closed"
    console = context.new_page()
    console.goto(lesson_url)
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("li.level", has_text=LEVELS[0][0]).locator("button[value=reveal]").click()
    console.wait_for_url("**#level-*")
    console.close()
    desk.wait_for_selector("#reveal", timeout=15_000)  # the monitor switched by itself
    assert desk.text_content("#state-pill") == "revealed"
    desk.screenshot(path=str(ARTIFACTS / "lesson-day-monitor-revealed.png"), full_page=True)
    desk.goto(lesson_url)
    page.wait_for_function(
        "() => document.getElementById('chart').data.some(t => t.x && t.x.length > 100)",
        timeout=15_000,
    )

    # the report downloads and opens with no network at all
    with desk.expect_download() as download:
        desk.click("text=Report (one HTML file, opens offline)")
    report = Path(ARTIFACTS / "lesson-day-report.html")
    download.value.save_as(report)
    offline = browser.new_context(viewport=LAPTOP, offline=True)
    reader = offline.new_page()
    reader_problems = watch(reader)
    reader.goto(report.as_uri())
    reader.wait_for_function(
        "() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= 3"
    )
    first_chart = reader.locator(".plotly-graph-div").first
    legend = first_chart.locator(".legend").text_content()
    assert "Team 7" in legend and "the true minimum" in legend
    standings = (
        reader.locator("section.level")
        .first.locator("tbody tr")
        .evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    )
    assert standings[0][:3] == ["1", "Team 7", "3.5625"]
    assert any(row[1] == "13 · Late owls" for row in standings)
    reader.screenshot(path=str(ARTIFACTS / "lesson-day-report.png"), full_page=True)

    assert desk_problems == [] and problems == [] and new_problems == [] and other_problems == []
    assert reader_problems == []
    for each in (offline, other, newcomer, phone, context):
        each.close()


def test_the_editor_starts_clean_and_warns_of_a_domain_too_wide(server, browser) -> None:
    context = browser.new_context(viewport=LAPTOP)
    desk = context.new_page()
    problems = watch(desk)
    log_in_instructor(desk, server)
    desk.goto(f"{server}/instructor/lessons/1/levels/new")
    desk.wait_for_load_state("load")
    desk.wait_for_timeout(500)  # the preview would have asked by now
    # nothing typed: no mistake pointed at, no empty box where the preview goes
    assert desk.is_hidden("#expression-error") and desk.is_hidden("#preview")
    desk.fill("#expression", "0.1*x^4 - x^2 + 0.5*x + 4")
    desk.wait_for_selector("#preview-warning:not([hidden])")
    warning = desk.text_content("#preview-warning")
    found = re.search(r"x from (-?[\d.]+) to (-?[\d.]+)", warning)
    assert found, warning
    low, high = float(found[1]), float(found[2])
    assert -6 <= low <= -3 and 3 <= high <= 6, warning
    desk.fill("#x_min", found[1])
    desk.fill("#x_max", found[2])
    desk.wait_for_selector("#preview-warning", state="hidden")
    assert desk.is_visible("#preview") and desk.is_hidden("#expression-error")
    desk.screenshot(path=str(ARTIFACTS / "editor-narrowed.png"), full_page=True)
    assert problems == []
    context.close()
