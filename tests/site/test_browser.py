"""The built site in headless Chromium, served on loopback: pages, the diagram, no internet.

Uses Debian's ``chromium`` (``apt-get install -y chromium``) driven by Playwright's Python
package; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from missionkit.site import PALETTE

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; on CI (which installs chromium) it is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: apt-get install -y chromium)")
    pytest.skip(reason)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(project: Any) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a thread of this process)."""
    handler = functools.partial(_Quiet, directory=str(project.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page and the list of every URL it requested."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            yield page, requested
        finally:
            browser.close()


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_site_in_a_browser(
    served: str, browser_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    page, requested = browser_page
    shots = tmp_path / "screenshots"
    shots.mkdir()

    page.goto(served + "index.html", wait_until="networkidle")
    assert page.title().startswith("Missions")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    onboarding = page.locator("tr", has_text="Onboard the CRM | extracts")
    assert onboarding.locator("progress").get_attribute("value") == "3"
    assert onboarding.locator("td").nth(2).inner_text() == "active"
    page.screenshot(path=str(shots / "index.png"), full_page=True)

    page.get_by_role("link", name="Onboard the CRM | extracts").click()
    page.wait_for_load_state("networkidle")
    assert page.url == served + "missions/onboarding.html"
    assert page.locator("h1").inner_text() == "Onboard the CRM | extracts"
    nodes = page.locator("svg.mk-dag-svg g.mk-node")
    assert nodes.count() == 6
    assert page.locator("svg.mk-dag-svg").is_visible()
    seen = {}
    for i in range(nodes.count()):
        node = nodes.nth(i)
        state = node.get_attribute("data-state")
        fill = node.locator("rect").evaluate("r => getComputedStyle(r).fill")
        seen[node.get_attribute("data-task")] = state
        assert fill == _rgb(PALETTE[state].fill), state
    assert seen["quality"] == "failed" and seen["docs"] == "ready"
    critical = page.locator("svg.mk-dag-svg path.mk-critical")
    assert critical.count() == 1 and critical.get_attribute("data-source") == "quality"
    badge = page.locator('span.mk-state[data-state="failed"]').first
    expected = _rgb(PALETTE["failed"].fill)
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == expected
    page.screenshot(path=str(shots / "mission.png"), full_page=True)

    page.locator('g.mk-node[data-task="publish"] a').click()
    assert page.url.endswith("#task-publish")
    report = page.locator('a[href$="/report.html"]').first
    report.click()
    page.wait_for_load_state("networkidle")
    assert "/runs/" in page.url and page.locator("h3").first.inner_text().endswith("done")
    page.screenshot(path=str(shots / "report.png"), full_page=True)

    assert requested, "the browser made no request"
    outside = [u for u in requested if urlsplit(u).hostname != "127.0.0.1"]
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert sorted(p.name for p in shots.iterdir()) == ["index.png", "mission.png", "report.png"]
