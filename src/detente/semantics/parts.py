"""Duties done in parts (``docs/semantics.md``, "Parts, means and open duties").

Any duty with a quantity may be done in parts: what was done counts towards it, and the
rest is outstanding. At its deadline a duty of result not done in full is violated (the
part done is reported, never taken for the whole); a duty of means is not
(:mod:`detente.semantics.means`). These are the figures every reader reports.
"""

from __future__ import annotations

from detente.language.model import Agreement


def outstanding(quantity: int | None, done: int) -> int | None:
    """How many units are still to be done (None: the duty has no quantity)."""
    return None if quantity is None else max(0, quantity - done)


def fraction(quantity: int | None, done: int) -> float | None:
    """The fraction done, from 0 to 1, rounded to 3 places (None: no quantity, or 0 due)."""
    if not quantity:
        return None
    return round(min(done, quantity) / quantity, 3)


def unit_of(agreement: Agreement, clause: str, category: str | None) -> str | None:
    """What a duty's quantity counts: its obligation's ``unit``, else its stock's."""
    c = next((c for c in agreement.clauses if c.id == clause), None)
    if c is not None and c.obligation is not None and c.obligation.unit:
        return c.obligation.unit
    if category is not None:
        s = next((s for s in agreement.stocks if s.id == category), None)
        if s is not None:
            return s.unit
    return None
