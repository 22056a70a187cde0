"""Debian's Chromium for the browser tests: where it is, how it starts, phone pages."""

from __future__ import annotations

import shutil

from tests.server import INSTRUCTOR_PASSWORD, ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
LAPTOP = {"width": 1280, "height": 900}
# every table of the page fits its box: nothing to scroll sideways to read
TABLES_FIT = (
    "() => [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
)


def watch(page) -> list[str]:
    """Collect the page's uncaught errors and console errors (a test expects none)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    return problems


def new_phone(browser, locale: str = "en-US"):
    """A phone-sized touch browser: its context, a page, and the page's problems."""
    context = browser.new_context(
        viewport=PHONE, locale=locale, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    return context, page, watch(page)


def log_in_instructor(page, server: str) -> None:
    """The instructor's console, logged in with the test server's password."""
    page.goto(f"{server}/instructor")
    page.fill("#password", INSTRUCTOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/instructor")
