"""The browser every browser test drives: Debian's Chromium through Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS
from tests.server import running_server
from tests.support import SECRET


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """The data directory of the module's server (the instructor's commands work on it)."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[str]:
    """A real uvicorn server with the demo lesson, started as `make run` starts it, one
    per test module."""
    with running_server(data_dir, SECRET) as base:
        yield base


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
