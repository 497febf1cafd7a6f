"""``detente.bridge``: the fewest edits to a draft after which every expectation holds.

The search goes level by level: every single edit, then every pair, up to ``max_edits``.
Inside a level, candidates are ordered by their distance from the draft and then by the
counterexamples: edits of the clauses the failing stories cite come first, then edits of
their neighbours (clauses of the same phase, the negotiation a power or an expiry names),
then the rest. Every candidate is judged by :func:`detente.check` on every expectation of
its draft; a set of edits reached in two orders is judged once (its canonical order), and a
superset of a proposal already found is not judged (it is not the fewest edits). A budget
(candidates, seconds) stops the search and the result says what it did not try.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from detente.bridging.apply import Judge, Judged, apply_edits, redlines
from detente.bridging.edits import Edit, canonical
from detente.bridging.executors import Executor, InProcess, RayExecutor
from detente.bridging.operators import OPERATORS, Proposing
from detente.bridging.result import BridgeResult, Proposal
from detente.checker.check import check
from detente.checker.result import CheckResult
from detente.language.model import Agreement

#: Default budget: candidates judged in one search.
DEFAULT_MAX_CANDIDATES = 20_000
#: Bound on explored states per candidate's check.
DEFAULT_MAX_STATES = 200_000
#: How many closest candidates a search with no proposal lists.
CLOSEST = 5

#: Called with (judged so far, candidates planned so far, seconds since the start).
Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class Ranked:
    edit: Edit
    focus: int  # 0: a clause a failing story cites; 1: a neighbour; 2: the rest
    order: int


def cited_clauses(result: CheckResult) -> set[str]:
    """The clauses the stories of the violated expectations cite."""
    return {
        c for e in result.expectations if e.verdict != "holds" for s in e.story for c in s.clauses
    }


def neighbours(a: Agreement, cited: set[str]) -> set[str]:
    """Clauses next to the cited ones: the same phase, or a negotiation they name."""
    phases = {c.phase for c in a.clauses if c.id in cited and c.phase is not None}
    out = {c.id for c in a.clauses if c.phase in phases}
    for c in a.clauses:
        if c.id not in cited:
            continue
        if c.power is not None and c.power.target is not None:
            out.add(c.power.target)
    for p in a.phases:
        if p.at_expiry.clause in cited and p.at_expiry.negotiation is not None:
            out.add(p.at_expiry.negotiation)
    return out - cited


def offered_edits(
    a: Agreement,
    others: Sequence[Agreement],
    result: CheckResult,
    operators: Sequence[str] | None = None,
) -> list[Ranked]:
    """Every edit the operators offer on a draft, counterexample-guided order first."""
    cited = cited_clauses(result)
    near = neighbours(a, cited)
    ctx = Proposing(tuple(others))
    chosen = [OPERATORS[n] for n in (operators or OPERATORS)]
    edits = [e for op in chosen for e in op.propose(a, ctx)]

    def focus(e: Edit) -> int:
        return 0 if e.clause in cited else 1 if e.clause in near else 2

    ranked = sorted(edits, key=lambda e: (focus(e), e.distance))
    return [Ranked(e, focus(e), i) for i, e in enumerate(ranked)]


def _load(d: Agreement | str | os.PathLike[str]) -> tuple[Agreement, str | None]:
    from detente.language.loader import load

    if isinstance(d, Agreement):
        return d, None
    return load(d), str(d)


def bridge(
    drafts: Sequence[Agreement | str | os.PathLike[str]] | Agreement | str | os.PathLike[str],
    *,
    max_edits: int = 2,
    workers: int | None = None,
    address: str | None = None,
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
    max_seconds: float | None = None,
    max_states: int | None = DEFAULT_MAX_STATES,
    progress: Progress | None = None,
    executor: Executor | None = None,
    operators: Sequence[str] | None = None,
) -> BridgeResult:
    """Search the fewest edits to each draft after which every expectation holds.

    In this process by default; with ``workers`` (more than 1) on a local Ray cluster of
    that many CPUs, with ``address`` (or ``RAY_ADDRESS``) on an existing Ray cluster.
    The proposals, and their order, are the same however the search is run (unless
    ``max_seconds`` stops it: the time a check takes varies). ``operators`` limits the
    edits to those of the named operators (:data:`detente.bridging.OPERATORS`).
    """
    if isinstance(drafts, Agreement | str | os.PathLike):
        drafts = [drafts]
    if max_edits < 1:
        raise ValueError("max_edits is at least 1")
    unknown = [n for n in operators or () if n not in OPERATORS]
    if unknown:
        raise ValueError(f"no edit operator {unknown[0]!r}; they are {', '.join(OPERATORS)}")
    loaded = [_load(d) for d in drafts]
    agreements = [a for a, _ in loaded]
    started = time.perf_counter()
    baseline = [check(a, max_states=max_states, max_memory=None) for a in agreements]
    labels: dict[str, str | None] = {}
    for a in agreements:
        for e in a.expectations:
            labels.setdefault(e.label, e.protects)
    satisfied = [a.id for a, r in zip(agreements, baseline, strict=True) if r.ok]

    judge = Judge(agreements, max_states)
    address = address or (os.environ.get("RAY_ADDRESS") if workers is None else None)
    own = executor is None
    if executor is None:
        if address or (workers is not None and workers > 1):
            executor = RayExecutor(judge, workers=workers, address=address)
        else:
            executor = InProcess(judge)

    offered: dict[int, list[Ranked]] = {}
    for i, (a, r) in enumerate(zip(agreements, baseline, strict=True)):
        if r.ok:
            continue
        others = [b for j, b in enumerate(agreements) if j != i]
        offered[i] = offered_edits(a, others, r, operators)

    judged: list[tuple[int, int, Judged]] = []  # (level, order in level, verdicts)
    seen: set[tuple[int, tuple[Edit, ...]]] = set()
    found: dict[int, list[frozenset[Edit]]] = {i: [] for i in offered}
    duplicates = pruned = count = 0
    not_tried: list[str] = []
    check_seconds = 0.0
    frontier: dict[int, list[tuple[Edit, ...]]] = {i: [()] for i in offered}
    planned = 0
    try:
        for level in range(1, max_edits + 1):
            items: list[tuple[tuple[int, int, int], int, tuple[Edit, ...]]] = []
            for i, edits in offered.items():
                rank = {r.edit: r for r in edits}
                for base in frontier[i]:
                    targets = {e.target for e in base}
                    for ranked in edits:
                        if ranked.edit.target in targets:
                            continue
                        cand = canonical((*base, ranked.edit))
                        if (i, cand) in seen:
                            duplicates += 1
                            continue
                        seen.add((i, cand))
                        if any(p <= frozenset(cand) for p in found[i]):
                            pruned += 1
                            continue
                        key = (
                            sum(e.distance for e in cand),
                            sum(rank[e].focus for e in cand),
                            i,
                        )
                        items.append((key, len(items), cand))
            items.sort(key=lambda t: (t[0], t[1]))
            batch = [(k[2], cand) for k, _, cand in items]
            planned += len(batch)
            if max_candidates is not None and count + len(batch) > max_candidates:
                keep = max(0, max_candidates - count)
                not_tried.append(
                    f"{len(batch) - keep:,} of the {len(batch):,} candidates with {level} "
                    f"edit{'s' if level > 1 else ''} (the budget of {max_candidates:,} "
                    "candidates ran out)"
                )
                batch = batch[:keep]
            results = _run(executor, batch, max_seconds, started, count, planned, progress)
            if len(results) < len(batch):
                not_tried.append(
                    f"{len(batch) - len(results):,} of the {len(batch):,} candidates with "
                    f"{level} edit{'s' if level > 1 else ''} (the time budget of "
                    f"{max_seconds:g} s ran out)"
                )
            count += len(results)
            for n, j in enumerate(results):
                check_seconds += j.seconds
                judged.append((level, n, j))
                if j.ok:
                    found[j.draft].append(frozenset(j.edits))
            frontier = {i: [] for i in offered}
            for j in results:
                if j.invalid is None and not j.ok:
                    frontier[j.draft].append(j.edits)
            if not_tried:
                if level < max_edits:
                    not_tried.append(
                        f"every candidate with {level + 1} to {max_edits} edits (not started)"
                    )
                break
    finally:
        if own:
            executor.close()

    proposals = _proposals([j for _, _, j in judged if j.ok], agreements)
    closest: list[Proposal] = []
    if not proposals:
        valid = [j for _, _, j in judged if j.invalid is None]
        valid.sort(key=lambda j: (j.violated, len(j.edits), j.distance))
        closest = _proposals(valid[:CLOSEST], agreements, ranked=False)
    return BridgeResult(
        drafts=[a.id for a in agreements],
        paths=[p for _, p in loaded],
        expectations=list(labels.items()),
        baseline=[{e.name: e.verdict for e in r.expectations} for r in baseline],
        already_satisfied=satisfied,
        proposals=proposals,
        closest=closest,
        max_edits=max_edits,
        candidates_judged=count,
        invalid=sum(1 for _, _, j in judged if j.invalid is not None),
        duplicates=duplicates,
        pruned=pruned,
        not_tried=not_tried,
        seconds=time.perf_counter() - started,
        check_seconds=check_seconds,
        workers=executor.workers,
        edits_offered={agreements[i].id: len(e) for i, e in offered.items()},
    )


def _run(
    executor: Executor,
    batch: list[tuple[int, tuple[Edit, ...]]],
    max_seconds: float | None,
    started: float,
    count: int,
    planned: int,
    progress: Progress | None,
) -> list[Judged]:
    """Judge a level's candidates, in chunks when a time budget must be watched."""
    done = count

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, planned, time.perf_counter() - started)

    if max_seconds is None:
        return executor.run(batch, tick)
    out: list[Judged] = []
    step = max(8, executor.workers * 16)
    for i in range(0, len(batch), step):
        if time.perf_counter() - started > max_seconds:
            break
        out.extend(executor.run(batch[i : i + step], tick))
    return out


def _proposals(
    found: list[Judged], agreements: list[Agreement], *, ranked: bool = True
) -> list[Proposal]:
    """Judged candidates as proposals, in order: fewest edits, least distance, draft, the
    search's own order (the order they were judged in)."""
    order = {id(j): n for n, j in enumerate(found)}
    if ranked:
        found = sorted(found, key=lambda j: (len(j.edits), j.distance, j.draft, order[id(j)]))
    out = []
    for n, j in enumerate(found, 1):
        draft = agreements[j.draft]
        after = apply_edits(draft, j.edits)
        out.append(
            Proposal(
                n,
                draft.id,
                j.draft,
                j.edits,
                dict(j.verdicts),
                redlines(draft, after, j.edits),
                after,
                j.violated,
            )
        )
    return out
