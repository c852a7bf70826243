"""The pages of a site built from a real local-tracker state: index, mission pages, runs.

Every assertion reads the built HTML, as a reader of the site would see it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

from missionkit.site import PALETTE, external_resources
from missionkit.site.palette import CRITICAL


def test_index_lists_every_mission_with_its_progress(project: Any, read: Any) -> None:
    page = read(project.out / "index.html")
    rows = {row[0]: row for row in page.table("Mission")[1:]}
    assert page.table("Mission")[0] == [
        "Mission",
        "Owner",
        "Status",
        "Progress",
        "Due",
        "Waiting on a person",
        "Waiting on a task",
        "Sign-off",
    ]
    assert rows == {
        "Backfill history": [
            "Backfill history", "@dana-lee", "active", "0/2", "2020-01-01 overdue", "0", "2", "—",
        ],
        "Onboard the CRM | extracts": [
            "Onboard the CRM | extracts", "@dana-lee", "active", "3/6", "2026-12-15", "2", "1", "—",
        ],
        "Weekly report": [
            "Weekly report", "@sam-okafor", "awaiting sign-off", "2/2", "2020-01-01", "0", "0",
            "awaits sign-off by @sam-okafor, @dana-lee",
        ],
    }  # fmt: skip
    assert "Not yet" not in page.text  # a draft is left out
    assert "3 missions: 2 active, 1 awaiting sign-off, 0 closed." in page.text
    missions = [url for tag, _, url in page.links if tag == "a" and url.startswith("missions/")]
    assert missions == [
        "missions/backlog.html",
        "missions/onboarding.html",
        "missions/reporting.html",
    ]
    html = (project.out / "index.html").read_text(encoding="utf-8")
    assert '<progress class="mk-progress" value="3" max="6"' in html


def test_mission_page_shows_charter_tasks_waits_and_history(project: Any, read: Any) -> None:
    page = read(project.out / "missions" / "onboarding.html")
    text = page.text
    assert "Load the *CRM* extracts <raw> into the warehouse." in text  # shown as written
    assert "Mission Owner: @dana-lee" in text
    assert "Stakeholders: @sam-okafor, @lee-park" in text
    assert "Daily customer table with no null keys" in text
    assert "Critical path (the longest chain still to finish): quality → publish" in text
    tasks = page.rows("Task", "State", "Owner or agent")
    assert {k: v[1:4] for k, v in tasks.items()} == {
        "extract": ["done", "agent shell", "#2"],
        "review-mapping": ["done", "@alex-kim", "#3"],
        "load": ["done", "agent shell", "#4"],
        "quality": ["failed", "agent shell", "#5"],
        "publish": ["blocked", "agent shell", "#6"],
        "docs": ["ready", "@lee-park", "#7"],
    }
    assert tasks["quality"][0] == "quality Check the quality critical path"
    assert tasks["extract"][4] == "report · result.json · output.log"
    assert tasks["docs"][4] == "—"
    assert all(row[5].startswith("20") for row in tasks.values())  # last change
    waiting = {row[0]: row[1:] for row in page.table("Task", "State", "Waits on")[1:]}
    assert waiting == {
        "quality": ["failed", "a person: @dana-lee"],
        "publish": ["blocked", "tasks: quality"],
        "docs": ["ready", "a person: @lee-park"],
    }
    tracker = project.tracker()
    try:
        events = tracker.history("onboarding")
    finally:
        tracker.close()
    history = page.table("When (UTC)")[1:]
    assert len(history) == len(events)
    assert ["review-mapping", "ready → done", "alex-kim", "marked done by alex-kim"] in [
        row[1:] for row in history
    ]


def test_cross_mission_wait_links_to_the_other_mission(project: Any, read: Any) -> None:
    page = read(project.out / "missions" / "backlog.html")
    assert ("a", "href", "onboarding.html#task-publish") in page.links
    external = [n for n in page.nodes if n["data-state"] == "external"]
    assert [n["data-task"] for n in external] == ["onboarding/publish"]
    assert "Waiting" in page.text and "tasks: onboarding/publish" in page.text


def test_diagram_nodes_are_coloured_by_state(project: Any, read: Any) -> None:
    page = read(project.out / "missions" / "onboarding.html")
    states = {n["data-task"]: n["data-state"] for n in page.nodes}
    assert states == {
        "extract": "done",
        "review-mapping": "done",
        "load": "done",
        "quality": "failed",
        "publish": "blocked",
        "docs": "ready",
    }
    for node in page.nodes:
        style = PALETTE[node["data-state"]]
        assert (node["rect-fill"], node["rect-stroke"]) == (style.fill, style.stroke)
    assert len({n["rect-fill"] for n in page.nodes}) == 4  # done, failed, blocked, ready
    critical = [(e["data-source"], e["data-target"]) for e in page.edges if e["stroke"] == CRITICAL]
    assert critical == [("quality", "publish")]
    assert {n["data-task"] for n in page.nodes if "mk-critical" in n["class"]} == {
        "quality",
        "publish",
    }


def test_run_reports_results_and_artifacts_are_published(project: Any, read: Any) -> None:
    page = read(project.out / "missions" / "onboarding.html")
    runs = project.root / ".missionkit" / "runs" / "onboarding" / "quality"
    (run,) = runs.iterdir()
    base = f"onboarding/runs/quality.{run.name}"
    hrefs = {url for tag, _, url in page.links if tag == "a"}
    assert {f"{base}/report.html", f"{base}/result.json", f"{base}/output.log"} <= hrefs
    published = project.out / "missions" / base
    assert json.loads((published / "result.json").read_text()) == json.loads(
        (run / "result.json").read_text()
    )
    assert (published / "output.log").read_text() == "null keys found\n"
    report = read(published / "report.html")
    assert "quality: failed" in report.text
    assert "agent shell failed" in report.text


def test_every_local_link_resolves_to_a_built_file(project: Any, read: Any) -> None:
    site = project.out
    links = [
        (html, tag, url)
        for html in site.rglob("*.html")
        if html.name != "404.html"  # served at any path: its links are absolute on purpose
        for tag, _, url in read(html).links
    ]
    assert len(links) > 100
    checked = 0
    for page, _, url in links:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            assert parts.scheme in ("https", "http", "mailto"), url
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), f"{page.relative_to(site)} links to missing {url}"
        if parts.fragment and target.suffix == ".html":
            assert parts.fragment in read(target).ids, f"{page.relative_to(site)}: {url}"
        checked += 1
    assert checked > 100


def test_built_site_loads_nothing_from_the_internet(project: Any) -> None:
    assert external_resources(project.out) == []
    for html in project.out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
        assert "mermaid" not in text


def test_navigation_lists_only_the_index(project: Any) -> None:
    page = (project.out / "missions" / "onboarding.html").read_text(encoding="utf-8")
    nav = page.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "index.html" in nav and "backlog.html" not in nav
    search = json.loads((project.out / "search" / "search_index.json").read_text())
    assert "missions/backlog.html" in {doc["location"] for doc in search["docs"]}
