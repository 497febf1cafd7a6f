"""Explicit-state search over the compiled model: breadth-first exploration, shortest
paths to a bad state, and lassos (a path, then a loop that repeats forever).

States are interned: each distinct state tuple gets one int id, in breadth-first
order, so "the first id satisfying P" is a state at the least depth, and the
parent pointers give a shortest path to it.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

from detente.checker.memory import rss
from detente.checker.result import Limit
from detente.semantics.system import System
from detente.semantics.tables import State

#: New states between two readings of the process's memory.
MEMORY_EVERY = 4096


class Bound(Exception):
    """The state bound was reached."""


def pack(t: Sequence[int]) -> bytes:
    """A state's compact, injective key: one byte per slot when every slot is in 0..255,
    else eight (signed) bytes per slot. The two forms differ in length, so for states of
    one width no key of one form equals a key of the other."""
    try:
        return bytes(t)
    except ValueError:
        return array("q", t).tobytes()


def unpack(b: bytes, width: int) -> State:
    """The state whose :func:`pack` is ``b``."""
    return tuple(b) if len(b) == width else tuple(array("q", b))


class States(Sequence[State]):
    """The explored states in breadth-first order, stored packed, read as tuples."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.packed: list[bytes] = []

    def __len__(self) -> int:
        return len(self.packed)

    @overload
    def __getitem__(self, j: int) -> State: ...

    @overload
    def __getitem__(self, j: slice) -> list[State]: ...

    def __getitem__(self, j: int | slice) -> State | list[State]:
        if isinstance(j, slice):
            return [unpack(b, self.width) for b in self.packed[j]]
        return unpack(self.packed[j], self.width)

    def __iter__(self) -> Iterator[State]:
        w = self.width
        for b in self.packed:
            yield unpack(b, w)


@dataclass
class Graph:
    """The reachable states of a model under one restriction, explored breadth-first.

    Storage is compact: the intern table maps each packed state (:func:`pack`) to its
    id, ``states`` holds the packed forms (unpacked when read), ``parent`` is an int
    array, and the edges are one flat int array (``targets``) cut by ``offsets``: the
    successors of ``j`` are ``targets[offsets[j]:offsets[j + 1]]``.
    """

    model: System
    forbid: int = 0
    powers: bool = True
    max_states: int | None = None
    max_memory: int | None = None  # bytes of resident memory (the whole process)
    states: States = field(init=False)
    index: dict[bytes, int] = field(default_factory=dict)
    parent: array[int] = field(default_factory=lambda: array("i"))
    targets: array[int] = field(default_factory=lambda: array("i"))
    offsets: array[int] = field(default_factory=lambda: array("q", [0]))
    complete: bool = False
    progress: Callable[[int], None] | None = None
    stopped: Limit | None = None  # the bound reached, when not complete

    def __post_init__(self) -> None:
        self.states = States(self.model.width)

    def explore(self) -> Graph:
        m, index, parent, targets, offsets = (
            self.model,
            self.index,
            self.parent,
            self.targets,
            self.offsets,
        )
        packed = self.states.packed
        width = m.width
        if not packed:
            b = pack(m.initial)
            index[b] = 0
            packed.append(b)
            parent.append(-1)
        i = len(offsets) - 1
        limit = self.max_states
        mem_bound = -1 if self.max_memory is None else self.max_memory
        if mem_bound >= 0 and (used := rss()) > mem_bound:
            return self._stop("memory", mem_bound, used)
        succ = m.successors
        forbid, powers = self.forbid, self.powers
        get = index.get
        while i < len(packed):
            b = packed[i]
            s = tuple(b) if len(b) == width else tuple(array("q", b))
            for t in succ(s, forbid=forbid, powers=powers):
                try:
                    key = bytes(t)
                except ValueError:
                    key = array("q", t).tobytes()
                j = get(key)
                if j is None:
                    j = len(packed)
                    if limit is not None and j >= limit:
                        return self._stop("states", limit, rss())
                    if mem_bound >= 0 and not j % MEMORY_EVERY and (used := rss()) > mem_bound:
                        return self._stop("memory", mem_bound, used)
                    index[key] = j
                    packed.append(key)
                    parent.append(i)
                targets.append(j)
            offsets.append(len(targets))
            i += 1
            if self.progress is not None and i % 4096 == 0:
                self.progress(len(packed))
        self.complete = True
        return self

    def _stop(self, kind: Literal["states", "memory"], bound: int, used: int) -> Graph:
        """Stop exploring: the partly expanded state keeps no edges."""
        del self.targets[self.offsets[-1] :]
        self.complete = False
        self.stopped = Limit(kind, bound, len(self.states), used)
        return self

    @property
    def size(self) -> int:
        return len(self.states)

    def id_of(self, s: Sequence[int]) -> int | None:
        """The id of an explored state, or None."""
        return self.index.get(pack(s))

    def path_to(self, j: int) -> list[int]:
        """Ids from the initial state to ``j`` along a shortest path."""
        out = [j]
        while self.parent[out[-1]] >= 0:
            out.append(self.parent[out[-1]])
        return out[::-1]

    def first(self, bad: Callable[[State], bool]) -> int | None:
        """The id of a least-depth explored state satisfying ``bad``."""
        for j, s in enumerate(self.states):
            if bad(s):
                return j
        return None

    def successors_of(self, j: int) -> Sequence[int]:
        off = self.offsets
        if j + 1 >= len(off):
            return ()
        return self.targets[off[j] : off[j + 1]]


