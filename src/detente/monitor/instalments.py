"""The monitor's reading of a counter-release per instalment (``for_each``): the rules of
:mod:`detente.semantics.instalments` applied to what the replayed path credited, day by day,
to the release and to the counter-release (``docs/semantics.md``, Counter-releases per
instalment). Nothing is re-derived here: the shares, their matching and their lateness are
the semantics' own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypedDict

from detente.monitor.path import Path
from detente.semantics import Instance
from detente.semantics.instalments import Settled, settle, shares


class ShareRow(TypedDict):
    """One instalment's share: what came, what it owes in return, and how it stands."""

    delivered_on: str  # ISO date of the instalment
    delivered: int
    owed: int
    due: str
    paid: int
    outstanding: int
    paid_on: str | None
    status: str  # fulfilled, late, pending (not yet due), overdue
    late_days: int


def settled(path: Path, i: Instance) -> list[Settled] | None:
    """The shares of counter-release ``i`` as of the path's day (None: not a counter-release
    per instalment)."""
    o = path.system.agreement.clause(i.clause).obligation
    if o is None or o.for_each is None or o.within_days is None:
        return None
    answered = [j.key for j in path.instances if j.clause == o.for_each.clause]
    deliveries = [d for key in answered for d in path.parts.get(key, [])]
    owed = shares(deliveries, o.for_each.per_unit, o.within_days)
    return settle(owed, path.parts.get(i.key, []))


def rows(got: list[Settled], today: int, date_of: Callable[[int], dt.date]) -> list[ShareRow]:
    return [
        {
            "delivered_on": date_of(s.share.delivered_on).isoformat(),
            "delivered": s.share.delivered,
            "owed": s.share.owed,
            "due": date_of(s.share.due).isoformat(),
            "paid": s.paid,
            "outstanding": s.outstanding,
            "paid_on": None if s.paid_on is None else date_of(s.paid_on).isoformat(),
            "status": s.status(today),
            "late_days": s.late_by(today),
        }
        for s in got
    ]


def summary(shares_: list[ShareRow], unit: str | None) -> str:
    """'3 of 4 shares paid (45 of 60 bodies), 15 outstanding, one late by 2 days'."""
    if not shares_:
        return "by instalment: nothing returned yet, so nothing owed in return"
    paid = sum(1 for s in shares_ if s["paid_on"] is not None)
    owed = sum(s["owed"] for s in shares_)
    given = sum(s["paid"] for s in shares_)
    what = f" {unit}" if unit else ""
    out = f"by instalment: {paid} of {len(shares_)} shares paid ({given} of {owed}{what})"
    out += f", {owed - given} outstanding" if owed > given else ""
    for word, status in (("late", "late"), ("overdue", "overdue")):
        hit = [s["late_days"] for s in shares_ if s["status"] == status]
        if hit:
            n = max(hit)
            who = "one" if len(hit) == 1 else f"{len(hit)}"
            most = "" if len(hit) == 1 else "at most "
            out += f", {who} {word} by {most}{n} day{'s' if n != 1 else ''}"
    return out
