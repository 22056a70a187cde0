"""A team plays Function 1 on a phone: Debian's Chromium, driven by Playwright, against a
real uvicorn server started from the `downhill` steps a newcomer runs."""

from __future__ import annotations

import pytest

from app.services.demo import demo_pin
from tests.browser.chromium import ARTIFACTS, new_phone, watch
from tests.server import INSTRUCTOR_PASSWORD, level_command
from tests.support import SECRET

pytestmark = pytest.mark.browser


def log_in(page, base: str, number: int) -> None:
    page.goto(f"{base}/j/DEMO")
    page.fill("#team_number", str(number))
    page.fill("#pin", demo_pin(SECRET, number))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/team")


def chart_traces(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(
        document.getElementById('chart').data.map(t => [t.name, {x: t.x, y: t.y}]))""")


def test_a_team_plays_function_1_on_a_phone(server: str, browser) -> None:
    context, page, problems = new_phone(browser)
    log_in(page, server, 1)
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    page.wait_for_function("() => document.getElementById('chart').data !== undefined")

    page.fill("#x", "1")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    # the countdown runs on the button and in the status line, and the input stays usable
    page.wait_for_function(
        "() => /Wait \\d+ s/.test(document.getElementById('submit').textContent)"
    )
    assert "Next guess in" in page.text_content("#status")
    assert page.is_disabled("#submit") and page.is_enabled("#x")
    page.fill("#x", "6")
    page.reload()  # a reload never loses a typed value
    assert page.input_value("#x") == "6"
    page.wait_for_function("() => !document.getElementById('submit').disabled", timeout=15_000)
    page.click("#submit")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")

    rows = page.eval_on_selector_all(
        "#history tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [row[:4] for row in rows] == [
        ["2", "6", "2.66125", "0.575"],
        ["1", "1", "2.91125", "-0.675"],
    ]
    traces = chart_traces(page)
    assert traces["Your guesses"]["x"] == [1, 6]
    assert traces["Your guesses"]["y"] == pytest.approx([2.91125, 2.66125])
    tangents = traces["Tangent lines"]
    assert tangents["x"][2] is None and tangents["x"][5] is None
    assert tangents["x"][0] < 1 < tangents["x"][1] and tangents["x"][3] < 6 < tangents["x"][4]
    slope = (tangents["y"][1] - tangents["y"][0]) / (tangents["x"][1] - tangents["x"][0])
    assert slope == pytest.approx(-0.675)
    assert traces["Latest guess"]["x"] == [6]
    assert traces["Best so far"]["x"] == [6]
    assert page.text_content("#left") == "28"

    # tapping the chart fills the box with an x inside the domain
    box = page.locator("#chart .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    tapped = float(page.input_value("#x"))
    assert 3 < tapped < 6.5

    page.screenshot(path=str(ARTIFACTS / "play-phone-en.png"), full_page=True)
    no_overflow = page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert no_overflow, "the play page scrolls sideways on a 360-px phone"
    assert problems == []
    context.close()


def test_the_page_speaks_traditional_chinese(server: str, browser) -> None:
    context, page, problems = new_phone(browser, locale="zh-TW")
    page.goto(f"{server}/")
    assert "找出最低的 f(x)" in page.text_content("h1")
    assert "隊伍編號" in page.text_content("form")
    log_in(page, server, 2)
    page.click("li.level >> text=進入")
    page.wait_for_url("**/levels/*/play")
    assert "以前猜的紀錄" in page.text_content("main")
    page.fill("#x", "-2.5")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    page.wait_for_function("() => /等 \\d+ 秒/.test(document.getElementById('submit').textContent)")
    page.screenshot(path=str(ARTIFACTS / "play-phone-zh_TW.png"), full_page=True)
    # the switcher changes the language and remembers it
    page.click("a[lang=en]")
    assert "Record of earlier guesses" in page.text_content("main")
    page.goto(f"{server}/standings")
    assert "Leaderboard" in page.text_content("h1")
    assert problems == []
    context.close()


def test_the_play_page_on_a_laptop(server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, server, 3)
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    page.fill("#x", "8")
    page.press("#x", "Enter")  # the keyboard's Enter submits
    page.wait_for_selector("#history tbody tr")
    width = page.evaluate("() => document.getElementById('chart').getBoundingClientRect().width")
    assert width > 700
    page.screenshot(path=str(ARTIFACTS / "play-laptop.png"), full_page=True)
    context.close()


BOXES = """() => Object.fromEntries(['answer', 'x', 'chart'].map(id => {
    const box = document.getElementById(id).getBoundingClientRect();
    return [id, [box.top, box.bottom]];
}))"""


@pytest.mark.parametrize(("screen", "number"), [((360, 740), 7), ((740, 360), 8)])
def test_after_a_guess_the_answer_the_box_and_the_chart_are_on_the_first_screen(
    server: str, browser, screen, number
) -> None:
    """Upright, the answer, the box and the whole chart; sideways, the box and the chart."""
    width, height = screen
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, server, number)
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    page.fill("#x", "2")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    page.wait_for_function("() => !document.getElementById('answer').hidden")
    boxes = page.evaluate(BOXES)
    assert page.evaluate("() => scrollY") == 0
    assert boxes["x"][1] <= height and boxes["chart"][0] < height - 200, boxes
    if width < height:
        assert boxes["answer"][1] <= height and boxes["chart"][1] <= height, boxes
    else:
        assert boxes["chart"][1] <= height, boxes
    page.screenshot(path=str(ARTIFACTS / f"play-first-screen-{width}x{height}.png"))
    context.close()


def test_a_dropped_answer_is_retried_with_the_same_key_and_spends_one_guess(
    server, browser
) -> None:
    context, page, problems = new_phone(browser)
    log_in(page, server, 5)
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    dropped = []

    def drop_the_first_answer(route) -> None:
        if not dropped:  # the server stores the guess, but its answer never reaches the phone
            dropped.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/levels/*/guesses", drop_the_first_answer)
    page.fill("#x", "2")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    assert dropped == [200]
    assert "already been counted" in page.text_content("#answer")
    assert page.text_content("#left") == "29"
    assert page.eval_on_selector_all("#history tbody tr", "rows => rows.length") == 1
    assert all("ERR_CONNECTION_RESET" in problem for problem in problems)
    context.close()


def test_every_team_sees_the_reveal_and_open_pages_follow_it(server, browser, data_dir) -> None:
    context, page, problems = new_phone(browser)
    log_in(page, server, 1)  # team 1 played Function 1 above
    page.click("li.level >> text=Continue")
    page.wait_for_url("**/levels/*/play")
    level_command(data_dir, SECRET, "close", "1")
    level_command(data_dir, SECRET, "reveal", "1")
    # the open page notices by itself: badge, form and chart follow
    page.wait_for_function(
        "() => document.getElementById('state-pill').textContent.trim() === 'revealed'",
        timeout=40_000,
    )
    assert page.is_hidden("#guess-form")
    traces = chart_traces(page)
    assert traces["True minimum"]["x"] == [pytest.approx(3.7, abs=1e-3)]
    assert len(traces["The hidden function"]["x"]) > 100

    # a team that never entered the level still gets to see the reveal
    context2, other, other_problems = new_phone(browser, locale="zh-TW")
    log_in(other, server, 9)
    other.click("li.level >> text=看看隱藏的函數")
    other.wait_for_url("**/levels/*/play")
    other.wait_for_function("() => document.getElementById('chart').data !== undefined")
    assert "已揭曉" in other.text_content("#state-pill")
    assert chart_traces(other)["真正的最小值"]["x"] == [pytest.approx(3.7, abs=1e-3)]
    other.screenshot(path=str(ARTIFACTS / "reveal-phone-zh_TW.png"), full_page=True)
    assert problems == [] and other_problems == []
    context.close()
    context2.close()


def test_the_instructor_opens_a_level_from_the_console_and_a_team_enters_it(
    server, browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    desk.goto(f"{server}/instructor")
    desk.wait_for_url("**/instructor/login")
    desk.fill("#password", INSTRUCTOR_PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(f"{server}/instructor")
    desk.click("a.lesson-link >> text=Downhill demo")
    desk.wait_for_url("**/instructor/lessons/*")
    function_2 = desk.locator("li.level", has_text="Function 2")
    function_2.locator("button[value=open]").click()
    desk.wait_for_url("**/instructor/lessons/*#level-*")
    assert "open" in desk.locator("li.level", has_text="Function 2").locator(".pill").text_content()
    desk.screenshot(path=str(ARTIFACTS / "instructor-console.png"), full_page=True)

    phone, page, problems = new_phone(browser)
    log_in(page, server, 6)
    level = page.locator("li.level", has_text="Function 2")
    level.locator("input[name=password]").fill("Valley")
    level.locator("button[type=submit]").click()
    page.wait_for_url("**/levels/*/play")
    assert "Function 2" in page.text_content("h1")
    page.go_back()  # the list of levels as it is now, not as it was before entering
    page.wait_for_url("**/team")
    level = page.locator("li.level", has_text="Function 2")
    level.locator("a.button", has_text="Continue").wait_for()
    assert level.locator("button[type=submit]").count() == 0  # no stale "Enter"
    assert problems == []
    phone.close()
    context.close()


def test_the_api_docs_open_offline_under_the_apps_own_policy(server, browser) -> None:
    """Swagger UI comes from the project, started by a module (no inline script), with no
    request leaving the server: a classroom may have no internet."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch(page)
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else elsewhere.append(r.url))
    page.goto(f"{server}/api/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/levels/{level_id}/guesses']")
    assert "POST" in page.text_content(
        ".opblock-post:has(.opblock-summary-path[data-path='/api/levels/{level_id}/guesses'])"
    )
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    assert elsewhere == [] and problems == []
    context.close()
