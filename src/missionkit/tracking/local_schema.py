"""The local tracker's SQLite schema and its item query."""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    mission TEXT NOT NULL,
    task TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    spec_hash TEXT,
    labels TEXT NOT NULL,
    assignees TEXT NOT NULL,
    owner TEXT,
    parent INTEGER REFERENCES items(number),
    claimed_by TEXT,
    claim_expires TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (mission, task)
);
CREATE TABLE IF NOT EXISTS relations (
    item INTEGER NOT NULL REFERENCES items(number),
    blocker INTEGER NOT NULL REFERENCES items(number),
    PRIMARY KEY (item, blocker)
);
CREATE TABLE IF NOT EXISTS labels (
    name TEXT PRIMARY KEY, color TEXT NOT NULL, description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mission TEXT NOT NULL, task TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
    kind TEXT NOT NULL, from_state TEXT, to_state TEXT, reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_mission ON events (mission, id);
CREATE INDEX IF NOT EXISTS events_by_item ON events (mission, task, id);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mission TEXT NOT NULL, task TEXT NOT NULL, at TEXT NOT NULL,
    author TEXT NOT NULL, body TEXT NOT NULL
);
"""

SELECT_ITEMS = """
SELECT i.number, i.mission, i.task, i.title, i.state, i.spec_hash, i.labels, i.assignees,
       i.owner, i.updated_at, i.claimed_by, i.claim_expires,
       (SELECT count(*) FROM relations r WHERE r.item = i.number),
       (SELECT count(*) FROM items c WHERE c.parent = i.number)
FROM items i
"""