def find_lasso(
    nodes: Sequence[int],
    succ: Callable[[int], Iterable[int]],
    region: Callable[[int], bool],
    accepting: Sequence[Callable[[int], bool]] = (),
) -> tuple[int, list[int]] | None:
    """A cycle inside ``region`` that meets every accepting set, as (entry node, loop).

    ``nodes`` are the reachable nodes in breadth-first order; the entry returned is
    the earliest node (so the shortest prefix) of an accepting strongly connected
    component. The loop starts and ends at the entry.
    """
    order = {n: k for k, n in enumerate(nodes)}
    inside = [n for n in nodes if region(n)]
    comp = _sccs(inside, lambda n: [x for x in succ(n) if x in order and region(x)])
    best: tuple[int, list[int]] | None = None
    members: dict[int, list[int]] = {}
    for n, c in comp.items():
        members.setdefault(c, []).append(n)
    for ms in members.values():
        mset = set(ms)
        if len(ms) == 1:
            n = ms[0]
            if n not in set(succ(n)):
                continue
        if not all(any(acc(n) for n in ms) for acc in accepting):
            continue
        entry = min(ms, key=lambda n: order[n])
        if best is not None and order[entry] >= order[best[0]]:
            continue
        loop = [entry]
        at = entry
        for acc in accepting:
            seg = _bfs_within(at, acc, succ, mset, allow_self=True)
            loop.extend(seg[1:])
            at = loop[-1]
        back = _bfs_within(at, entry.__eq__, succ, mset, allow_self=False)
        loop.extend(back[1:])
        best = (entry, loop)
    return best


def _bfs_within(
    start: int,
    goal: Callable[[int], bool],
    succ: Callable[[int], Iterable[int]],
    allowed: set[int],
    *,
    allow_self: bool,
) -> list[int]:
    """A shortest path from ``start`` to a goal node inside ``allowed`` (at least one edge
    unless ``allow_self`` and ``start`` is itself a goal)."""
    if allow_self and goal(start):
        return [start]
    prev: dict[int, int] = {}
    queue = deque([start])
    seen = {start} if allow_self else set()
    while queue:
        n = queue.popleft()
        for x in succ(n):
            if x not in allowed or x in seen:
                continue
            seen.add(x)
            prev[x] = n
            if goal(x):
                path = [x]
                cur = x
                while True:
                    cur = prev[cur]
                    path.append(cur)
                    if cur == start:
                        break
                return path[::-1]
            queue.append(x)
    raise AssertionError("no path inside a strongly connected component")


def _sccs(nodes: Sequence[int], succ: Callable[[int], list[int]]) -> dict[int, int]:
    """Tarjan's algorithm, iterative: node -> component number."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    comp: dict[int, int] = {}
    counter = 0
    ncomp = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, list[int], int]] = [(root, succ(root), 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children, k = work[-1]
            if k < len(children):
                work[-1] = (v, children, k + 1)
                w = children[k]
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, succ(w), 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = ncomp
                    if w == v:
                        break
                ncomp += 1
    return comp
