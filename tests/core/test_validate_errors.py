"""Every bad input gets an exact, located message and exit code 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from support import HEAD

Validate = Callable[..., tuple[int, list[str]]]


def mission(tasks: str = "", extra: str = "") -> str:
    return HEAD + extra + ("tasks:\n" + tasks if tasks else "") + "---\nBody\n"


CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "invalid yaml": (
        HEAD + "labels: [a, b\n---\n",
        ["m.md:6:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"],
    ),
    "missing frontmatter": (
        "# Just a heading\n",
        ["m.md:1:1: missing frontmatter: the file must start with a '---' line"],
    ),
    "unterminated frontmatter": (
        HEAD + "labels: [a]\n",
        ["m.md:1:1: unterminated frontmatter: no closing '---' line after the opening one"],
    ),
    "frontmatter not a mapping": (
        "---\n- title\n- owner\n---\n",
        ["m.md:2:1: frontmatter must be a mapping of fields, found list"],
    ),
    "empty frontmatter": (
        "---\n---\nbody\n",
        ["m.md:2:1: frontmatter must be a mapping of fields, found empty"],
    ),
    "empty file": ("", ["m.md:1:1: file is empty; expected YAML frontmatter"]),
    "wrong types": (
        mission("  - id: a\n    title: [x]\n    retries: many\n", "stakeholders: sam-okafor\n"),
        [
            "m.md:5:15: stakeholders: Input should be a valid list (got str 'sam-okafor')",
            "m.md:8:12: tasks[0].title: Input should be a valid string (got list)",
            "m.md:9:14: tasks[0].retries: Input should be a valid integer, unable to parse "
            "string as an integer (got str 'many')",
        ],
    ),
    "unknown key": (
        mission("  - id: a\n    title: A\n    depends_in: []\n", "stakeholder: [sam-okafor]\n"),
        [
            "m.md:5:1: stakeholder: unknown key 'stakeholder'; did you mean 'stakeholders'?",
            "m.md:9:5: tasks[0].depends_in: unknown key 'depends_in'; did you mean 'depends_on'?",
        ],
    ),
    "duplicate key": (
        mission("  - id: a\n    title: A\n    title: B\n"),
        ["m.md:8:5: tasks[0].title: duplicate key 'title' (first defined at line 6)"],
    ),
    "malformed id": (
        mission("  - id: Ingest_EHR\n    title: A\n"),
        [
            "m.md:6:9: tasks[0].id: 'Ingest_EHR' is not a valid id; use lowercase letters, "
            "digits and '-', starting with a letter or digit"
        ],
    ),
    "id too long": (
        mission(f"  - id: {'a' * 41}\n    title: A\n"),
        [f"m.md:6:9: tasks[0].id: '{'a' * 41}' is 41 characters; an id has at most 40"],
    ),
    "duplicate task id": (
        mission("  - id: a\n    title: A\n  - id: a\n    title: B\n"),
        ["m.md:8:9: tasks[1].id: duplicate task id 'a' (first at line 6)"],
    ),
    "title too long": (
        mission(f"  - id: a\n    title: {'x' * 257}\n"),
        ["m.md:7:12: tasks[0].title: is 257 characters; GitHub allows at most 256 in a title"],
    ),
    "unknown agent": (
        mission("  - id: a\n    title: A\n    agent: shel\n    with: {command: 'true'}\n"),
        ["m.md:8:12: tasks[0].agent: unknown agent 'shel'; did you mean 'shell'?"],
    ),
    "agent input typo": (
        mission("  - id: a\n    title: A\n    agent: shell\n    with: {comand: 'true'}\n"),
        [
            "m.md:9:11: tasks[0].with.command: required field is missing",
            "m.md:9:12: tasks[0].with.comand: unknown key 'comand'; did you mean 'command'?",
        ],
    ),
    "malformed duration": (
        mission("  - id: a\n    title: A\n    timeout: 30 minutes\n"),
        [
            "m.md:8:14: tasks[0].timeout: '30 minutes' is not a duration; write a number and a "
            "unit (s, m, h, d, w), e.g. 30m, 24h, 1h30m"
        ],
    ),
    "malformed date": (
        mission(extra="due: 15/12/2026\n"),
        ["m.md:5:6: due: '15/12/2026' is not a date; write YYYY-MM-DD"],
    ),
    "impossible date": (
        mission(extra="due: 2026-02-30\n"),
        ["m.md:5:6: due: '2026-02-30' is not a date; write YYYY-MM-DD"],
    ),
    "webhook url instead of env name": (
        mission(
            extra="escalation:\n  slack_webhook_env: https://hooks.slack.com/services/T0/B0/x\n"
        ),
        [
            "m.md:6:22: escalation.slack_webhook_env: write the name of the environment variable "
            "that holds the webhook URL (e.g. SLACK_WEBHOOK_URL), never the URL itself"
        ],
    ),
    "password in the warehouse url": (
        mission(extra="warehouse: postgresql://etl:s3cret@db.internal:5432/analytics\n"),
        [
            "m.md:5:12: warehouse: the URL holds a user name and a password; credentials never "
            "go in a mission file: set PGUSER and PGPASSWORD (or the warehouse's own variables) "
            "where missions run, or name a variable holding the whole URL with warehouse_env"
        ],
    ),
    "password as a url parameter": (
        mission(extra="warehouse: postgresql://db.internal/analytics?password=s3cret\n"),
        [
            "m.md:5:12: warehouse: the URL holds 'password='; credentials never go in a mission "
            "file: set PGUSER and PGPASSWORD (or the warehouse's own variables) where missions "
            "run, or name a variable holding the whole URL with warehouse_env"
        ],
    ),
    "warehouse url instead of env name": (
        mission(extra="warehouse_env: postgresql://db.internal/analytics\n"),
        [
            "m.md:5:16: warehouse_env: write the name of the environment variable that holds "
            "the warehouse URL (e.g. WAREHOUSE_URL), never the URL itself"
        ],
    ),
    "non-utf8 bytes": (
        HEAD.encode() + b"scope: caf\xe9\n---\n",
        ["m.md:5:11: not valid UTF-8 (byte 0xe9)"],
    ),
    "deeply nested yaml": (
        HEAD + "scope: " + "[" * 100 + "]" * 100 + "\n---\n",
        ["m.md:5:71: YAML nested deeper than 64 levels"],
    ),
    "alias bomb": (
        HEAD
        + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(
            f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "---\n",
        ["m.md:11:8: YAML holds more than 1,000,000 values, aliases expanded (alias bomb?)"],
    ),
    "python object tag": (
        HEAD + "scope: !!python/object/apply:os.system ['touch pwned']\n---\n",
        [
            "m.md:5:8: scope: YAML tag '!!python/object/apply:os.system' is not allowed; "
            "tags that build objects are never run"
        ],
    ),
    "required fields": (
        "---\nscope: x\nsuccess_criteria: []\n---\n",
        [
            "m.md:2:1: owner: required field is missing",
            "m.md:2:1: title: required field is missing",
            "m.md:3:19: success_criteria: needs at least 1 entry",
        ],
    ),
    "bad check": (
        mission("  - id: a\n    title: A\n    checks:\n      - {sql: 'select 1', file: x}\n"),
        [
            "m.md:9:9: tasks[0].checks[0]: a check needs exactly one kind: "
            "one of command, dbt, diff, file, soda, sql "
            "(got sql, file)",
        ],
    ),
    "check kinds validate their own inputs": (
        mission(
            "  - id: a\n    title: A\n    checks:\n"
            "      - diff: {left: raw.a, right: raw.b, max_rows: many}\n"
            "      - soda: {contract: c.yml, contrat: x}\n"
            "      - sql: ''\n",
            extra="warehouse: w.duckdb\n",
        ),
        [
            "m.md:10:15: tasks[0].checks[0].diff.key: required field is missing",
            "m.md:10:53: tasks[0].checks[0].diff.max_rows: "
            "write a number of rows (0 or more) or 'none', not 'many'",
            "m.md:11:33: tasks[0].checks[1].soda.contrat: unknown key 'contrat'; "
            "did you mean 'contract'?",
            "m.md:12:14: tasks[0].checks[2].sql: String should have at least 1 character",
        ],
    ),
    "unknown check kinds and severities": (
        mission(
            "  - id: a\n    title: A\n    checks:\n"
            "      - sqll: select 1\n"
            "      - {sql: x, severity: loud}\n",
        ),
        [
            "m.md:9:9: tasks[0].checks[0]: unknown key 'sqll'; did you mean 'sql'?",
            "m.md:10:28: tasks[0].checks[1].severity: Input should be 'error' or 'warn'",
        ],
    ),
    "checks without a warehouse, and on success criteria": (
        HEAD.replace(
            "success_criteria: [It works]",
            "success_criteria:\n  - text: Loaded\n"
            "    checks: [{sql: select true}, {diff: {left: a, right: b, key: []}}]",
        )
        + "---\n",
        [
            "m.md:6:20: success_criteria[0].checks[0].sql: "
            "a sql check runs against the mission's 'warehouse', which is not set",
            "m.md:6:41: success_criteria[0].checks[1].diff: "
            "a diff check runs against the mission's 'warehouse', which is not set",
            "m.md:6:66: success_criteria[0].checks[1].diff.key: needs at least 1 entry",
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_reported_exactly(validate: Validate, name: str) -> None:
    content, expected = CASES[name]
    code, lines = validate(content)
    n = len(expected)
    assert lines == [*expected, f"{n} problem{'s' if n != 1 else ''} found"]
    assert code == 1


def test_python_tag_is_never_executed(validate: Validate, tmp_path: object) -> None:
    import os

    code, _ = validate(HEAD + "scope: !!python/object/apply:os.system ['touch pwned']\n---\n")
    assert code == 1
    assert not os.path.exists("pwned")


def test_all_problems_of_a_run_are_reported_together(validate: Validate) -> None:
    text = mission(
        "  - id: a\n    title: A\n    agnet: shell\n"
        "  - id: b\n    title: B\n    depends_on: [a]\n    timeout: soon\n",
        "due: tomorrow\n",
    )
    code, lines = validate(text)
    assert code == 1
    assert lines[-1] == "3 problems found"
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "due",
        "tasks[0].agnet",
        "tasks[1].timeout",
    ]
