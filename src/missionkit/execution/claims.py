"""Who holds a claim on a running task, and whether that claim is stale."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from missionkit.spec.model import Task
from missionkit.tracking.model import Item

DEFAULT_TIMEOUT = timedelta(hours=1)
MARGIN = timedelta(minutes=5)


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_for(task: Task) -> float:
    """Seconds a claim lasts: every attempt's timeout, plus a margin for the checks."""
    per_attempt = task.timeout or DEFAULT_TIMEOUT
    return ((per_attempt * (task.retries + 1)) + MARGIN).total_seconds()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_reason(item: Item, task: Task, now: datetime) -> str | None:
    """Why a running task's claim no longer holds, or None while it does."""
    claimer = item.claimed_by or ""
    host, _, pid = claimer.rpartition(":")
    same_host = host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid()
    if same_host and not _pid_alive(int(pid)):
        return f"the runner that claimed it (process {pid}) is gone"
    if item.claim_expires is not None:
        if now > item.claim_expires:
            return "its claim expired"
        return None
    if item.updated_at is not None and now - item.updated_at > timedelta(seconds=lease_for(task)):
        return "it has been running longer than its timeout allows"
    return None
