"""``detente.check``: every expectation of an agreement, with verdicts and stories."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Literal

from detente.checker import formula
from detente.checker.context import Context, Outcome
from detente.checker.memory import default_max_memory
from detente.checker.result import CheckResult, ExpectationResult, Limit, StoryStep
from detente.checker.story import tell
from detente.checker.templates import TEMPLATES
from detente.language.claims import claim_name
from detente.language.model import Agreement, Expectation

#: The default bound on explored states per restriction.
DEFAULT_MAX_STATES = 2_000_000

#: The default bound on memory: half of what the machine has available when the check
#: starts (see :func:`detente.checker.memory.default_max_memory`).
AUTO: Literal["auto"] = "auto"


def check(
    agreement_or_path: Agreement | str | os.PathLike[str],
    *,
    max_states: int | None = DEFAULT_MAX_STATES,
    max_memory: int | Literal["auto"] | None = AUTO,
    max_seconds: float | None = None,
    progress: Callable[[int], None] | None = None,
    compact: bool = False,
) -> CheckResult:
    """Check every expectation of an agreement (or of the spec file at a path).

    A verdict is ``holds``, ``violated`` (with the shortest counterexample for a safety
    property, a path and a loop for a liveness one, told as a story) or ``unknown`` when
    a bound was reached first, never a wrong ``holds``. The bounds: ``max_states``;
    ``max_memory`` (bytes of the process's resident memory; ``"auto"``: half of the
    memory available now; None: no bound); ``max_seconds`` (exploring stops that many
    seconds after the check begins; None: no bound). An unknown verdict's ``limit``
    says which bound it reached.
    ``compact`` stores the explored states as fixed-size records (about a third less
    memory per state, about a tenth slower) rather than in a dict.
    """
    from detente.language.loader import load

    agreement = (
        agreement_or_path if isinstance(agreement_or_path, Agreement) else load(agreement_or_path)
    )
    started = time.perf_counter()
    if max_memory == AUTO:
        max_memory = default_max_memory()
    ctx = Context(
        agreement,
        max_states=max_states,
        max_memory=max_memory,
        max_seconds=max_seconds,
        progress=progress,
        compact=compact,
    )
    results = [check_expectation(ctx, e) for e in agreement.expectations]
    return CheckResult(agreement.id, results, ctx.states_explored, time.perf_counter() - started)


def check_expectation(ctx: Context, e: Expectation) -> ExpectationResult:
    """One expectation's verdict and story."""
    run = formula.check if e.template is None else TEMPLATES[e.template]
    outcome = run(ctx, e)
    limit: Limit | None = None
    if outcome.verdict == "unknown":
        g = outcome.graph
        limit = g.stopped if g is not None and g.stopped is not None else None
        if limit is None and ctx.max_states is not None:
            limit = Limit("states", ctx.max_states, outcome.states, 0)
    return ExpectationResult(
        e.label,
        e.protects,
        claim_name(e),
        outcome.verdict,  # type: ignore[arg-type]
        _story(ctx, outcome),
        outcome.states,
        outcome.summary,
        None if limit is None else limit.bound,
        outcome.finding if outcome.verdict == "violated" else "",
        e.position.text if e.position is not None else None,
        list(e.position.source) if e.position is not None else [],
        ctx.agreement.party(e.protects).name if e.protects else None,
        limit,
    )


def _story(ctx: Context, o: Outcome) -> list[StoryStep]:
    if o.lines:
        return [StoryStep(None, text, clauses) for text, clauses in o.lines]
    if o.verdict != "violated" or o.graph is None:
        return []
    g = o.graph
    path = [g.states[j] for j in o.path]
    loop = [g.states[j] for j in o.loop] if o.loop else None
    return tell(g.model, path, loop, forbid=g.forbid, powers=g.powers)
