"""Every face of Downhill under axe-core (the accessibility engine, WCAG 2 A and AA rules)
in Chromium: the join page, a team's levels, the play page after a guess, the reveal, the
projector in each state and the instructor's console. No violation is accepted."""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.browser.chromium import ARTIFACTS, LAPTOP, PHONE, TABLES_FIT, log_in_instructor
from tests.browser.test_play import log_in
from tests.server import level_command
from tests.support import SECRET

pytestmark = pytest.mark.browser

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    """axe-core's violations on the page as it is now: rule, impact and where."""
    page.evaluate(AXE_SCRIPT)  # evaluated by the driver: the page's own policy does not apply
    found = page.evaluate("(rules) => axe.run(document, rules)", RULES)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]


def projector_violations(browser, server: str, shown: str) -> dict[str, list[str]]:
    """The projector's violations in both themes at 1920×1080, once ``shown`` is there."""
    found = {}
    for theme in ("dark", "light"):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(f"{server}/projector/DEMO?theme={theme}")
        page.wait_for_selector(shown)
        found[f"projector {theme} {shown}"] = violations(page)
        context.close()
    return found


def test_the_team_pages_pass_axe(server: str, browser) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    found = {}
    page.goto(f"{server}/j/DEMO")
    found["join"] = violations(page)
    log_in(page, server, 2)
    found["levels"] = violations(page)
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    page.fill("#x", "3")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    page.wait_for_selector("#level-standings table")
    found["play"] = violations(page)
    # the answer is said to a screen reader; the countdown is said once, not every second
    assert page.text_content("#announce") == page.text_content("#answer")
    assert page.get_attribute("#status", "aria-live") == "off"
    page.goto(f"{server}/standings")
    found["standings"] = violations(page)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_the_projector_and_the_console_pass_axe(server: str, browser) -> None:
    found = projector_violations(browser, server, "#live-view:not([hidden])")
    # a screen that asks for less motion: the standings' rows do not slide
    calm = browser.new_context(viewport={"width": 1920, "height": 1080}, reduced_motion="reduce")
    page = calm.new_page()
    page.goto(f"{server}/projector/DEMO")
    page.wait_for_selector("#board li")
    moving = "() => getComputedStyle(document.querySelector('#board li')).transitionDuration"
    assert page.evaluate(moving) == "0s"
    calm.close()
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    log_in_instructor(page, server)
    found["console"] = violations(page)
    page.click("a.lesson-link >> text=Downhill demo")
    page.wait_for_url("**/instructor/lessons/*")
    found["lesson"] = violations(page)
    page.goto(f"{server}/instructor/lessons/1/levels/new")
    found["editor"] = violations(page)
    page.goto(f"{server}/instructor/levels/1/monitor")
    found["monitor"] = violations(page)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_the_team_pages_survive_200_percent_zoom(server: str, browser) -> None:
    """A phone at 200% zoom lays pages out 180 CSS pixels wide: nothing runs off the side
    (tables scroll inside their own box)."""
    context = browser.new_context(
        viewport={"width": 180, "height": 370}, device_scale_factor=4, is_mobile=True
    )
    page = context.new_page()
    fits = "() => document.documentElement.scrollWidth <= innerWidth"
    page.goto(f"{server}/j/DEMO")
    assert page.evaluate(fits), "join"
    log_in(page, server, 6)
    assert page.evaluate(fits), "levels"
    page.click("li.level >> text=Enter")
    page.wait_for_url("**/levels/*/play")
    page.fill("#x", "4")
    page.click("#submit")
    page.wait_for_selector("#history tbody tr")
    page.wait_for_selector("#level-standings table")
    assert page.evaluate(fits), "play"
    assert page.is_visible("#x") and page.evaluate(
        "() => document.getElementById('x').getBoundingClientRect().width >= 60"
    )
    context.close()


def test_the_reveal_passes_axe_on_the_phone_and_the_projector(server, browser, data_dir) -> None:
    level_command(data_dir, SECRET, "close", "1")
    level_command(data_dir, SECRET, "reveal", "1")
    found = {}
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, server, 2)  # team 2 played level 1 above
    page.goto(f"{server}/levels/1/reveal")
    page.wait_for_selector("[data-reveal-chart] .main-svg")
    found["team reveal"] = violations(page)
    assert page.evaluate(TABLES_FIT), "the reveal's standings run off a 360-px phone"
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(ARTIFACTS / "reveal-page-phone.png"), full_page=True)
    context.close()
    found |= projector_violations(browser, server, "#reveal-view:not([hidden]) .main-svg")
    assert {name: v for name, v in found.items() if v} == {}
