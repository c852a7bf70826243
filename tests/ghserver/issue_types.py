"""Issue types: the ones the repository's owner defines, and how an issue shows its type.

``add_issue_type(state, name)`` seeds one (an organization's owners do that on GitHub).  On
create, ``type`` (a name) is kept only when the actor can push, as GitHub documents ("the type
is silently dropped otherwise"); an unknown name is refused with 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import GitHubState, iso, node_id


@dataclass
class IssueType:
    id: int
    name: str
    description: str | None
    color: str
    created_at: datetime


def add_issue_type(
    state: GitHubState, name: str, description: str | None = None, color: str = "gray"
) -> IssueType:
    made = IssueType(2_000_000 + len(state.issue_types), name, description, color, state.now())
    state.issue_types.append(made)
    return made


def render_type(state: GitHubState, type_id: int | None) -> dict[str, Any] | None:
    for t in state.issue_types:
        if t.id == type_id:
            return {
                "id": t.id,
                "node_id": node_id("IT", t.id),
                "name": t.name,
                "description": t.description,
                "color": t.color,
                "created_at": iso(t.created_at),
                "updated_at": iso(t.created_at),
                "is_enabled": True,
            }
    return None
