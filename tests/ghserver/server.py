"""The HTTP side: a ThreadingHTTPServer on 127.0.0.1 that answers like api.github.com."""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import IPPROTO_TCP, SHUT_RDWR, TCP_NODELAY, socket
from types import TracebackType
from typing import Any

from . import h_graphql
from .api import (
    DOCS,
    GRAPHQL_PATHS,
    WRITE_METHODS,
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    RequestRecord,
)
from .artifacts import BLOB_PREFIX
from .faults import PRIMARY_MESSAGE, Fault, Faults, WriteThrottle, fault_response
from .h_events import record, snapshot
from .h_repo import DEFAULT_LABELS
from .models import BOT_LOGIN, DEFAULT_WORKFLOWS, GitHubState, User
from .openapi import OpenApi, foreign_urls
from .render import Renderer
from .routes import Match, Router

API_PREFIX = "/api/v3"
GRAPHQL = "/graphql"
API_VERSIONS = ("2022-11-28", "2026-03-10")


@functools.lru_cache(maxsize=1)
def _openapi() -> OpenApi:
    return OpenApi()


def _no_handler(ctx: Ctx) -> ApiResponse:
    raise AssertionError("GraphQL is answered by h_graphql.handle")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    app: GitHubTestServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    wbufsize = -1  # buffered: headers and body leave in one write (no Nagle/delayed-ACK stalls)
    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.app._handle(self)

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def version_string(self) -> str:
        return "GitHub.com"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
        self.server.app._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.app._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        return


