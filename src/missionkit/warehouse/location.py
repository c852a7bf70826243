"""What a mission file's ``warehouse:`` says: a path or a URL, and never a credential.

Imported by the mission model, so it needs nothing beyond the standard library.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

_SECRET_KEYS = ("user", "password", "sslpassword")


def scheme(location: str) -> str | None:
    """The URL scheme of ``location`` (``postgresql``), None for a path."""
    if "://" not in location:
        return None
    return urlsplit(location).scheme.lower() or None


def credentials_in(location: str) -> list[str]:
    """What in a warehouse URL is a credential (a user, a password), to refuse it in a file."""
    if scheme(location) is None:
        return []
    parts = urlsplit(location)
    found = []
    if parts.username:
        found.append("a user name")
    if parts.password:
        found.append("a password")
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    found += [f"'{key}='" for key in _SECRET_KEYS if key in keys]
    return found


def shown_url(url: str) -> str:
    """``url`` without its user, password and query, for reports and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
