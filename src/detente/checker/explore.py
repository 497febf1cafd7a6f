"""Explicit-state search over the compiled model: breadth-first exploration, shortest
paths to a bad state, and lassos (a path, then a loop that repeats forever).

States are interned: each distinct state tuple gets one int id, in breadth-first
order, so "the first id satisfying P" is a state at the least depth, and the
parent pointers give a shortest path to it.
"""

from __future__ import annotations

import gc
import sys
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from time import monotonic
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


#: Typecodes of the record forms, narrowest first: one unsigned byte a slot, then two,
#: four and eight signed bytes.
FORMS = ("B", "h", "i", "q")


class Records:
    """The intern table: each state stored once as a fixed-size record, its id its position.

    Records live end to end in one ``bytearray``, every slot in the same form (``FORMS``:
    one byte while every value seen is in 0..255, else the narrowest signed form that
    holds them all), so the encoding is injective for a given form. An open-addressing
    hash table (an ``array`` of ids, -1 where empty, at most two thirds full, probed as
    CPython's dicts are) finds a record from its bytes. When a state does not fit the
    form, every record is re-encoded in a wider one and the table rebuilt: ids stay.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.form = 0
        self.code = FORMS[0]
        self.size = width  # bytes a record
        self.recs = bytearray()
        self.n = 0
        self.table: array[int] = array("i", [-1]) * 1024
        self.mask = 1023
        self.key = b""  # the last key looked up, for :meth:`add`

    def __len__(self) -> int:
        return self.n

    def encode(self, t: Sequence[int]) -> bytes:
        """``t`` in the current form, widening the form first if ``t`` does not fit it."""
        while True:
            try:
                if self.form == 0:
                    return bytes(t)
                return array(self.code, t).tobytes()
            except (ValueError, OverflowError):
                self._widen()

    def find(self, t: Sequence[int]) -> int:
        """The id of ``t``, or ``~slot`` (negative) where :meth:`add` will put it."""
        key = self.key = self.encode(t)
        return self._probe(key)

    def lookup(self, t: Sequence[int]) -> int | None:
        """The id of ``t`` if it is stored (nothing changes)."""
        try:
            key = bytes(t) if self.form == 0 else array(self.code, t).tobytes()
        except (ValueError, OverflowError):
            return None
        j = self._probe(key)
        return j if j >= 0 else None

    def _probe(self, key: bytes) -> int:
        h = hash(key)
        mask, table, recs, size = self.mask, self.table, self.recs, self.size
        slot = h & mask
        perturb = h & 0x7FFFFFFFFFFFFFFF
        while True:
            j = table[slot]
            if j < 0:
                return ~slot
            if recs.startswith(key, j * size):
                return j
            perturb >>= 5
            slot = (slot * 5 + perturb + 1) & mask

    def add(self, where: int) -> int:
        """Store the key :meth:`find` last looked up at the slot it gave (``where``)."""
        j = self.n
        self.table[~where] = j
        self.recs += self.key
        self.n = j + 1
        if 3 * self.n > 2 * (self.mask + 1):
            self._rehash(2 * (self.mask + 1))
        return j

    def state(self, j: int) -> State:
        o = j * self.size
        if self.form == 0:
            return tuple(self.recs[o : o + self.size])
        return tuple(array(self.code, self.recs[o : o + self.size]))

    def __iter__(self) -> Iterator[State]:
        for j in range(self.n):
            yield self.state(j)

    def nbytes(self) -> int:
        """The bytes this table holds: its records and its hash table."""
        return sys.getsizeof(self.recs) + self.table.buffer_info()[1] * self.table.itemsize

    def _widen(self) -> None:
        if self.form + 1 >= len(FORMS):
            raise OverflowError("a state's value does not fit in eight bytes")
        values = array(self.code, self.recs)
        self.form += 1
        self.code = FORMS[self.form]
        self.size = self.width * array(self.code).itemsize
        self.recs = bytearray(array(self.code, values).tobytes())
        self._rehash(self.mask + 1)

    def _rehash(self, capacity: int) -> None:
        table: array[int] = array("i", [-1]) * capacity
        mask = capacity - 1
        recs, size = self.recs, self.size
        for o in range(0, self.n * size, size):
            h = hash(bytes(recs[o : o + size]))
            slot = h & mask
            perturb = h & 0x7FFFFFFFFFFFFFFF
            while table[slot] >= 0:
                perturb >>= 5
                slot = (slot * 5 + perturb + 1) & mask
            table[slot] = o // size
        self.table, self.mask = table, mask


class PackedDict:
    """The oracle intern table: a dict from each state's :func:`pack` to its id, and the
    packed forms in a list (the explorer's storage before :class:`Records`)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.index: dict[bytes, int] = {}
        self.packed: list[bytes] = []
        self.key = b""

    def __len__(self) -> int:
        return len(self.packed)

    def find(self, t: Sequence[int]) -> int:
        key = self.key = pack(t)
        j = self.index.get(key)
        return -1 if j is None else j

    def lookup(self, t: Sequence[int]) -> int | None:
        return self.index.get(pack(t))

    def add(self, where: int) -> int:
        j = len(self.packed)
        self.index[self.key] = j
        self.packed.append(self.key)
        return j

    def state(self, j: int) -> State:
        return unpack(self.packed[j], self.width)

    def __iter__(self) -> Iterator[State]:
        w = self.width
        for b in self.packed:
            yield unpack(b, w)

    def nbytes(self) -> int:
        return (
            sys.getsizeof(self.index)
            + sys.getsizeof(self.packed)
            + sum(sys.getsizeof(b) for b in self.packed)
        )


class States(Sequence[State]):
    """The explored states in breadth-first order, read as tuples from the intern table."""

    def __init__(self, table: Records | PackedDict) -> None:
        self.table = table

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, j: int) -> State: ...

    @overload
    def __getitem__(self, j: slice) -> list[State]: ...

    def __getitem__(self, j: int | slice) -> State | list[State]:
        if isinstance(j, slice):
            return [self.table.state(k) for k in range(*j.indices(len(self.table)))]
        if j < 0:
            j += len(self.table)
        if not 0 <= j < len(self.table):
            raise IndexError(j)
        return self.table.state(j)

    def __iter__(self) -> Iterator[State]:
        return iter(self.table)


