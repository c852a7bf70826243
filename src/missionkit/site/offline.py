"""Check that a built site loads nothing from the internet: no script, style, font or image."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

_TAG = re.compile(
    r"<(script|link|img|iframe|source|audio|video|embed|object|image|use|track)\b([^>]*)>", re.I
)
_ATTR = re.compile(
    r"""(?<![\w-])(src|href|data|srcset|poster|xlink:href)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.I,
)
_REL = re.compile(r"""(?<![\w-])rel\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"]?)\s*((?:https?:)?//[^'")\s;]+)""", re.I)
# <link rel=...> values that make a browser fetch (a canonical or alternate link does not).
_FETCHING = {
    "stylesheet",
    "preload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
    "icon",
    "apple-touch-icon",
    "manifest",
}


@dataclass(frozen=True, order=True)
class ExternalResource:
    file: str
    url: str

    def __str__(self) -> str:
        return f"{self.file}: loads {self.url}"


def _external(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://", "//"))


def html_resources(text: str) -> list[str]:
    """The external URLs an HTML page would fetch by itself (links to follow excluded)."""
    found: list[str] = []
    for tag, attrs in _TAG.findall(text):
        if tag.lower() == "link":
            rel = _REL.search(attrs)
            rels = set((rel.group(1) or rel.group(2)).lower().split()) if rel else set()
            if not rels & _FETCHING:
                continue
        for _, double, single in _ATTR.findall(attrs):
            for part in (double or single).split(","):
                url = part.strip().split(" ")[0]
                if _external(url):
                    found.append(url)
    found += _CSS.findall(text)
    return found


def external_resources(site_dir: Path, skip: Collection[str] = ()) -> list[ExternalResource]:
    """Every external resource referenced by the HTML and CSS files of ``site_dir``.

    ``skip``: paths (relative to ``site_dir``) not to read, such as copied artifacts.
    """
    found: list[ExternalResource] = []
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in (".html", ".css", ".svg") or not path.is_file():
            continue
        rel = path.relative_to(site_dir).as_posix()
        if rel in skip:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = _CSS.findall(text) if path.suffix == ".css" else html_resources(text)
        found += [ExternalResource(rel, url) for url in urls]
    return found
