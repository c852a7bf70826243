"""A small evaluator of GitHub Actions expressions, and of which jobs of a workflow run.

It covers the subset the workflows use: literals, property paths, ``!``, ``&&``, ``||``,
comparisons, parentheses, ``contains``/``startsWith``/``endsWith``/``fromJSON``/``toJSON``/
``format`` and the status functions.  It follows GitHub's rules as documented:

- ``&&`` and ``||`` return one of their operands; ``false``, ``0``, ``''``, ``null`` and NaN are
  falsy; ``==`` compares strings case-insensitively and coerces mixed types to numbers.
- A job's ``if:`` without a status function is ``success() && (if)``.
- At job level ``success()`` is true when every *ancestor* job (all of ``needs``, transitively)
  succeeded, so a skipped ancestor skips the job even when its direct needs succeeded
  (actions/runner#2205); ``failure()`` is true when any ancestor failed; ``always()`` is true.
- A skipped job's result is ``skipped`` and its outputs are empty strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>&&|\|\||==|!=|<=|>=|[!<>()\[\],.])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
STATUS = ("success", "failure", "cancelled", "always")


class Null:
    """The expression language's ``null`` (distinct from a missing Python value)."""

    def __repr__(self) -> str:
        return "null"


NULL = Null()


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise SyntaxError(f"cannot read {text[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def truthy(value: Any) -> bool:
    if value is NULL or value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def _number(value: Any) -> float:
    if value is NULL or value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 0)) if text.lower().startswith(("0x", "0o")) else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) and not isinstance(a, (int, float)):
        return bool(a is b or a == b)
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return _number(a) == _number(b)


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if isinstance(a, str) and isinstance(b, str):
        x: Any = a.casefold()
        y: Any = b.casefold()
    else:
        x, y = _number(a), _number(b)
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _text(value: Any) -> str:
    if value is NULL or value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _from_json(text: Any) -> Any:
    value = json.loads(_text(text))
    return NULL if value is None else value


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(item, needle) for item in haystack)
    return _text(needle).casefold() in _text(haystack).casefold()


def _format(template: Any, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: _text(args[int(m.group(1))]), _text(template))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda a, b: _text(a).casefold().startswith(_text(b).casefold()),
    "endswith": lambda a, b: _text(a).casefold().endswith(_text(b).casefold()),
    "fromjson": _from_json,
    "tojson": lambda v: json.dumps(v),
    "format": _format,
}


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: Mapping[str, bool]) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.context = context
        self.status = status

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise SyntaxError("unexpected end of the expression")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise SyntaxError(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise SyntaxError(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            value = right if truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            value = _compare(op, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind != "name":
            raise SyntaxError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return NULL
        if self.peek() == "(":
            return self.call(text)
        value: Any = self.context.get(text, NULL)
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                name = self.take()[1]
            else:
                name = _text(self.or_())
                self.take("]")
            value = value.get(name, NULL) if isinstance(value, dict) else NULL
        return NULL if value is None else value

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        lowered = name.lower()
        if lowered in STATUS:
            return self.status[lowered]
        return FUNCTIONS[lowered](*args)


def evaluate(
    text: str, context: Mapping[str, Any], status: Mapping[str, bool] | None = None
) -> Any:
    """The value of ``text`` (with or without ``${{ }}``) in ``context``."""
    inner = _inner(text)
    default = {"success": True, "failure": False, "cancelled": False, "always": True}
    return _Parser(inner, context, status or default).parse()


def _inner(text: str) -> str:
    inner = text.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    return inner


def has_status_function(text: str) -> bool:
    return any(kind == "name" and word.lower() in STATUS for kind, word in _tokens(_inner(text)))


@dataclass
class JobRun:
    result: str  # success, failure, cancelled, skipped
    outputs: dict[str, str] = field(default_factory=dict)


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def ancestors(jobs: Mapping[str, Any], job_id: str) -> set[str]:
    found: set[str] = set()
    stack = _needs(jobs[job_id])
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack += _needs(jobs[name])
    return found


def simulate(
    workflow: Mapping[str, Any],
    github: Mapping[str, Any],
    outcome: Callable[[str, dict[str, Any]], JobRun],
    *,
    cancelled: bool = False,
) -> dict[str, JobRun]:
    """Which jobs run and how they end: ``outcome(job_id, context)`` decides the result and
    outputs of a job that runs; a job that does not run is ``skipped``."""
    jobs: Mapping[str, Any] = workflow["jobs"]
    runs: dict[str, JobRun] = {}
    pending = list(jobs)
    while pending:
        job_id = next(j for j in pending if all(n in runs for n in _needs(jobs[j])))
        pending.remove(job_id)
        job = jobs[job_id]
        context: dict[str, Any] = {
            "github": dict(github),
            "needs": {
                name: {"result": runs[name].result, "outputs": dict(runs[name].outputs)}
                for name in _needs(job)
            },
            "inputs": dict((github.get("event") or {}).get("inputs") or {}),
        }
        before = [runs[name].result for name in ancestors(jobs, job_id)]
        status = {
            "success": not cancelled and all(r == "success" for r in before),
            "failure": any(r == "failure" for r in before),
            "cancelled": cancelled,
            "always": True,
        }
        inner = _inner(str(job.get("if", ""))) or "success()"
        if not has_status_function(inner):
            inner = f"success() && ({inner})"
        if truthy(evaluate(inner, context, status)):
            runs[job_id] = outcome(job_id, context)
        else:
            runs[job_id] = JobRun("skipped")
    return runs
