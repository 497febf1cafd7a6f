"""totals_add_up (static): rounds sum to the stated totals, and ratios x units give the
stated counter totals and counter_release counts.

The arithmetic is :mod:`detente.language.totals`, the same that ``detente validate``
reports located in the file; this template only words its findings as a verdict.
"""

from __future__ import annotations

from detente.checker.context import Context, Outcome
from detente.language.model import Expectation
from detente.language.totals import totals_findings


def problems(ctx: Context) -> list[tuple[str, list[str]]]:
    """Every sum that does not add up, as (sentence, [clause])."""
    return [
        (f.message[0].upper() + f.message[1:] + ".", [f.clause])
        for f in totals_findings(ctx.agreement)
    ]


def check(ctx: Context, e: Expectation) -> Outcome:
    found = problems(ctx)
    if found:
        return Outcome(
            "violated",
            summary="the stated totals do not add up",
            lines=found,
            finding="This wording states totals that its rounds and ratios do not add up to.",
        )
    return Outcome("holds")
