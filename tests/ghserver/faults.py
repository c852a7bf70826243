"""Fault injection: make the Nth matching request fail the way GitHub (or the network) can.

Kinds:

``status``
    answer ``status`` (500, 502, 503...) without applying the request (no ``retry-after``).
``lost``
    apply the request (the state changes) and then lose the answer: ``variant="disconnect"``
    closes the connection without a response (the client sees a connection error),
    ``variant="502"`` answers 502 Bad Gateway instead of the real response.
``secondary_limit``
    403 "You have exceeded a secondary rate limit..." with ``retry-after: N`` (``retry_after=None``
    sends no header, as GitHub sometimes does); not applied.
``rate_limit``
    primary limit: ``status`` 403 (default) or 429 with ``x-ratelimit-remaining: 0`` and
    ``x-ratelimit-reset`` = now + ``reset_in`` seconds; not applied.
``too_many``
    429 with ``retry-after: N``; not applied.
``slow``
    sleep ``delay`` seconds, then handle the request normally (it is applied even when the
    client gave up waiting).
``partial``
    a GraphQL batch applied halfway: the first ``applied`` aliased mutations of the document
    run (default: half of them, rounded down), the others are skipped, and the answer is lost
    as for ``lost`` (``variant``).  A request without mutations is applied whole.

Matching counts every request that satisfies the predicate (``method``, ``path`` regex searched
in the API path without ``/api/v3``, ``writes_only``) from the moment the fault is added; the
fault fires on match number ``nth`` and on the ``times - 1`` matches after it.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from .api import DOCS, WRITE_METHODS, ApiResponse

FaultKind = Literal[
    "status", "lost", "secondary_limit", "rate_limit", "too_many", "slow", "partial"
]
LostVariant = Literal["disconnect", "502"]
KINDS: tuple[str, ...] = (
    "status",
    "lost",
    "secondary_limit",
    "rate_limit",
    "too_many",
    "slow",
    "partial",
)

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support for help, "
    "please include the request ID {request_id} and timestamp {timestamp}."
)


@dataclass
class Fault:
    kind: FaultKind
    methods: frozenset[str] | None = None
    path: re.Pattern[str] | None = None
    nth: int = 1
    times: int = 1
    status: int = 0  # 0: the kind's default (status 500, rate_limit 403, too_many 429)
    variant: LostVariant = "disconnect"
    retry_after: int | None = 1
    reset_in: int = 1
    delay: float = 1.0
    applied: int | None = None  # partial: mutations applied (None: half of them)
    seen: int = 0  # matching requests so far
    fired: int = 0  # times this fault was applied
    fired_on: list[str] = field(default_factory=list)  # "METHOD /path" of each firing

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.path is None or self.path.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.fired >= self.times

    def limit(self, mutations: int) -> int | None:
        """How many of a request's ``mutations`` this fault lets run (None: all)."""
        if self.kind != "partial" or mutations == 0:
            return None
        return mutations // 2 if self.applied is None else min(self.applied, mutations)

    @property
    def response_status(self) -> int:
        if self.status:
            return self.status
        return {"status": 500, "rate_limit": 403, "too_many": 429, "secondary_limit": 403}.get(
            self.kind, 502
        )


class Faults:
    """The fault plan of one server (``server.faults``); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | Iterable[str] | None = None,
        path: str | None = None,
        nth: int = 1,
        times: int = 1,
        writes_only: bool = False,
        status: int = 0,
        variant: LostVariant = "disconnect",
        retry_after: int | None = 1,
        reset_in: int = 1,
        delay: float = 1.0,
        applied: int | None = None,
    ) -> Fault:
        """Arm a fault for the ``nth`` request (1 = the next) matching method and path.

        See the module docstring for the kinds and their options.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        if variant not in ("disconnect", "502"):
            raise ValueError(f"unknown lost variant {variant!r}")
        if nth < 1 or times < 1:
            raise ValueError("nth and times start at 1")
        methods: frozenset[str] | None
        if method is None:
            methods = WRITE_METHODS if writes_only else None
        else:
            given = {method} if isinstance(method, str) else set(method)
            methods = frozenset(m.upper() for m in given)
            if writes_only:
                methods &= WRITE_METHODS
        fault = Fault(
            kind=kind,
            methods=methods,
            path=re.compile(path) if path is not None else None,
            nth=nth,
            times=times,
            status=status,
            variant=variant,
            retry_after=retry_after,
            reset_in=reset_in,
            delay=delay,
            applied=applied,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def on_write(self, k: int, kind: FaultKind, **options: object) -> Fault:
        """Arm a fault for the ``k``-th write request (POST/PATCH/PUT/DELETE) from now on."""
        return self.add(kind, nth=k, writes_only=True, **options)  # type: ignore[arg-type]

    def on_request(self, k: int, kind: FaultKind, **options: object) -> Fault:
        """Arm a fault for the ``k``-th request of any method from now on."""
        return self.add(kind, nth=k, **options)  # type: ignore[arg-type]

    def take(self, method: str, path: str) -> Fault | None:
        """Count this request against every armed fault; return the one that fires, if any.

        Only the first fault (in the order added) that is due fires; the others still count it.
        """
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                fault.seen += 1
                if chosen is None and fault.seen >= fault.nth:
                    fault.fired += 1
                    fault.fired_on.append(f"{method} {path}")
                    chosen = fault
        return chosen

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    @property
    def pending(self) -> list[Fault]:
        """Faults that have not fired as often as asked (a test may assert this is empty)."""
        with self._lock:
            return [fault for fault in self._faults if not fault.exhausted]


_SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
_PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_SERVER_MESSAGES = {
    503: "Service Unavailable",
    504: "We couldn't respond to your request in time.",
}


def fault_response(fault: Fault, request_id: str) -> ApiResponse:
    """The answer for a fault that replaces the real response (every kind but slow and lost)."""
    headers: dict[str, str] = {}
    if fault.kind in ("secondary_limit", "too_many") and fault.retry_after is not None:
        headers["retry-after"] = str(fault.retry_after)
    if fault.kind == "secondary_limit":
        message = SECONDARY_MESSAGE.format(request_id=request_id)
        return ApiResponse(403, {"message": message, "documentation_url": _SECONDARY_DOCS}, headers)
    if fault.kind == "rate_limit":
        headers["x-ratelimit-remaining"] = "0"
        headers["x-ratelimit-reset"] = str(int(time.time()) + fault.reset_in)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        message = PRIMARY_MESSAGE.format(user_id=1001, request_id=request_id, timestamp=stamp)
        body = {"message": message, "documentation_url": _PRIMARY_DOCS}
        return ApiResponse(fault.response_status, body, headers)
    if fault.kind == "too_many":
        body = {"message": "Too Many Requests", "documentation_url": DOCS}
        return ApiResponse(fault.response_status, body, headers)
    message = _SERVER_MESSAGES.get(fault.response_status, "Server Error")
    return ApiResponse(fault.response_status, {"message": message, "documentation_url": DOCS})


class WriteThrottle:
    """GitHub's content-creation secondary limit: at most ``limit`` writes per ``window`` seconds.

    api.github.com allows about 80 content-generating requests a minute (and 500 an hour);
    ``GitHubTestServer(write_limit=(80, 60))`` emulates that, a test may use ``(3, 1.0)``.
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("write_limit needs a positive count and window")
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, now: float | None = None) -> int | None:
        """Count one write; ``None`` if allowed, else the seconds to send in ``retry-after``."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            while self._times and self._times[0] <= moment - self.window:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return max(1, math.ceil(self._times[0] + self.window - moment))
            self._times.append(moment)
            return None
