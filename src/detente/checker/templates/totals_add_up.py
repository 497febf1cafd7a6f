"""totals_add_up (static): rounds sum to the stated totals, and ratios x units give the
stated counter totals and counter_release counts.

The arithmetic is ``detente.language.totals`` (shared with ``detente validate``) when
that module is present; the fallback below is the same arithmetic, kept for a tree
where it has not landed.
"""

from __future__ import annotations

import importlib

from detente.checker.context import Context, Outcome
from detente.language.model import Expectation


def problems(ctx: Context) -> list[tuple[str, list[str]]]:
    """Every sum that does not add up, as (sentence, [clause])."""
    a = ctx.agreement
    try:
        totals = importlib.import_module("detente.language.totals")
    except ImportError:
        return _own_problems(ctx)
    findings = totals.totals_findings(a)
    return [(str(f.message[0].upper() + f.message[1:] + "."), [str(f.clause)]) for f in findings]


def _own_problems(ctx: Context) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    a = ctx.agreement
    for c in a.clauses:
        x = c.exchange
        if x is None:
            continue
        ratios = {r.category: r for r in x.ratios}
        sums: dict[str, int] = {}
        counter: dict[str, int] = {}
        for i, rnd in enumerate(x.rounds, 1):
            for cat, n in rnd.release.items():
                sums[cat] = sums.get(cat, 0) + n
            implied: dict[str, int] = {}
            for cat, n in rnd.release.items():
                if cat in ratios:
                    r = ratios[cat]
                    implied[r.counter_category] = (
                        implied.get(r.counter_category, 0) + n * r.per_unit
                    )
            if rnd.counter_release is not None:
                for cat, n in rnd.counter_release.items():
                    counter[cat] = counter.get(cat, 0) + n
                    if cat in implied and implied[cat] != n:
                        out.append(
                            (
                                f"Clause {c.id}, round {i}: the ratio gives {implied[cat]} {cat}, "
                                f"but the round states {n}.",
                                [c.id],
                            )
                        )
            else:
                for cat, n in implied.items():
                    counter[cat] = counter.get(cat, 0) + n
        for cat, total in x.totals.items():
            if sums.get(cat, 0) != total:
                out.append(
                    (
                        f"Clause {c.id}: the rounds release {sums.get(cat, 0)} {cat}, "
                        f"but the stated total is {total}.",
                        [c.id],
                    )
                )
        for cat, total in x.counter_totals.items():
            if counter.get(cat, 0) != total:
                out.append(
                    (
                        f"Clause {c.id}: the rounds and ratios give {counter.get(cat, 0)} {cat} "
                        f"in return, but the stated total is {total}.",
                        [c.id],
                    )
                )
    return out


def check(ctx: Context, e: Expectation) -> Outcome:
    found = problems(ctx)
    if found:
        return Outcome("violated", summary="the stated totals do not add up", lines=found)
    return Outcome("holds")
