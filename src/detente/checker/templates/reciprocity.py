"""reciprocity(A, B): whenever A has fulfilled a release round, B's matching round exists
and was not discharged."""

from __future__ import annotations

from detente.checker.context import Context, Outcome, safety
from detente.language.model import Expectation
from detente.semantics.tables import DISCHARGED, FULFILLED


def check(ctx: Context, e: Expectation) -> Outcome:
    assert e.parties is not None
    m = ctx.model
    a, b = (m.pidx[x] for x in e.parties)
    pairs: list[tuple[int, int]] = []  # (A's side, B's matching side or -1)
    for k, side in enumerate(m.sides):
        if side.debtor != a or side.creditor != b:
            continue
        match = m.side_of.get((side.clause, side.round, not side.counter, side.guard), -1)
        if match >= 0 and m.sides[match].debtor != b:
            match = -1
        pairs.append((k, match))

    if all(j >= 0 for _, j in pairs):
        # Both sides of a round fall due at the same point and belong to the same clause:
        # ending the agreement discharges only rounds not yet due, and suspending the clause
        # discharges both sides together. So once A has released a round, B's matching
        # round was due with it and cannot have been discharged: this holds in every run.
        return Outcome("holds")

    def bad(s: tuple[int, ...]) -> bool:
        return any(
            m.side_status(s, k) == FULFILLED and (j < 0 or m.side_status(s, j) == DISCHARGED)
            for k, j in pairs
        )

    first, second = (m.agreement.party(x).name for x in e.parties)
    return safety(
        ctx,
        ctx.graph(),
        bad,
        f"{first} releases a round and {second}'s matching release is not due",
        f"This wording lets {first} release a round while {second}'s matching release is not due.",
    )