class GitHubTestServer:
    """A stateful GitHub REST API emulator for one repository, served over real HTTP on loopback.

    ``users`` maps logins to their permission on the repository (admin, maintain, write, triage,
    read or none); the authenticated user is ``bot_login`` (admin) for any token, unless ``tokens``
    maps tokens to logins (then an unknown token is "Bad credentials").  ``default_labels`` seeds
    GitHub's nine default labels; ``latency`` (seconds) is added to every answer; ``write_limit``
    ``(count, seconds)`` answers further writes with a secondary rate limit (403, retry-after);
    ``repositories_links`` makes ``Link`` headers use ``/repositories/{id}/...`` like
    api.github.com (both spellings are served); ``clock`` sets the timestamps of new objects.
    """

    def __init__(
        self,
        owner: str = "acme",
        repo: str = "data",
        users: Mapping[str, str] | None = None,
        *,
        bot_login: str = BOT_LOGIN,
        tokens: Mapping[str, str] | None = None,
        workflows: tuple[str, ...] = DEFAULT_WORKFLOWS,
        repositories_links: bool = True,
        default_labels: bool = False,
        latency: float = 0.0,
        write_limit: tuple[int, float] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.state = GitHubState(
            owner, repo, users or {}, bot_login=bot_login, workflows=workflows, clock=clock
        )
        self.faults = Faults()
        self.tokens = dict(tokens) if tokens is not None else None
        self.repositories_links = repositories_links
        self.openapi = _openapi()
        self.router = Router(owner, repo)
        self.validation_errors: list[str] = []
        self._requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._request_seq = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._sockets: set[socket] = set()
        self._base_url: str | None = None
        self._netloc = ""
        self.latency = latency
        self.write_throttle = WriteThrottle(*write_limit) if write_limit else None
        self._in_flight = 0
        self.max_in_flight = 0  # most requests ever handled at the same time
        if default_labels:
            for name, color, description in DEFAULT_LABELS:
                self.state.create_label(name, color, description).default = True

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("server not started")
        return self._base_url

    def start(self) -> GitHubTestServer:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.app = self
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self._base_url = f"http://{host!s}:{port}"
        self._netloc = f"{host!s}:{port}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="ghserver"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        with self._log_lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> GitHubTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _track(self, sock: socket, opened: bool) -> None:
        with self._log_lock:
            (self._sockets.add if opened else self._sockets.discard)(sock)

    # ------------------------------------------------------------------ log

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._requests)

    @property
    def writes(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.is_write]

    def reset_log(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(record)

    def _problem(self, *messages: str) -> None:
        with self._log_lock:
            self.validation_errors.extend(messages)

    # ------------------------------------------------------------------ request handling

    def _handle(self, h: _Handler) -> None:
        started = time.monotonic()
        if h.command == "GET" and h.path.startswith(BLOB_PREFIX):
            self._blob(h)
            return
        with self._log_lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            self._answer(h, started)
        finally:
            with self._log_lock:
                self._in_flight -= 1

    def _blob(self, h: _Handler) -> None:
        """An artifact's zip at the unauthenticated URL its download redirects to; a token sent
        there would leak to GitHub's storage, so it is reported."""
        if h.headers.get("Authorization"):
            self._problem(f"a token was sent to the blob storage URL {h.path}")
        raw = h.path[len(BLOB_PREFIX) :].split("?")[0]
        with self.state.lock:
            store = self.state.artifacts
            found = store.get(int(raw)) if store is not None and raw.isdigit() else None
        data = found.path.read_bytes() if found is not None else b""
        h.send_response(200 if found is not None else 404)
        h.send_header("Content-Type", "application/zip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _answer(self, h: _Handler, started: float) -> None:
        method = h.command
        split = urllib.parse.urlsplit(h.path)
        path, raw_query = split.path, split.query
        web_root = self.url
        api_root = web_root
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            path, api_root = path[len(API_PREFIX) :] or "/", web_root + API_PREFIX
        repositories = f"/repositories/{self.state.repo_id}"
        if path == repositories or path.startswith(repositories + "/"):
            path = f"/repos/{self.state.owner}/{self.state.repo}" + path[len(repositories) :]
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        bad_json = False
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        shown_path = urllib.parse.unquote(path)
        mutations = 0
        if method == "POST" and path in GRAPHQL_PATHS and isinstance(body, dict):
            mutations = h_graphql.mutation_count(str(body.get("query") or ""))
        with self._log_lock:
            self._request_seq += 1
            seq = self._request_seq
            request_id = f"C0DE:{seq:04X}:{seq * 7919:06X}:{seq * 104729:07X}:6A1B2C3D"

        fault = self.faults.take(method, shown_path)
        writes = method in WRITE_METHODS and not (path in GRAPHQL_PATHS and mutations == 0)
        if fault is None and self.write_throttle is not None and writes:
            wait = self.write_throttle.admit()
            if wait is not None:
                fault = Fault("secondary_limit", retry_after=wait, fired=1)
        delay = self.latency + (fault.delay if fault is not None and fault.kind == "slow" else 0)
        if delay > 0:
            time.sleep(delay)
        if fault is not None and fault.kind not in ("slow", "lost", "partial"):
            response = fault_response(fault, request_id)
            self._record(
                RequestRecord(
                    method,
                    shown_path,
                    query,
                    response.status,
                    body,
                    fault.kind,
                    None,
                    started,
                    time.monotonic(),
                    mutations,
                )
            )
            self._send(h, response, request_id)
            return

        template: str | None = None
        try:
            match = None
            actor = self._authenticate(h.headers.get("Authorization"))
            if path != "/rate_limit":
                with self.state.lock:
                    allowed = self.state.count_request()
                if not allowed:
                    raise ApiError(
                        403,
                        PRIMARY_MESSAGE.format(
                            user_id=actor.id, request_id=request_id, timestamp="now"
                        ),
                    )
            version = h.headers.get("X-GitHub-Api-Version")
            if version is not None and version not in API_VERSIONS:
                raise ApiError(
                    400,
                    f"Unsupported 'X-GitHub-Api-Version' header: '{version}'. "
                    f"Supported versions: {', '.join(API_VERSIONS)}",
                )
            if bad_json:
                raise ApiError(400, "Problems parsing JSON")
            match, _known = self.router.match(method, path)
            if match is None and method == "POST" and path in GRAPHQL_PATHS:
                match = Match(GRAPHQL, _no_handler, {})
            if match is None:
                raise ApiError(404, "Not Found")
            template = match.template
            problems = (
                [] if template == GRAPHQL else self.openapi.validate_request(template, method, body)
            )
            if problems:
                self._problem(*problems)
                raise ApiError(422, "Invalid request.\n\n" + "\n".join(problems))
            request = ApiRequest(
                method,
                path,
                query,
                body,
                {k.lower(): v for k, v in h.headers.items()},
                api_root,
                web_root,
                actor,
                match.params,
                raw_query,
            )
            with self.state.lock:
                ctx = Ctx(
                    request,
                    self.state,
                    Renderer(self.state, api_root, web_root),
                    self.repositories_links,
                )
                before = snapshot(self.state) if method in WRITE_METHODS else None
                if template == GRAPHQL:
                    limit = fault.limit(mutations) if fault is not None else None
                    response, refused = h_graphql.handle(ctx, limit)
                    self._problem(*refused)
                else:
                    response = match.handler(ctx)
                if before is not None and response.status < 400:
                    record(self.state, before, actor.login)
        except ApiError as error:
            response = error.response()
        except Exception as error:
            self._problem(f"server error in {method} {shown_path}: {error!r}")
            response = ApiResponse(500, {"message": "Server Error", "documentation_url": DOCS})
        if template is not None and template != GRAPHQL:
            self._problem(
                *self.openapi.validate_response(template, method, response.status, response.body)
            )
            self._problem(*foreign_urls(response.body, template, self._netloc))

        self._record(
            RequestRecord(
                method,
                shown_path,
                query,
                response.status,
                body,
                fault.kind if fault else None,
                template,
                started,
                time.monotonic(),
                mutations,
            )
        )
        if fault is not None and fault.kind in ("lost", "partial"):
            if fault.variant == "disconnect":
                h.close_connection = True
                return
            response = ApiResponse(502, {"message": "Server Error", "documentation_url": DOCS})
        self._send(h, response, request_id, h.headers.get("X-GitHub-Api-Version"))

    def _authenticate(self, header: str | None) -> User:
        if not header or not header.split():
            raise ApiError(
                401, "Requires authentication", documentation_url="https://docs.github.com/rest"
            )
        token = header.split()[-1]
        login = self.state.bot_login
        if self.tokens is not None:
            if token not in self.tokens:
                raise ApiError(
                    401, "Bad credentials", documentation_url="https://docs.github.com/rest"
                )
            login = self.tokens[token]
        with self.state.lock:
            user = self.state.user(login) or self.state.add_user(login, "none")
        return user

    def _send(
        self, h: _Handler, response: ApiResponse, request_id: str, version: str | None = None
    ) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        rate = self.state.rate
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "x-github-media-type": "github.v3; format=json",
            "x-github-api-version-selected": version
            if version in API_VERSIONS
            else API_VERSIONS[0],
            "x-ratelimit-limit": str(rate.limit),
            "x-ratelimit-remaining": str(rate.remaining),
            "x-ratelimit-reset": str(rate.reset),
            "x-ratelimit-used": str(rate.used),
            "x-ratelimit-resource": "core",
            "x-github-request-id": request_id,
        }
        headers.update(response.headers)
        try:
            h.send_response(response.status)
            for name, value in headers.items():
                h.send_header(name, value)
            if response.status not in (204, 304):
                h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            if response.status not in (204, 304):
                h.wfile.write(payload)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
