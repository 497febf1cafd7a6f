"""Counter-releases per instalment: "N for each one returned, as each comes back".

The October 2025 Gaza agreement (point 5 of the plan it implements): for every Israeli
hostage whose remains are released, Israel releases the remains of 15 deceased Gazans.
The counter duty does not fall due on one round day: each delivery of the matching
release (an *instalment*) creates its own share, ``ratio`` units per unit delivered,
dated from that delivery and due ``within_days`` after it.

These are the rules every reader applies (the monitor's amounts and lateness; the
checker's reading of one step is in ``docs/semantics.md``, "Counter-releases per
instalment"):

- *Owed*: a delivery of ``q`` units on day ``d`` owes ``ratio * q`` units, opening on
  ``d`` and due on ``d + within_days``.
- *Matched in order*: counter deliveries pay the oldest share first (a counter delivery
  dated before a share opened does not pay it: it was not owed yet, so it counts as
  given ahead, and pays the next share that opens).
- *Lateness counts from each delivery*: a share paid in full after its due day is late by
  the days between its due day and the day the last unit of it came; a share not paid in
  full by ``today`` past its due day is overdue by ``today - due``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    """What one instalment of the matching release owes in return."""

    delivered_on: int  # the day the instalment came (the share opens then)
    delivered: int  # units delivered in that instalment
    owed: int  # units owed in return: ratio x delivered
    due: int  # the day they are due: delivered_on + within_days


@dataclass(frozen=True)
class Settled:
    """How a share stands on a day: units paid towards it, and when it was paid in full."""

    share: Share
    paid: int
    paid_on: int | None  # the day the last unit came (None: not paid in full)

    @property
    def outstanding(self) -> int:
        return self.share.owed - self.paid

    def late_by(self, today: int) -> int:
        """Days past the share's due day: when paid in full, at payment; else as of today."""
        end = self.paid_on if self.paid_on is not None else today
        return max(0, end - self.share.due)

    def status(self, today: int) -> str:
        """``fulfilled`` (on time), ``late`` (paid in full after its day), ``pending``
        (not yet due), ``overdue`` (due and not paid in full)."""
        if self.paid_on is not None:
            return "late" if self.paid_on > self.share.due else "fulfilled"
        return "pending" if today <= self.share.due else "overdue"


def shares(deliveries: list[tuple[int, int]], ratio: int, within_days: int) -> list[Share]:
    """The shares owed for ``deliveries`` (day, units) of the matching release, in date
    order; a delivery of nothing owes nothing."""
    if ratio < 1 or within_days < 0:
        raise ValueError("a ratio is at least 1 and a delay at least 0 days")
    return [
        Share(day, units, ratio * units, day + within_days)
        for day, units in sorted(deliveries)
        if units > 0
    ]


def settle(owed: list[Share], payments: list[tuple[int, int]]) -> list[Settled]:
    """Match counter deliveries (day, units) to the shares, oldest share first; a payment
    made before a share opened waits for it (given ahead)."""
    queue = sorted((d, u) for d, u in payments if u > 0)
    out: list[Settled] = []
    carry: list[list[int]] = [[d, u] for d, u in queue]
    for s in owed:
        paid, paid_on = 0, None
        for p in carry:
            if paid == s.owed:
                break
            if p[1] == 0:
                continue
            take = min(p[1], s.owed - paid)
            p[1] -= take
            paid += take
            # a unit given before the share opened counts from the opening day
            paid_on = max(p[0], s.delivered_on)
        out.append(Settled(s, paid, paid_on if paid == s.owed else None))
    return out


def total_owed(deliveries: list[tuple[int, int]], ratio: int) -> int:
    """Ratio x what was delivered: the counter amount owed so far."""
    return ratio * sum(u for _, u in deliveries if u > 0)
