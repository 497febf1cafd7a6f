"""What every template needs: the compiled model and the explored graphs, shared."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from detente.checker.explore import Graph
from detente.language import expressions as ex
from detente.language.model import Agreement, Expectation
from detente.semantics.system import System


@dataclass
class Outcome:
    """A template's answer before it is told as a story."""

    verdict: str
    graph: Graph | None = None
    path: list[int] = field(default_factory=list)
    loop: list[int] | None = None
    summary: str = ""
    lines: list[tuple[str, list[str]]] = field(default_factory=list)  # static findings
    states: int = 0
    finding: str = ""  # the verdict on the draft in one sentence ("This wording lets …")


def observed_clauses(agreement: Agreement) -> set[str]:
    """Clauses whose own outcome an expectation's formula looks at."""
    out: set[str] = set()
    for e in agreement.expectations:
        if e.formula is not None:
            for atom in ex.atoms(ex.parse(e.formula)):
                if atom.name in ("fulfilled", "violated", "in_effect"):
                    out.update(atom.args)
    return out


def uses_compliant(agreement: Agreement) -> bool:
    """Whether a formula or a condition reads who has violated something."""
    texts = [e.formula for e in agreement.expectations if e.formula is not None]
    texts += [
        p.available.condition
        for _, p in agreement.granted_powers()
        if p.available.condition is not None
    ]
    return any(atom.name == "compliant" for t in texts for atom in ex.atoms(ex.parse(t)))


class Context:
    """One agreement being checked: its model and one explored graph per restriction."""

    def __init__(
        self,
        agreement: Agreement,
        *,
        max_states: int | None = None,
        max_memory: int | None = None,
        max_seconds: float | None = None,
        progress: Callable[[int], None] | None = None,
        compact: bool = False,
    ) -> None:
        self.agreement = agreement
        #: Store explored states as fixed-size records (about a third less memory per
        #: state, about a tenth slower) rather than in a dict (the default).
        self.compact = compact
        observed = observed_clauses(agreement)
        self.model = System(agreement, observed)
        self.folded: System | None = None
        if self.model.sides:
            self.folded = System(
                agreement,
                observed,
                abstract_rounds=True,
                track_violators=uses_compliant(agreement),
            )
        self.max_states = max_states
        self.max_memory = max_memory
        #: Every exploration of this check stops at one instant, ``max_seconds`` from now.
        self.max_seconds = max_seconds
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.progress = progress
        self._graphs: dict[tuple[int, bool, bool], Graph] = {}
        self._dropped = 0  # states of graphs not kept (stopped by the memory bound)

    def graph(self, *, forbid: int = 0, powers: bool = True, rounds: bool = True) -> Graph:
        """The states reachable when the parties in ``forbid`` never violate anything
        (and, with ``powers=False``, nobody exercises a power).

        With ``rounds=False`` the caller does not look at single exchange rounds or
        stock counts, and the rounds are folded into one slot when that is sound.
        """
        model = self.model if rounds or self.folded is None else self.folded
        key = (forbid, powers, model is self.folded)
        if key in self._graphs:
            return self._graphs[key]
        g = Graph(
            model,
            forbid,
            powers,
            max_states=self.max_states,
            max_memory=self.max_memory,
            deadline=self.deadline,
            max_seconds=self.max_seconds,
            progress=self.progress,
            table="records" if self.compact else "dict",
        )
        g.explore()
        if g.stopped is not None and g.stopped.kind == "memory":
            # not kept: its memory goes back for the next restriction to try
            self._dropped += g.size
        else:
            self._graphs[key] = g
        return g

    @property
    def states_explored(self) -> int:
        return self._dropped + sum(g.size for g in self._graphs.values())

    def party_bit(self, party: str) -> int:
        return 1 << self.model.pidx[party]


Words = str | Callable[[tuple[int, ...]], str]


def _words(words: Words, s: tuple[int, ...]) -> str:
    return words if isinstance(words, str) else words(s)


def safety(
    ctx: Context,
    graph: Graph,
    bad: Callable[[tuple[int, ...]], bool],
    summary: Words,
    finding: Words = "",
) -> Outcome:
    """Breadth-first: the shortest run to a bad state, or holds / unknown.

    ``summary`` and ``finding`` may be functions of the bad state reached, so that they
    name who acted in it."""
    j = graph.first(bad)
    if j is not None:
        s = graph.states[j]
        return Outcome(
            "violated",
            graph,
            graph.path_to(j),
            None,
            _words(summary, s),
            states=graph.size,
            finding=_words(finding, s),
        )
    if not graph.complete:
        return Outcome("unknown", graph, states=graph.size)
    return Outcome("holds", graph, states=graph.size)


def lasso(
    ctx: Context,
    graph: Graph,
    stuck: Callable[[tuple[int, ...]], bool],
    summary: str,
    finding: str = "",
) -> Outcome:
    """A run that reaches a loop of ``stuck`` states (repeating forever), or holds / unknown."""
    from detente.checker.explore import find_lasso

    states = graph.states
    found = find_lasso(range(graph.size), graph.successors_of, lambda j: stuck(states[j]))
    if found is not None:
        entry, loop = found
        return Outcome(
            "violated",
            graph,
            graph.path_to(entry),
            loop,
            summary,
            states=graph.size,
            finding=finding,
        )
    if not graph.complete:
        return Outcome("unknown", graph, states=graph.size)
    return Outcome("holds", graph, states=graph.size)


TemplateCheck = Callable[[Context, Expectation], Outcome]