@dataclass
class Graph:
    """The reachable states of a model under one restriction, explored breadth-first.

    Storage is compact: the intern table (:class:`Records`: fixed-size records in a
    ``bytearray`` and an open-addressing table of ids) gives each state its id,
    ``states`` reads them back as tuples, ``parent`` is an int array, and the edges are
    one flat int array (``targets``) cut by ``offsets``: the successors of ``j`` are
    ``targets[offsets[j]:offsets[j + 1]]``. With ``table="dict"`` the intern table is the
    oracle (:class:`PackedDict`); both give the same ids, parents and edges.
    """

    model: System
    forbid: int = 0
    powers: bool = True
    max_states: int | None = None
    max_memory: int | None = None  # bytes of resident memory (the whole process)
    #: The instant (``time.monotonic()``) exploring stops, and the bound in seconds it
    #: came from (what a :class:`Limit` reports).
    deadline: float | None = None
    max_seconds: float | None = None
    table: Literal["records", "dict"] = "dict"
    states: States = field(init=False)
    parent: array[int] = field(default_factory=lambda: array("i"))
    targets: array[int] = field(default_factory=lambda: array("i"))
    offsets: array[int] = field(default_factory=lambda: array("q", [0]))
    complete: bool = False
    progress: Callable[[int], None] | None = None
    stopped: Limit | None = None  # the bound reached, when not complete

    def __post_init__(self) -> None:
        width = self.model.width
        self.interned = Records(width) if self.table == "records" else PackedDict(width)
        self.states = States(self.interned)

    def explore(self) -> Graph:
        """Explore breadth-first until every state is expanded or a bound is reached.

        The cyclic garbage collector is paused meanwhile: the loop makes millions of
        short-lived tuples and no cycle, so its passes only cost time."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._explore()
        finally:
            if paused:
                gc.enable()

    def _explore(self) -> Graph:
        m, interned, parent, targets, offsets = (
            self.model,
            self.interned,
            self.parent,
            self.targets,
            self.offsets,
        )
        if not len(interned):
            interned.add(interned.find(m.initial))
            parent.append(-1)
        i = len(offsets) - 1
        limit = self.max_states
        mem_bound = -1 if self.max_memory is None else self.max_memory
        if mem_bound >= 0 and (used := rss()) > mem_bound:
            return self._stop("memory", mem_bound, used)
        deadline = self.deadline
        if deadline is not None and monotonic() > deadline:
            return self._stop("time", self.max_seconds or 0.0, rss())
        succ = m.successors
        forbid, powers = self.forbid, self.powers
        find, add, state = interned.find, interned.add, interned.state
        # The records' one-byte form is probed inline (Records.find, unrolled): the
        # explorer's hot path. Any other form, and the oracle, go through find.
        fast = isinstance(interned, Records) and interned.form == 0
        rec = interned if isinstance(interned, Records) else Records(0)
        recs, size, table, mask = rec.recs, rec.size, rec.table, rec.mask
        while i < len(interned):
            if deadline is not None and not i & 63 and monotonic() > deadline:
                return self._stop("time", self.max_seconds or 0.0, rss())
            for t in succ(state(i), forbid=forbid, powers=powers):
                if fast:
                    try:
                        key = bytes(t)
                    except ValueError:
                        fast = False  # find widens the records
                        j = find(t)
                    else:
                        h = hash(key)
                        slot = h & mask
                        perturb = h & 0x7FFFFFFFFFFFFFFF
                        while True:
                            j = table[slot]
                            if j < 0:
                                j = ~slot
                                rec.key = key
                                break
                            if recs.startswith(key, j * size):
                                break
                            perturb >>= 5
                            slot = (slot * 5 + perturb + 1) & mask
                else:
                    j = find(t)
                if j < 0:
                    n = len(interned)
                    if limit is not None and n >= limit:
                        return self._stop("states", limit, rss())
                    if mem_bound >= 0 and not n % MEMORY_EVERY and (used := rss()) > mem_bound:
                        return self._stop("memory", mem_bound, used)
                    j = add(j)
                    table, mask = rec.table, rec.mask  # add may have grown the table
                    parent.append(i)
                targets.append(j)
            offsets.append(len(targets))
            i += 1
            if self.progress is not None and i % 4096 == 0:
                self.progress(len(interned))
        self.complete = True
        return self

    def _stop(self, kind: Literal["states", "memory", "time"], bound: float, used: int) -> Graph:
        """Stop exploring: the partly expanded state keeps no edges."""
        del self.targets[self.offsets[-1] :]
        self.complete = False
        self.stopped = Limit(kind, bound, len(self.states), used)
        return self

    def nbytes(self) -> int:
        """The graph's own memory: its intern table, parents and edges."""
        arrays = (self.parent, self.targets, self.offsets)
        return self.interned.nbytes() + sum(a.buffer_info()[1] * a.itemsize for a in arrays)

    @property
    def size(self) -> int:
        return len(self.states)

    def id_of(self, s: Sequence[int]) -> int | None:
        """The id of an explored state, or None."""
        return self.interned.lookup(s)

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
    # the region asked once a node, not once an edge (a node has tens of edges)
    within = {n: region(n) for n in nodes}
    inside = [n for n in nodes if within[n]]
    comp = _sccs(inside, lambda n: [x for x in succ(n) if within.get(x, False)])
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
