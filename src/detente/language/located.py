"""An agreement together with where each part of it came from (file, line, column).

The loader builds these; the semantic checks (:mod:`detente.language.checks`) read them
to point every problem at its place, even in a clause a draft inherited from its base.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from detente.errors import Problem
from detente.language.model import Agreement
from detente.language.yaml_reader import Locations

LocPath = tuple[str | int, ...]


MISSING = object()


def child(container: Any, step: str | int) -> Any:
    """``container[step]`` for a mapping key or list index that exists, else ``MISSING``."""
    if isinstance(container, dict):
        return container.get(step, MISSING) if isinstance(step, str) else MISSING
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return container[step]
    return MISSING


@dataclass
class Origins:
    """Where each mapping or list of a (possibly merged) agreement came from.

    Keyed by object identity: merging keeps the original objects, so a clause
    inherited from a base file is still found in the base file.
    """

    table: dict[int, tuple[Locations, LocPath]] = field(default_factory=dict)
    keep: list[Any] = field(default_factory=list)

    def register_tree(self, value: Any, locs: Locations, loc: LocPath) -> None:
        if isinstance(value, dict):
            self._add(value, locs, loc)
            for k, v in value.items():
                self.register_tree(v, locs, (*loc, k))
        elif isinstance(value, list):
            self._add(value, locs, loc)
            for i, v in enumerate(value):
                self.register_tree(v, locs, (*loc, i))

    def _add(self, obj: Any, locs: Locations, loc: LocPath) -> None:
        self.table[id(obj)] = (locs, loc)
        self.keep.append(obj)

    def merge(self, other: Origins) -> None:
        self.table.update(other.table)
        self.keep.extend(other.keep)

    def locate(
        self, root: Any, loc: Iterable[str | int], *, key: bool = False
    ) -> tuple[str, int | None, int | None]:
        """File, line and column of the value at ``loc`` below ``root``."""
        best: tuple[Locations, LocPath, int] | None = None
        current: Any = root
        steps = list(loc)
        for depth in range(len(steps) + 1):
            if id(current) in self.table:
                locs, base = self.table[id(current)]
                best = (locs, base, depth)
            if depth == len(steps):
                break
            step = steps[depth]
            nxt = child(current, step)
            if nxt is MISSING:
                break
            current = nxt
        if best is None:
            return ("<unknown>", None, None)
        locs, base, depth = best
        line, col = locs.at((*base, *steps[depth:]), key=key)
        return (locs.path, line, col)

    def problem(self, root: Any, loc: Iterable[str | int], message: str) -> Problem:
        path, line, col = self.locate(root, loc)
        return Problem(path, line, col, message)


@dataclass
class Loaded:
    """An agreement with the data it was validated from and where each part came from."""

    agreement: Agreement
    data: dict[str, Any]
    origins: Origins
    path: str
    #: True when the file failed its shape check and only the entries that passed it
    #: are here (so semantic checks still report what they can).
    partial: bool = False
    #: What is worth a look but not wrong (a source with no publisher …), in file order.
    warnings: list[Problem] = field(default_factory=list)

    def where(self, loc: Iterable[str | int]) -> tuple[str, int | None, int | None]:
        """File, line, column of a value, by its path inside the agreement mapping."""
        return self.origins.locate(self.data, loc)
