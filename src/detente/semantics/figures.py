"""Figures that are not exact on rounds, totals and duties ("about 1,700 prisoners", "20 to
22 living"): the one reading (docs/semantics.md, "Figures that are not exact").

- **One number where one is needed.** A quantity written ``{about: N}`` or ``{range: [a,
  b]}`` is read as its lower bound wherever the transition system needs one number: what
  a round side or a duty releases from its holder's stock, what the explorer's "fulfil"
  delivers. So the checker never assumes more than every source allows, as for stocks.
- **Bounds where a delivery is judged.** A range's bounds are its ends; an ``about`` or
  exact figure's bounds are its number at both ends (no tolerance is invented). A
  delivery within the bounds fulfils; one below the lower bound is *short* (the part
  done, the rest outstanding), one above the upper bound *over*, each reported with the
  figure quoted.
- **Sums** (:mod:`detente.language.totals`): the rounds' sum is a range (the sum of the
  lower bounds to the sum of the upper bounds), ratios multiply both ends, and a stated
  total adds up when the two ranges meet (checked at both ends).
- A counter-release the ratios give from a ranged release is the ratio times each end.
"""

from __future__ import annotations

from detente.language.model import Agreement, Figure
from detente.semantics.schedule import Instance


def figure(agreement: Agreement, i: Instance) -> Figure | None:
    """The figure an instance's quantity was written as (None: an exact number)."""
    c = agreement.clause(i.clause)
    if c.obligation is not None:
        return c.obligation.quantity_figure
    x = c.exchange
    if x is None or i.round is None or i.category is None:
        return None
    rnd = x.rounds[i.round]
    if i.kind == "release":
        return rnd.figures.get(i.category)
    if rnd.counter_release is not None:
        return rnd.counter_figures.get(i.category)
    # given by the ratios: the ratio times each end of the release's figures
    low = high = 0
    approximate = False
    for r in x.ratios:
        if r.counter_category != i.category or r.category not in rnd.release:
            continue
        f = rnd.figures.get(r.category)
        lo, hi = f.bounds if f is not None else (rnd.release[r.category],) * 2
        approximate |= f is not None
        low, high = low + lo * r.per_unit, high + hi * r.per_unit
    if not approximate:
        return None
    return Figure(exact=low) if low == high else Figure(range=(low, high))


def bounds(agreement: Agreement, i: Instance) -> tuple[int, int] | None:
    """The lower and upper bounds a delivery to ``i`` is judged by (None: exact)."""
    f = figure(agreement, i)
    return None if f is None else f.bounds


def judged(delivered: int, lo: int, hi: int) -> str:
    """A delivery against its bounds: ``short``, ``within`` or ``over``."""
    return "short" if delivered < lo else "over" if delivered > hi else "within"
