"""Explicit-state search over the compiled model: breadth-first exploration, shortest
paths to a bad state, and lassos (a path, then a loop that repeats forever).

States are interned: each distinct state tuple gets one int id, in breadth-first
order, so "the first id satisfying P" is a state at the least depth, and the
parent pointers give a shortest path to it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from detente.checker.model import Model, State


class Bound(Exception):
    """The state bound was reached."""


@dataclass
class Graph:
    """The reachable states of a model under one restriction, explored breadth-first."""

    model: Model
    forbid: int = 0
    powers: bool = True
    max_states: int | None = None
    states: list[State] = field(default_factory=list)
    index: dict[State, int] = field(default_factory=dict)
    parent: list[int] = field(default_factory=list)
    edges: list[tuple[int, ...]] = field(default_factory=list)
    complete: bool = False
    progress: Callable[[int], None] | None = None

    def explore(self) -> Graph:
        m, index, states, parent, edges = (
            self.model,
            self.index,
            self.states,
            self.parent,
            self.edges,
        )
        if not states:
            index[m.initial] = 0
            states.append(m.initial)
            parent.append(-1)
        i = len(edges)
        limit = self.max_states
        succ = m.successors
        forbid, powers = self.forbid, self.powers
        while i < len(states):
            out: list[int] = []
            for t in succ(states[i], forbid=forbid, powers=powers):
                j = index.get(t)
                if j is None:
                    if limit is not None and len(states) >= limit:
                        self.complete = False
                        return self
                    j = len(states)
                    index[t] = j
                    states.append(t)
                    parent.append(i)
                out.append(j)
            edges.append(tuple(out))
            i += 1
            if self.progress is not None and i % 4096 == 0:
                self.progress(len(states))
        self.complete = True
        return self

    @property
    def size(self) -> int:
        return len(self.states)

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

    def successors_of(self, j: int) -> tuple[int, ...]:
        return self.edges[j] if j < len(self.edges) else ()


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
