"""The built site in headless Chromium, served on loopback: pages, the diagram, no internet.

Uses Debian's ``chromium`` (``apt-get install -y chromium``) driven by Playwright's Python
package; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def _serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (a thread of this process); yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
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
def served(project: Any) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1."""
    with _serving(project.out) as url:
        yield url


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


LINEAGE_MISSION = """---
title: Load the patients
owner: dana-lee
success_criteria: [The patients are loaded]
warehouse: warehouse/w.duckdb
tasks:
  - id: load
    title: Load the patients
    agent: ingest
    with: {files: [data/patients.csv], schema: raw}
  - id: check
    title: Check the patients
    depends_on: [load]
    agent: quality
    with:
      checks:
        - {table: raw.patients, column: id, unique: true}
---
"""


@pytest.fixture
def lineage_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A project whose mission ran its data agents, its site built and served."""
    from missionkit.cli import site
    from missionkit.cli.main import cli, main

    root = tmp_path / "lineage"
    (root / "missions").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "patients.csv").write_text("id,name\n1,Ada\n2,Bo\n")
    (root / "missions" / "patients.md").write_text(LINEAGE_MISSION, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("MISSIONKIT_USER", "tester")
    for name in ("MISSIONKIT_TRACKER", "MISSIONKIT_DB", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(cli.commands, "site", site.command)
    assert main(["sync"]) == 0
    assert main(["run", "-q"]) == 0
    assert main(["site", "build"]) == 0
    with _serving(root / "site" / "build") as url:
        yield url


def test_a_table_leads_to_the_tasks_that_wrote_and_read_it(
    lineage_site: str, browser_page: tuple[Any, list[str]]
) -> None:
    page, _ = browser_page
    page.goto(lineage_site + "tables.html", wait_until="networkidle")
    row = page.locator("tr", has_text="raw.patients")
    assert "duckdb://warehouse/w.duckdb" in row.inner_text()
    row.get_by_role("link", name="Load the patients").click()
    page.wait_for_load_state("networkidle")
    assert page.url == lineage_site + "missions/patients.html#table-raw-patients"
    lineage = page.locator("tr", has=page.locator("#table-raw-patients"))
    cells = lineage.locator("td")
    assert [cells.nth(i).inner_text() for i in (1, 2)] == ["load", "check"]
    cells.nth(1).get_by_role("link", name="load").click()
    assert page.url.endswith("#task-load")
    task_row = page.locator("tr", has=page.locator("#task-load"))
    assert "Load the patients" in task_row.inner_text() and "done" in task_row.inner_text()


def test_the_lineage_is_drawn_and_its_nodes_lead_to_the_table_and_the_tasks(
    lineage_site: str, browser_page: tuple[Any, list[str]]
) -> None:
    """The mission page's lineage drawing: load → raw.patients → check, each node a link."""
    page, _ = browser_page
    page.goto(lineage_site + "missions/patients.html", wait_until="networkidle")
    drawing = page.locator("svg[aria-label^='Lineage of']")
    edges = drawing.locator("path.mk-edge")
    pairs = {
        (edges.nth(i).get_attribute("data-source"), edges.nth(i).get_attribute("data-target"))
        for i in range(edges.count())
    }
    assert pairs == {("task:load", "table:raw.patients"), ("table:raw.patients", "task:check")}
    table = drawing.locator("g[data-table='table:raw.patients']")
    assert "table" in (table.text_content() or "")
    load, check = (drawing.locator(f"g[data-task='task:{t}']") for t in ("load", "check"))
    assert load.bounding_box()["x"] < table.bounding_box()["x"] < check.bounding_box()["x"]
    table.locator("a").click()
    assert page.url.endswith("#table-raw-patients")
    check.locator("a").click()
    assert page.url.endswith("#task-check")
