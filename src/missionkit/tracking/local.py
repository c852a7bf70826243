"""The local tracker: an embedded SQLite file under ``.missionkit/``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from missionkit import clock
from missionkit.lifecycle import LifecycleEvent, TaskEvent, allows, next_state
from missionkit.tracking.base import Tracker
from missionkit.tracking.labels import Label
from missionkit.tracking.local_schema import SCHEMA, SELECT_ITEMS
from missionkit.tracking.model import Comment, Event, Item, Key, Spec
from missionkit.tracking.policy import item_assignees, item_labels

DEFAULT_PATH = Path(".missionkit") / "tracker.db"


class LocalTracker(Tracker):
    """Items, relations, history and comments in one SQLite file (WAL, safe across processes)."""

    name = "local"

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        super().__init__()
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        self.db.execute("CREATE INDEX IF NOT EXISTS items_parent ON items (parent)")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------
    def _item(self, row: tuple[Any, ...]) -> Item:
        (
            number,
            mission,
            task,
            title,
            state,
            spec_hash,
            labels,
            assignees,
            owner,
            updated,
            claimed_by,
            claim_expires,
            blocked,
            children,
        ) = row
        return Item(
            key=Key(mission, task),
            number=number,
            uid=number,
            title=title,
            state=state,
            labels=frozenset(json.loads(labels)),
            assignees=frozenset(json.loads(assignees)),
            spec_hash=spec_hash,
            url=f"local:{mission}/{task}" if task else f"local:{mission}",
            owner=owner,
            blocked_by_count=blocked,
            sub_issue_count=children,
            updated_at=datetime.fromisoformat(updated),
            claimed_by=claimed_by,
            claim_expires=datetime.fromisoformat(claim_expires) if claim_expires else None,
        )

    def read(self, mission_id: str) -> list[Item]:
        rows = self.db.execute(
            SELECT_ITEMS + " WHERE i.mission = ? ORDER BY i.number", (mission_id,)
        ).fetchall()
        return [self._item(r) for r in rows]

    def get(self, key: Key) -> Item | None:
        row = self.db.execute(SELECT_ITEMS + " WHERE i.mission = ? AND i.task = ?", key).fetchone()
        return None if row is None else self._item(row)

    def label_names(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT name FROM labels")}

    def blockers(self, item: Item) -> list[int]:
        rows = self.db.execute("SELECT blocker FROM relations WHERE item = ?", (item.uid,))
        return [int(r[0]) for r in rows]

    def children(self, item: Item) -> list[int]:
        rows = self.db.execute("SELECT number FROM items WHERE parent = ?", (item.uid,))
        return [int(r[0]) for r in rows]

    def link(self, item: Item | None, key: Key) -> str:
        return f"`{key}`" + (f" (#{item.number})" if item else "")

    def body(self, item: Item) -> str:
        return str(
            self.db.execute("SELECT body FROM items WHERE number = ?", (item.uid,)).fetchone()[0]
        )

    # -- single changes --------------------------------------------------------------------
    def create_label(self, label: Label) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO labels VALUES (?, ?, ?)",
            (label.name, label.color, label.description),
        )

    def create(self, spec: Spec, body: str, state: str) -> Item:
        now = clock.now().isoformat()
        labels = item_labels((), spec.key, managed=spec.labels, state=state)
        with self._tx() as db:
            existing = db.execute(
                "SELECT number FROM items WHERE mission = ? AND task = ?", spec.key
            ).fetchone()
            if existing is None:
                db.execute(
                    "INSERT INTO items (mission, task, title, body, state, spec_hash, labels,"
                    " assignees, owner, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *spec.key,
                        spec.title,
                        body,
                        state,
                        spec.spec_hash,
                        json.dumps(labels),
                        json.dumps(list(spec.assignees)),
                        spec.assignees[0] if spec.assignees else None,
                        now,
                        now,
                    ),
                )
                self._event(
                    db,
                    spec.key,
                    "missionkit-sync",
                    "created",
                    None,
                    state,
                    "added to the mission file",
                )
        item = self.get(spec.key)
        assert item is not None
        return item

    def update(self, item: Item, spec: Spec, body: str) -> Item:
        labels = item_labels(item.labels, item.key, managed=spec.labels)
        assignees = item_assignees(item.assignees, item.owner, spec.assignees)
        self.db.execute(
            "UPDATE items SET title = ?, body = ?, spec_hash = ?, labels = ?, assignees = ?,"
            " owner = ?, updated_at = ? WHERE number = ?",
            (
                spec.title,
                body,
                spec.spec_hash,
                json.dumps(labels),
                json.dumps(assignees),
                spec.assignees[0] if spec.assignees else None,
                clock.now().isoformat(),
                item.uid,
            ),
        )
        updated = self.get(item.key)
        assert updated is not None
        return updated

    def _set_state(
        self,
        db: sqlite3.Connection,
        item: Item,
        state: str,
        actor: str,
        reason: str,
        claim: tuple[str, datetime] | None = None,
        row: tuple[str, str] | None = None,
    ) -> Item:
        """Write the new state (and claim); return the item as it now is, without re-reading.

        ``row`` is the item's (state, labels) when the caller has just read them."""
        if row is None:
            row = db.execute(
                "SELECT state, labels FROM items WHERE number = ?", (item.uid,)
            ).fetchone()
        before = str(row[0])
        labels = item_labels(json.loads(row[1]), item.key, state=state)
        now = clock.now()
        claimed_by, expires = claim if claim else (None, None)
        db.execute(
            "UPDATE items SET state = ?, labels = ?, updated_at = ?, claimed_by = ?,"
            " claim_expires = ? WHERE number = ?",
            (
                state,
                json.dumps(labels),
                now.isoformat(),
                claimed_by,
                expires.isoformat() if expires else None,
                item.uid,
            ),
        )
        self._event(db, item.key, actor, "state", before, state, reason, now)
        return replace(
            item,
            state=state,
            labels=frozenset(labels),
            updated_at=now,
            claimed_by=claimed_by,
            claim_expires=expires,
        )

    def add_child(self, parent: Item, child: Item) -> None:
        self.db.execute("UPDATE items SET parent = ? WHERE number = ?", (parent.uid, child.uid))

    def add_blocker(self, item: Item, blocker: Item) -> None:
        self.db.execute("INSERT OR IGNORE INTO relations VALUES (?, ?)", (item.uid, blocker.uid))

    def remove_blocker(self, item: Item, blocker: Item) -> None:
        self.db.execute(
            "DELETE FROM relations WHERE item = ? AND blocker = ?", (item.uid, blocker.uid)
        )

    # -- execution -------------------------------------------------------------------------
    def transition(self, item: Item, event: LifecycleEvent, actor: str, reason: str) -> Item | None:
        return self._fire(item, event, actor, reason)

    def claim(self, item: Item, actor: str, lease_seconds: float) -> Item | None:
        expires = clock.now() + timedelta(seconds=lease_seconds)
        return self._fire(item, TaskEvent.CLAIM, actor, "claimed", (actor, expires))

    def _fire(
        self,
        item: Item,
        event: LifecycleEvent,
        actor: str,
        reason: str,
        claim: tuple[str, datetime] | None = None,
    ) -> Item | None:
        """Compare and set in one transaction: the state read now must allow ``event``."""
        next_state(item.state, event, str(item.key))
        with self._tx() as db:
            row = db.execute(
                "SELECT state, labels FROM items WHERE number = ?", (item.uid,)
            ).fetchone()
            if row is None or not allows(row[0], event):
                return None
            state = next_state(row[0], event)
            return self._set_state(db, item, state, actor, reason, claim, row=row)

    def events(self, item: Item) -> list[Event]:
        rows = self.db.execute(
            "SELECT at, mission, task, actor, kind, from_state, to_state, reason FROM events"
            " WHERE mission = ? AND task = ? ORDER BY id",
            item.key,
        )
        return [
            Event(datetime.fromisoformat(at), Key(m, t), actor, kind, f, to, reason)
            for at, m, t, actor, kind, f, to, reason in rows
        ]

    def comment(self, item: Item, body: str, author: str) -> None:
        self.db.execute(
            "INSERT INTO comments (mission, task, at, author, body) VALUES (?, ?, ?, ?, ?)",
            (*item.key, clock.now().isoformat(), author, body),
        )

    def comments(self, item: Item) -> list[Comment]:
        """What was said on the item, oldest first (for tests and debugging; not part of the
        tracker interface)."""
        rows = self.db.execute(
            "SELECT at, author, body FROM comments WHERE mission = ? AND task = ? ORDER BY id",
            item.key,
        )
        return [Comment(item.key, datetime.fromisoformat(a), str(u), str(b)) for a, u, b in rows]

    def assign(self, item: Item, logins: Sequence[str]) -> list[str]:
        with self._tx() as db:
            row = db.execute("SELECT assignees FROM items WHERE number = ?", (item.uid,)).fetchone()
            current = set(json.loads(row[0])) | set(logins)
            db.execute(
                "UPDATE items SET assignees = ? WHERE number = ?",
                (json.dumps(sorted(current)), item.uid),
            )
        return []

    def history(self, mission_id: str) -> list[Event]:
        rows = self.db.execute(
            "SELECT at, mission, task, actor, kind, from_state, to_state, reason FROM events"
            " WHERE mission = ? ORDER BY id",
            (mission_id,),
        )
        return [
            Event(datetime.fromisoformat(at), Key(m, t), actor, kind, f, to, reason)
            for at, m, t, actor, kind, f, to, reason in rows
        ]

    def record(self, event: Event, note: str | None = None) -> None:
        if note:
            self.db.execute(
                "INSERT INTO comments (mission, task, at, author, body) VALUES (?, ?, ?, ?, ?)",
                (*event.key, event.at.isoformat(), event.actor, note),
            )
        self._event(
            self.db,
            event.key,
            event.actor,
            event.kind,
            event.from_state,
            event.to_state,
            event.reason,
            event.at,
        )

    def _event(
        self,
        db: sqlite3.Connection,
        key: Key,
        actor: str,
        kind: str,
        before: str | None,
        after: str | None,
        reason: str,
        at: datetime | None = None,
    ) -> None:
        db.execute(
            "INSERT INTO events (mission, task, at, actor, kind, from_state, to_state, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, (at or clock.now()).isoformat(), actor, kind, before, after, reason),
        )
