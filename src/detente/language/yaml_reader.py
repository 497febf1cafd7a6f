"""Read YAML (or JSON) safely into plain data, remembering where every value was.

The reader composes the YAML node graph itself and builds plain Python values
from it, so that nothing in a file can construct objects, expand without bound
(alias bombs), recurse without bound, or turn a 10,000-digit number into work.
Every value's position is kept in a :class:`Locations` map keyed by its path,
which is how later stages report ``PATH:LINE:COL``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from detente.errors import Problem

#: How many values one file may expand to (aliases count every time they are used).
MAX_VALUES = 200_000
#: How deeply values may nest.
MAX_DEPTH = 64
#: Longest integer literal accepted, in digits.
MAX_INT_DIGITS = 18

Path = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@dataclass
class Locations:
    """Where each value of a document was, by its path from the root."""

    path: str
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``loc``, or of its nearest parent."""
        table = self.key_marks if key else self.marks
        probe = tuple(loc)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.marks:
                return self.marks[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(self, loc: Path, message: str, *, key: bool = False) -> Problem:
        line, col = self.at(loc, key=key)
        return Problem(self.path, line, col, message)


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_VALUES


class _Stop(Exception):
    """Raised inside the builder to stop at the first structural problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 text, locating the first invalid byte if there is one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(path, line, col, "the file is not valid UTF-8 text")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def read_yaml(text: str, path: str) -> tuple[Any, Locations, list[Problem]]:
    """Parse ``text`` into plain data. Returns the data, its locations and any problems."""
    locs = Locations(path)
    if "\x00" in text:
        nul_line = text[: text.index("\x00")].count("\n") + 1
        return None, locs, [Problem(path, nul_line, None, "the file contains a NUL character")]
    deep = _flow_too_deep(text, path)
    if deep is not None:
        return None, locs, [deep]
    yaml = YAML(typ="rt", pure=True)
    try:
        nodes = list(_compose_all(yaml, text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line: int | None = mark.line + 1 if mark is not None else None
        col: int | None = mark.column + 1 if mark is not None else None
        reason = _one_line(exc.problem or exc.context or "the YAML cannot be read")
        return None, locs, [Problem(path, line, col, f"invalid YAML: {reason}")]
    except ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        message = f"the file contains the control character U+{char:04X}, which YAML does not allow"
        return None, locs, [Problem(path, line, col, message)]
    except YAMLError as exc:
        return None, locs, [Problem(path, None, None, f"invalid YAML: {_one_line(str(exc))}")]
    except RecursionError:
        return None, locs, [Problem(path, None, None, "the YAML nests too deeply to be read")]
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        # ruamel raises these on a few malformed inputs; report them as YAML errors.
        return None, locs, [Problem(path, None, None, f"invalid YAML: {exc}")]
    if not nodes:
        return None, locs, [Problem(path, 1, 1, "the file is empty")]
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        return (
            None,
            locs,
            [
                Problem(
                    path,
                    mark.line + 1,
                    mark.column + 1,
                    "the file holds more than one YAML document; put one agreement per file",
                )
            ],
        )
    too_big = _expansion(nodes[0], {}, 0)
    if too_big is not None:
        line, col = _where(too_big, locs)
        message = f"the file expands to more than {MAX_VALUES:,} values (aliases included)"
        return None, locs, [Problem(path, line, col, message)]
    try:
        value = _build(nodes[0], (), locs, _Budget(), 0, frozenset())
    except _Stop as stop:
        return None, locs, [stop.problem]
    return value, locs, []


def _flow_too_deep(text: str, path: str) -> Problem | None:
    """Refuse ``[[[[...`` nested past :data:`MAX_DEPTH` before parsing: the YAML scanner
    takes time quadratic in flow nesting, so 5,000 brackets would take minutes.
    (Brackets inside quotes and comments are skipped; a plain scalar rarely opens 64.)
    """
    depth = 0
    line, col = 1, 0
    quote: str | None = None
    comment = False
    for ch in text:
        col += 1
        if ch == "\n":
            line, col, comment = line + 1, 0, False
            continue
        if comment:
            continue
        if quote is not None:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(path, line, col, f"values nest more than {MAX_DEPTH} levels deep")
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _expansion(node: Node, sizes: dict[int, int], depth: int) -> Node | None:
    """The alias that makes the document expand past :data:`MAX_VALUES`, if any.

    Counts each node once (``sizes`` is keyed by node), so a billion-laughs document
    is refused in time linear in its text rather than in its expansion.
    """
    if depth > MAX_DEPTH or id(node) in sizes:
        return None
    sizes[id(node)] = 1  # a node that contains itself is refused later, by _build
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    total = 1
    for child in children:
        found = _expansion(child, sizes, depth + 1)
        if found is not None:
            return found
        total += sizes.get(id(child), 1)
        if total > MAX_VALUES:
            return child
    sizes[id(node)] = total
    return None


def _compose_all(yaml: YAML, text: str) -> Iterator[Node]:
    with warnings.catch_warnings():
        # ruamel warns (on stderr) about a reused anchor; the later one wins, as YAML says.
        warnings.simplefilter("ignore")
        yield from yaml.compose_all(text)


def _where(node: Node, locs: Locations) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _fail(node: Node, locs: Locations, message: str) -> _Stop:
    line, col = _where(node, locs)
    return _Stop(Problem(locs.path, line, col, message))


def _build(
    node: Node, loc: Path, locs: Locations, budget: _Budget, depth: int, active: frozenset[int]
) -> Any:
    budget.left -= 1
    if budget.left < 0:
        raise _fail(
            node, locs, f"the file expands to more than {MAX_VALUES:,} values (aliases included)"
        )
    if depth > MAX_DEPTH:
        raise _fail(node, locs, f"values nest more than {MAX_DEPTH} levels deep")
    if id(node) in active:
        raise _fail(node, locs, "an alias refers to a value that contains it")
    tag = str(node.tag)
    if tag not in _PLAIN_TAGS:
        raise _fail(
            node,
            locs,
            f"the tag {tag!r} is not allowed: a specification holds plain values only",
        )
    locs.marks.setdefault(loc, _where(node, locs))
    if isinstance(node, ScalarNode):
        return _scalar(node, locs)
    inner = active | {id(node)}
    if isinstance(node, SequenceNode):
        return [
            _build(item, (*loc, i), locs, budget, depth + 1, inner)
            for i, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag) == _STD + "merge":
                raise _fail(key_node, locs, "merge keys (<<) are not supported")
            if not isinstance(key_node, ScalarNode):
                raise _fail(key_node, locs, "a mapping key must be a plain word, not a structure")
            key = _scalar(key_node, locs)
            if isinstance(key, bool) or key is None:
                key = str(key_node.value)
            key = str(key)
            if key in out:
                raise _fail(key_node, locs, f"the key {key!r} appears twice in the same mapping")
            locs.key_marks[(*loc, key)] = _where(key_node, locs)
            out[key] = _build(value_node, (*loc, key), locs, budget, depth + 1, inner)
        return out
    raise _fail(node, locs, "unsupported YAML node")


_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}


def _scalar(node: ScalarNode, locs: Locations) -> Any:
    tag = str(node.tag)
    raw: str = node.value
    if node.style == ">":
        # ruamel's round-trip scanner marks each fold of a folded scalar with BEL.
        raw = raw.replace("\a", "")
    if tag == _STD + "str" or node.style in ("'", '"', "|", ">"):
        return raw
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        return raw in _TRUE if raw in _TRUE | _FALSE else raw
    if tag == _STD + "int":
        digits = raw.replace("_", "").lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            raise _fail(node, locs, f"the number {raw[:24]}… is too large")
        try:
            return int(raw.replace("_", ""), 0)
        except ValueError:
            try:
                return int(raw.replace("_", ""))
            except ValueError:
                return raw
    if tag == _STD + "float":
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            return raw
        if not math.isfinite(value):
            raise _fail(node, locs, f"the number {raw[:24]!r} is not a finite number")
        return value
    if tag == _STD + "timestamp":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return raw
    return raw
