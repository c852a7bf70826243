"""A realistic project on the local tracker, built once per module, and an HTML reader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from missionkit.cli import site
from missionkit.cli.main import cli, main
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

ONBOARDING = """---
title: "Onboard the CRM | extracts"
owner: dana-lee
stakeholders: [sam-okafor, lee-park]
due: 2026-12-15
scope: Load the *CRM* extracts <raw> into the warehouse.
success_criteria:
  - Daily customer table with no null keys
  - Row counts match the extracts
tasks:
  - id: extract
    title: Extract the CRM files
    agent: shell
    with: {command: "echo 3 > extract.txt"}
    checks: [{file: extract.txt}]
  - id: review-mapping
    title: Review the field mapping
    owner: alex-kim
    depends_on: [extract]
  - id: load
    title: Load into the warehouse
    agent: shell
    with: {command: "cat extract.txt > loaded.txt"}
    depends_on: [review-mapping]
  - id: quality
    title: Check the quality
    agent: shell
    with: {command: "echo 'null keys found'; exit 3"}
    depends_on: [extract]
  - id: publish
    title: Publish the tables
    agent: shell
    with: {command: "true"}
    depends_on: [load, quality]
  - id: docs
    title: Write the data dictionary
    owner: lee-park
    depends_on: [extract]
---
Context for the team.
"""

REPORTING = """---
title: Weekly report
owner: sam-okafor
approvers: [sam-okafor, dana-lee]
due: 2020-01-01
success_criteria: [The report is out]
tasks:
  - id: build-report
    title: Build the report
    agent: shell
    with: {command: "echo report > report.txt"}
  - id: sign-report
    title: Read the report
    owner: sam-okafor
    depends_on: [build-report]
---
"""

BACKLOG = """---
title: Backfill history
owner: dana-lee
due: 2020-01-01
success_criteria: [Five years of history]
tasks:
  - id: backfill
    title: Backfill five years
    agent: shell
    with: {command: "true"}
    depends_on: [onboarding/publish]
  - id: verify
    title: Verify the backfill
    owner: alex-kim
    depends_on: [backfill]
---
"""

DRAFT = """---
title: Not yet
owner: dana-lee
status: draft
success_criteria: [Later]
---
"""

MISSIONS = {
    "onboarding": ONBOARDING,
    "reporting": REPORTING,
    "backlog": BACKLOG,
    "draft": DRAFT,
}


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def out(self) -> Path:
        return self.root / "site" / "build"

    @property
    def docs(self) -> Path:
        return self.root / "site" / "docs"

    def tracker(self) -> LocalTracker:
        return LocalTracker(self.root / ".missionkit" / "tracker.db")


def make_project(root: Path) -> Project:
    """Write the missions, sync them, run them and act as people, in ``root`` (the cwd)."""
    (root / "missions").mkdir()
    for name, text in MISSIONS.items():
        (root / "missions" / f"{name}.md").write_text(text, encoding="utf-8")
    tracker = LocalTracker(root / ".missionkit" / "tracker.db")
    try:
        missions = load_missions([root / "missions"])
        apply_plan(make_plan(missions, tracker), tracker)
    finally:
        tracker.close()
    assert main(["run", "-q"]) == 0
    assert main(["done", "onboarding/review-mapping", "--as", "alex-kim"]) == 0
    assert main(["done", "reporting/sign-report", "--as", "sam-okafor"]) == 0
    assert main(["run", "-q"]) == 0
    return Project(root)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The project, built once with the CLI's defaults (site/mkdocs.yml → site/build)."""
    root = tmp_path_factory.mktemp("project")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("MISSIONKIT_USER", "tester")
        for name in ("MISSIONKIT_TRACKER", "MISSIONKIT_DB", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
            mp.delenv(name, raising=False)
        mp.setitem(cli.commands, "site", site.command)
        made = make_project(root)
        assert main(["site", "build"]) == 0
        yield made


@pytest.fixture
def in_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The project as the working directory, with ``mission site`` available."""
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("MISSIONKIT_USER", "tester")
    monkeypatch.setitem(cli.commands, "site", site.command)
    return project


@dataclass
class Page:
    """What a test reads from a built HTML page."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, url)
    tables: list[list[list[str]]] = field(default_factory=list)
    nodes: list[dict[str, str]] = field(default_factory=list)  # <g class="mk-node"> + rect
    edges: list[dict[str, str]] = field(default_factory=list)
    text: str = ""

    def table(self, *headers: str) -> list[list[str]]:
        """The rows (header first) of the table whose header starts with ``headers``."""
        for table in self.tables:
            if table and table[0][: len(headers)] == list(headers):
                return table
        raise AssertionError(f"no table headed {headers!r}")

    def rows(self, *headers: str) -> dict[str, list[str]]:
        """Body rows of a table, by their first cell's first word."""
        return {row[0].split()[0]: row for row in self.table(*headers)[1:]}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._node: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        for attr in ("href", "src"):
            if attr in a:
                self.page.links.append((tag, attr, a[attr]))
        if tag == "table":
            self.page.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "g" and "mk-node" in a.get("class", "").split():
            self._node = dict(a)
        elif tag == "rect" and self._node is not None:
            self._node.update({f"rect-{k}": v for k, v in a.items()})
        elif tag == "path" and "mk-edge" in a.get("class", "").split():
            self.page.edges.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.page.tables:
            self.page.tables[-1].append(self._row)
            self._row = None
        elif tag == "g" and self._node is not None:
            self.page.nodes.append(self._node)
            self._node = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join("".join(self._text).split())


def read_html(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


@pytest.fixture
def read() -> Callable[[Path], Page]:
    return read_html
