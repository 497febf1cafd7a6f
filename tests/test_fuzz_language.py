"""Property-based tests: no input at all makes the language layer do anything but report
located problems (SpecError) or an unreadable path (UnreadableError), and the CLI exits
0, 1 or 2 without a traceback.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import SpecError, UnreadableError
from detente.language.loader import load, load_text
from detente.language.yaml_reader import read_yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal.yaml"

FUZZ = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def only_located_problems(run: Callable[[], object], *, lines: bool = False) -> None:
    """``run`` succeeds, or fails with sentences located in a file; nothing else escapes."""
    try:
        run()
    except SpecError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.path and p.message, p
            assert "pydantic" not in p.message and "Input should" not in p.message, p
            assert str(p).startswith(f"{p.path}"), p
            if lines:
                assert p.line is not None, p
    except UnreadableError as exc:
        assert exc.reason


# --------------------------------------------------------------------------- raw input


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(data)
        only_located_problems(lambda: load(path))


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    only_located_problems(lambda: load_text(text))


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "agreement:",
                "  ",
                "- ",
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "&a ",
                "*a",
                "!!python/name:os",
                "? ",
                "---",
                "...",
                "'",
                '"',
                "#",
                "\n",
                "|",
                ">",
                "!!binary",
                "<<: ",
                "%YAML 1.2\n",
                "id",
                "1e999",
                "9" * 40,
                "\ufeff",
                "\x00",
                "\t",
                "@",
                "`",
            ]
        ),
        max_size=60,
    )
)
def test_yaml_shaped_noise(parts: list[str]) -> None:
    only_located_problems(lambda: load_text("".join(parts)))


# --------------------------------------------------------------------------- YAML documents

_WORDS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_SCALARS = st.one_of(
    _WORDS,
    st.integers().map(str),
    st.integers(min_value=10**30, max_value=10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(
        [
            "null",
            "~",
            "true",
            "no",
            "2024-05-31",
            "2024-13-45",
            ".inf",
            ".nan",
            "0x1F",
            "0o17",
            "1_000",
            "+5",
            "-0",
            "'1.10'",
            "1.10",
            "phase1 day 16",
            "entry_into_force",
            "open",
            "''",
            '""',
            "!!str 5",
            "!!int x",
            "!!float y",
            "!!bool maybe",
            "!!timestamp nope",
            "!!python/object:os.system",
            "!!python/object/apply:os.system ['id']",
            "!custom 1",
            "!!binary aGVsbG8=",
            "!!set {a, b}",
            "!!omap [a: 1]",
        ]
    ),
)


def _yaml(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.one_of(_WORDS, st.sampled_from(["agreement", "extends", "id", "phases", "<<", "? x"]))
    return st.one_of(
        st.lists(children, max_size=5).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, children), max_size=5).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        st.tuples(_WORDS, children).map(lambda t: f"&{t[0]} {t[1]}"),
        _WORDS.map(lambda w: f"*{w}"),
    )


YAML_DOCUMENTS = st.recursive(_SCALARS, _yaml, max_leaves=40)


@FUZZ
@given(YAML_DOCUMENTS, st.booleans())
def test_arbitrary_yaml_documents(document: str, wrap: bool) -> None:
    text = f"agreement: {document}\n" if wrap else document + "\n"
    only_located_problems(lambda: load_text(text))


@FUZZ
@given(st.integers(min_value=1, max_value=400), st.sampled_from(["[", "{a: ", "- ", "a:\n "]))
def test_deep_nesting(depth: int, opener: str) -> None:
    closer = {"[": "]", "{a: ": "}"}.get(opener, "")
    text = opener * depth + "1" + closer * depth
    only_located_problems(lambda: load_text(text))


@FUZZ
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=2, max_value=12))
def test_alias_bombs(width: int, levels: int) -> None:
    lines = ["l0: &l0 [x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    only_located_problems(lambda: load_text("\n".join(lines) + "\n"))


# --------------------------------------------------------------------------- mutated specs


def _valid() -> dict[str, Any]:
    data, _, problems = read_yaml(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE))
    assert not problems
    assert isinstance(data, dict)
    return data


VALID = _valid()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = [p for p in _paths(VALID) if p]
REFERENCE_VALUES = sorted(
    {v for v in ("a", "b", "m", "one", "two", "hostages", "prisoners", "3", "1", "2", "made_up")}
)
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.sampled_from(REFERENCE_VALUES),
    st.just([]),
    st.just({}),
    st.lists(st.sampled_from(REFERENCE_VALUES), max_size=3),
    st.dictionaries(_WORDS, st.integers(0, 50), max_size=2),
)


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["drop", "retype", "rename", "duplicate"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "retype":
            parent[path[-1]] = draw(REPLACEMENTS)
        elif action == "rename":
            parent[path[-1]] = draw(st.sampled_from([*REFERENCE_VALUES, "nowhere", "zz"]))
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return data


@settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated_specs())
def test_mutations_of_a_valid_spec(data: dict[str, Any]) -> None:
    # JSON is YAML: every problem must point at a line of this text.
    text = json.dumps(data, indent=1, default=str)
    only_located_problems(lambda: load_text(text, "mutated.yaml"), lines=True)


# --------------------------------------------------------------------------- the command


@settings(max_examples=30, deadline=timedelta(seconds=10), suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=300),
        YAML_DOCUMENTS.map(str.encode),
        mutated_specs().map(lambda d: json.dumps(d).encode()),
    )
)
def test_the_cli_exits_0_1_or_2_without_a_traceback(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for line in result.output.splitlines():
        assert line.startswith(str(path)), line
