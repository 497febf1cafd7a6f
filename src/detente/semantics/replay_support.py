"""Two small readings the monitor needs that the schedule does not compute yet.

Kept apart from ``schedule.py`` (owned by the semantic core) so the replay uses the
core for everything else; both follow ``docs/semantics.md`` step 4.
"""

from __future__ import annotations

from collections.abc import Mapping

from detente.language.model import Agreement


def extension_days(agreement: Agreement, released: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Days each extension rule adds to its phase, given what each party has released.

    ``released`` maps (party, category) to the count released so far. A rule adds
    ``days`` for each further ``units`` released beyond what the phase's exchange
    rounds schedule, up to ``max_days``.
    """
    out: dict[str, int] = {}
    for clause in agreement.clauses:
        rule = clause.extension
        if rule is None:
            continue
        scheduled = sum(
            r.release.get(rule.category, 0)
            for c in agreement.clauses
            if (x := c.exchange) is not None
            and x.phase == rule.phase
            and x.releasing == rule.releasing
            for r in x.rounds
        )
        further = max(0, released.get((rule.releasing, rule.category), 0) - scheduled)
        days = (further // rule.units) * rule.days
        if rule.max_days is not None:
            days = min(days, rule.max_days)
        if days:
            out[rule.phase] = out.get(rule.phase, 0) + days
    return out


def negotiation_clauses(agreement: Agreement) -> list[str]:
    """The clause ids of every negotiation, in clause order."""
    return [c.id for c in agreement.clauses if c.negotiation is not None]
