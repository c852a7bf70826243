"""Request/response types shared by the router, the handlers and the HTTP server."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from .models import GitHubState, User
from .render import Renderer

DOCS = "https://docs.github.com/rest"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
GRAPHQL_PATHS = ("/graphql", "/api/graphql")  # PyGithub's GraphQL URL for both base URLs


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (``path`` is %-decoded, without ``/api/v3`` or query)."""

    method: str
    path: str
    query: dict[str, str]
    status: int  # the status the handler produced (for a "lost" fault: what the client never got)
    body: Any  # the parsed JSON request body, or None
    fault: str | None = None  # kind of the injected fault, if one fired
    template: str | None = None  # the OpenAPI path template that answered
    started: float = 0.0  # time.monotonic() when the request arrived
    ended: float = 0.0  # time.monotonic() when it was answered (or dropped)
    mutations: int = 0  # a GraphQL request's top-level mutation fields (aliased mutations)

    @property
    def is_graphql(self) -> bool:
        return self.path in GRAPHQL_PATHS

    @property
    def is_write(self) -> bool:
        """A REST write, or a GraphQL mutation (a GraphQL query is a read, though a POST)."""
        if self.is_graphql:
            return self.mutations > 0
        return self.method in WRITE_METHODS


@dataclass
class ApiRequest:
    method: str
    path: str  # API path without the optional /api/v3 prefix and without the query, still %-encoded
    query: dict[str, str]
    body: Any
    headers: dict[str, str]  # lower-cased names
    api_root: str  # e.g. http://127.0.0.1:5000 or http://127.0.0.1:5000/api/v3
    web_root: str  # e.g. http://127.0.0.1:5000
    actor: User
    params: dict[str, str] = field(default_factory=dict)  # path parameters, %-decoded
    raw_query: str = ""


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # JSON-serialisable, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by handlers to answer with GitHub's error JSON."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        documentation_url: str = DOCS,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        self.headers = headers or {}

    def response(self) -> ApiResponse:
        body: dict[str, Any] = {
            "message": self.message,
            "documentation_url": self.documentation_url,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body["status"] = str(self.status)
        return ApiResponse(self.status, body, dict(self.headers))


@dataclass
class Ctx:
    """Everything a handler needs: the request, the state (locked by the caller) and a renderer."""

    request: ApiRequest
    state: GitHubState
    render: Renderer
    repositories_links: bool = True

    @property
    def body(self) -> dict[str, Any]:
        return body_dict(self.request)

    def page(self, items: list[Any]) -> ApiResponse:
        return paginate(self.request, items, self.state, repositories_style=self.repositories_links)


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def validation_failed(*errors: dict[str, Any], doc: str = DOCS) -> ApiError:
    return ApiError(422, "Validation Failed", errors=list(errors), documentation_url=doc)


def int_param(request: ApiRequest, name: str) -> int:
    try:
        return int(request.params[name])
    except ValueError:
        raise not_found() from None


def body_dict(request: ApiRequest) -> dict[str, Any]:
    if request.body is None:
        return {}
    if not isinstance(request.body, dict):
        raise ApiError(400, "Problems parsing JSON")
    return request.body


def page_params(request: ApiRequest) -> tuple[int, int]:
    """``(page, per_page)`` with GitHub's defaults (1, 30) and cap (100)."""
    try:
        per_page = int(request.query.get("per_page", "30"))
        page = int(request.query.get("page", "1"))
    except ValueError:
        raise validation_failed({"resource": "Search", "field": "q", "code": "invalid"}) from None
    per_page = 30 if per_page <= 0 else min(per_page, 100)
    return max(page, 1), per_page


def paginate(
    request: ApiRequest, items: list[Any], state: GitHubState, *, repositories_style: bool
) -> ApiResponse:
    """One page of ``items`` with a ``Link`` header formatted like GitHub's.

    Like api.github.com, links of repository-scoped lists use ``/repositories/{id}/...`` when
    ``repositories_style`` is set.  The original query string is kept and ``page`` is replaced
    (or appended).  Order of relations: prev, next, last, first.
    """
    page, per_page = page_params(request)
    total_pages = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    path = request.path
    prefix = f"/repos/{state.owner}/{state.repo}"
    if repositories_style and path.startswith(prefix):
        path = f"/repositories/{state.repo_id}" + path[len(prefix) :]
    pairs = urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True)

    def url(target: int) -> str:
        kept = [(k, v) for k, v in pairs if k != "page"] + [("page", str(target))]
        return f"{request.api_root}{path}?{urllib.parse.urlencode(kept)}"

    links: list[str] = []
    if page > 1:
        links.append(f'<{url(min(page - 1, total_pages))}>; rel="prev"')
    if page < total_pages:
        links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(total_pages)}>; rel="last"')
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    headers = {"Link": ", ".join(links)} if links else {}
    return ApiResponse(200, chunk, headers)
