"""The safe YAML reader: tags, merge keys, size and depth limits, located problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from missionkit.spec import yamlsafe
from missionkit.spec.yamlsafe import MAX_DEPTH, YamlProblem

from support import HEAD

Validate = Callable[..., tuple[int, list[str]]]

STANDARD_TAGS = [
    "str", "int", "float", "bool", "null", "timestamp", "map", "seq",
    "merge", "value", "binary", "set", "omap", "pairs", "yaml",
]  # fmt: skip
UNFITTING = ["", "maybe", "''", "nope", "[1, 2]", "{a: 1}", "0x", "'-'", "2026-02-30", "1.5.5"]


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as info:
        yamlsafe.load(text)
    return info.value


def ordered(data: Any) -> Any:
    """Data with every mapping as a list of pairs, so key order is compared too."""
    if isinstance(data, dict):
        return [(k, ordered(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [ordered(v) for v in data]
    return data


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool maybe", "'maybe' is not a valid !!bool; write true or false"),
        ("!!bool", "an empty value is not a valid !!bool; write true or false"),
        ("!!int", "an empty value is not a valid !!int; write a whole number, e.g. 42"),
        ("!!int ''", "an empty value is not a valid !!int; write a whole number, e.g. 42"),
        ("!!float", "an empty value is not a valid !!float; write a number, e.g. 1.5"),
        ("!!float x", "'x' is not a valid !!float; write a number, e.g. 1.5"),
        (
            "!!timestamp nope",
            "'nope' is not a valid !!timestamp; write a date or a time, "
            "e.g. 2026-12-15 or 2026-12-15T09:30:00Z",
        ),
        ("!!null x", "'x' is not a valid !!null; write null or leave the value empty"),
        ("!!int [1]", "a !!int tag needs a plain value, not a sequence"),
        ("!!map x", "a !!map tag needs a mapping, not a plain value"),
        ("!!seq {a: 1}", "a !!seq tag needs a sequence, not a mapping"),
        ("!!binary aGk=", "YAML tag '!!binary' is not supported; write a plain value without it"),
        ("!!merge x", "a !!merge tag marks a merge key ('<<: …'); it cannot tag a value"),
    ],
)
def test_an_explicit_tag_on_an_unfitting_value_is_located(
    validate: Validate, value: str, message: str
) -> None:
    code, lines = validate(HEAD + f"scope: {value}\n---\n")
    assert lines == [f"m.md:5:8: scope: {message}", "1 problem found"]
    assert code == 1


@pytest.mark.parametrize("tag", STANDARD_TAGS)
def test_every_standard_tag_with_every_unfitting_value_is_a_located_problem(
    validate: Validate, tag: str
) -> None:
    for value in UNFITTING:
        text = HEAD + f"tasks:\n  - id: a\n    title: !!{tag} {value}\n---\n"
        code, lines = validate(text)
        assert code in (0, 1), (tag, value, lines)
        if code == 1:
            assert lines[0].startswith("m.md:7:12: tasks[0].title: "), (tag, value, lines)


def test_a_bare_merge_key_as_a_value_is_the_string() -> None:
    doc = yamlsafe.load("a: <<\nb: [<<, x]\nc: &m <<\nd: *m\n")
    assert doc.data == {"a": "<<", "b": ["<<", "x"], "c": "<<", "d": "<<"}
    assert all(type(v) is str for v in (doc.data["a"], doc.data["b"][0], doc.data["d"]))


def test_a_bare_merge_key_as_a_title_validates(validate: Validate) -> None:
    code, lines = validate(HEAD + "tasks:\n  - id: a\n    title: <<\n---\n")
    assert (code, lines[-1:]) == (0, [])


def test_large_documents_without_aliases_load() -> None:
    doc = yamlsafe.load("- [a, b, c]\n" * 100_000)
    assert len(doc.data) == 100_000
    assert doc.data[-1] == ["a", "b", "c"]


def test_a_mission_of_ten_thousand_tasks_in_one_file_validates(validate: Validate) -> None:
    tasks = "".join(
        f"  - id: t{n}\n    title: Step {n}\n    agent: shell\n    owner: alex-kim\n"
        f"    depends_on: [{f't{n - 1}' if n else ''}]\n"
        f"    with: {{command: 'echo {n}', env: {{STEP: '{n}'}}}}\n"
        f"    acceptance: [Step {n} is done, Nothing else changed]\n"
        f"    checks:\n      - command: test -f out/{n}\n      - file: out/{n}\n"
        "    timeout: 5m\n    retries: 1\n"
        for n in range(10_000)
    )
    code, lines = validate(HEAD + "tasks:\n" + tasks + "---\n")
    assert code == 0
    assert [line.split(": tasks: ")[1][:40] for line in lines] == [
        "10000 tasks; GitHub allows 100 sub-issue"  # only the limits' note: phases on GitHub
    ]


def test_the_size_guard_counts_aliases_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
              for p, n in zip("abcde", "bcdef", strict=True)]  # fmt: skip
    found = problem("\n".join(lines) + "\n")
    assert (found.line, found.column) == (6, 36)
    assert "more than 1,000,000 values, aliases expanded" in found.message


@pytest.mark.parametrize(
    ("text", "data"),
    [("=: x\n", {"=": "x"}), ("a: =\n", {"a": "="}), ("a: [=, 1]\n", {"a": ["=", 1]})],
)
def test_a_plain_equals_sign_is_a_string(text: str, data: object) -> None:
    assert yamlsafe.load(text).data == data


def test_only_tags_written_in_the_file_are_refused(validate: Validate) -> None:
    code, _ = validate(HEAD + "scope: =\ntasks:\n  - id: a\n    title: =\n---\n")
    assert code == 0
    assert problem("a: !!value =\n").message == (
        "YAML tag '!!value' is not supported; write a plain value without it"
    )


def test_a_second_merge_key_is_a_duplicate() -> None:
    found = problem("x: &x {a: 1}\ny: &y {b: 1}\nz:\n  <<: *x\n  c: 2\n  <<: *y\n")
    assert (found.line, found.column, found.path) == (6, 3, ("z",))
    assert found.message == (
        "duplicate key '<<' (first defined at line 4); merge several mappings with '<<: [*a, *b]'"
    )


def test_depth_is_counted_through_aliases() -> None:
    text = "a0: &a0 [x]\n" + "".join(f"a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, 1100))
    found = problem(text)
    assert found.message == f"YAML nested deeper than {MAX_DEPTH} levels (aliases followed)"
    assert (found.line, found.column) == (
        MAX_DEPTH,
        len(f"a{MAX_DEPTH - 1}: &a{MAX_DEPTH - 1} [") + 1,
    )
    deepest = "a0: &a0 [x]\n" + "".join(
        f"a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, MAX_DEPTH - 1)
    )
    assert yamlsafe.load(deepest).data["a0"] == ["x"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: \x01\n", (1, 4)),
        ("é: ü\nb: 'x\x07'\n", (2, 6)),
        ("a: 1\r\nb: 2\r\nc: \x02\r\n", (3, 4)),
        ("a: 😀\x03\n", (1, 5)),
    ],
)
def test_control_characters_are_reported_where_they_are(text: str, where: tuple[int, int]) -> None:
    found = problem(text)
    assert (found.line, found.column) == where
    assert found.message.endswith("control characters are not allowed")


def test_a_control_character_in_a_mission_is_located(validate: Validate) -> None:
    code, lines = validate(HEAD + "scope: tab\tok, bell\x07 not\n---\n")
    assert lines == [
        "m.md:5:20: invalid YAML: character #x0007: control characters are not allowed",
        "1 problem found",
    ]
    assert code == 1


MERGES = [
    "base: &b {x: 1, y: 2}\nm:\n  z: 3\n  <<: *b\n  x: 9\n",
    "base: &b {x: 1, y: 2}\nm: {<<: *b, y: 5, w: 0}\n",
    "a: &a {k: 1}\nb: &b {<<: *a, j: 2}\nc: {q: 0, <<: *b}\n",
]


@pytest.mark.parametrize("text", MERGES)
def test_merged_keys_come_first_as_in_pyyaml(text: str) -> None:
    assert ordered(yamlsafe.load(text).data) == ordered(yaml.safe_load(text))


def test_merged_keys_order_and_precedence() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, w: 2}\nm: {v: 0, <<: [*a, *b], x: 0}\n"
    merged = yamlsafe.load(text).data["m"]
    # Sources in order (an earlier one wins), then the mapping's own keys (which win over all).
    assert list(merged.items()) == [("x", 0), ("y", 1), ("w", 2), ("v", 0)]


def test_problems_escape_control_characters_from_the_file(validate: Validate) -> None:
    code, lines = validate(HEAD + '"\\e[31mred\\x1e": x\n---\n')
    assert lines == [
        "m.md:5:1: \\x1b[31mred\\x1e: unknown key '\\x1b[31mred\\x1e'; expected one of: "
        + lines[0].split("expected one of: ")[1],
        "1 problem found",
    ]
    assert code == 1


def test_the_non_specific_tag_reads_plain_values_as_strings() -> None:
    assert yamlsafe.load("- ! 1\n- ! null\n- !\n").data == ["1", "null", ""]
