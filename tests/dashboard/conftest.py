"""Fixtures of the dashboard tests: a real orchestrator on 127.0.0.1 (``tests.sdk.world``), the
dashboard of OrgAMSP on 127.0.0.1, and headless Chromium (Debian's, driven by Playwright)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podium.dashboard import DashboardServer
from tests.sdk.world import World, node, world

__all__ = ["world"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str | None:
    found = next((path for path in CHROMIUM_CANDIDATES if Path(path).is_file()), None)
    return found or shutil.which("chromium")


@pytest.fixture
def dashboard(world: World) -> Iterator[DashboardServer]:
    """The dashboard of OrgAMSP (world.a), home under the test's directory, on a free loopback port."""
    config = node(world.tmp_path, world.a.organization, world.port)
    with DashboardServer(config, "127.0.0.1:0") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium; the browser tests skip only when there is none and CI is not "true"."""
    executable = chromium_path()
    if executable is None and os.environ.get("CI") != "true":
        pytest.skip("no Chromium (apt-get install -y chromium)")
    if executable is None:
        pytest.fail("CI=true but no Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Any, name: str) -> None:
    """Save the visible part of the page as docs/screenshots/NAME.png (committed: kept small)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
