"""The browser every browser test drives: Debian's Chromium through Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (scripts/system-packages)"
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
