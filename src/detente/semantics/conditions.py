"""Conditions on norms (``docs/semantics.md``, Conditions): written once, read by the
transition system at the hooks it calls here.

- A *triggered duty* (an obligation with ``once: C`` and ``within: {days: N}``, or its
  alias ``within_days: N``; ``{hours: H}`` reads as H / 24 days rounded up) is created at
  the end of the first step after which ``C`` holds; it falls due at the time point N days
  after that step's day (counted on across phase boundaries). A duty counted ``within``
  a time ``after`` a party's act is a triggered duty too, its trigger the act. Its slot in the state says
  whether it is not yet created, pending (and until which day of which phase), or decided.
- A *conditional prohibition* (``while: C``) binds only at time points whose state (as the
  point arrives, before anyone chooses) satisfies ``C``.
- *Talks that open on a condition* (a negotiation with ``opens_when: C``) open at the end
  of the first step after which ``C`` holds, rather than with their phase.

This module compiles them (the tables call it) and fixes the calendar; the steps that read
and change a state are :mod:`detente.semantics.condition_steps` (the system calls it).
Both read a state only through :class:`~detente.semantics.observe.Observations`
(``holds``); nothing is re-derived by the checker or the monitor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from detente.language import expressions as ex
from detente.language.calendar import trigger_days
from detente.language.model import Agreement, Clause

#: A trigger slot's values: not created yet, decided (fulfilled, violated or not
#: recorded: the clause's flags or the step events say which), due at the next time
#: point; a pending duty due on day D of phase q is ``PENDING_BASE + D * phases + q``.
#: In a replay only, a duty created where no phase's day is known counts down: ``-d``
#: while it falls due ``d`` days later (:func:`countdown`).
NOT_CREATED, DECIDED, DUE_NEXT, PENDING_BASE = 0, 1, 2, 3
#: The furthest a trigger's deadline is carried in the calendar (days of a phase).
MAX_DAY = 100_000


@dataclass(frozen=True)
class Trigger:
    """A triggered duty: its clause, its condition and its days from trigger to deadline.

    A duty whose window is counted ``after`` a party's act is triggered by that act
    (:mod:`detente.semantics.acts`): ``act`` is (party id, action) and ``condition`` is
    None; the rest of its life (pending, due, carried across phases) is a trigger's."""

    clause: str
    condition: ex.Formula | None
    within: int
    act: tuple[str, str] | None = None


def texts(agreement: Agreement) -> list[str]:
    """Every condition written on a norm (``once``, ``while``, ``opens_when``)."""
    out: list[str] = []
    for c in agreement.clauses:
        if c.obligation is not None and c.obligation.trigger is not None:
            out.append(c.obligation.trigger)
        if c.prohibition is not None and c.prohibition.while_ is not None:
            out.append(c.prohibition.while_)
        if c.negotiation is not None and c.negotiation.opens_when is not None:
            out.append(c.negotiation.opens_when)
    return out


def triggers(agreement: Agreement) -> list[Trigger]:
    """Every triggered duty: ``once`` with ``within`` (or its alias ``within_days``), and
    every duty counted ``after`` a party's act; their days from :func:`trigger_days`,
    the one reading of every spelling."""
    out: list[Trigger] = []
    for c in agreement.clauses:
        o = c.obligation
        if o is None or (days := trigger_days(o)) is None:
            continue
        if o.trigger is not None:
            # `once`, or a counter-release per instalment read in one step: triggered by
            # the release's fulfilment (docs/semantics.md, Counter-releases per instalment)
            out.append(Trigger(c.id, ex.parse(o.trigger, temporal=False), days))
        elif (a := o.act_anchor) is not None and a.by is not None and a.act is not None:
            out.append(Trigger(c.id, None, days, (a.by, a.act)))
    return out


def acts(trigs: list[Trigger]) -> list[tuple[str, str]]:
    """The distinct acts (party id, action) that some duty's deadline is counted from, in
    the order their duties come: one state slot each (:mod:`detente.semantics.acts`)."""
    return list(dict.fromkeys(t.act for t in trigs if t.act is not None))


def guards(agreement: Agreement) -> dict[str, ex.Formula]:
    """Prohibition clause id -> the condition under which it binds."""
    return {
        c.id: ex.parse(c.prohibition.while_, temporal=False)
        for c in agreement.clauses
        if c.prohibition is not None and c.prohibition.while_ is not None
    }


def openers(negotiations: Iterable[Clause]) -> dict[int, ex.Formula]:
    """Negotiation index -> the condition on which the talks open."""
    return {
        k: ex.parse(c.negotiation.opens_when, temporal=False)
        for k, c in enumerate(negotiations)
        if c.negotiation is not None and c.negotiation.opens_when is not None
    }


def referenced(agreement: Agreement) -> set[str]:
    """Names the conditions read (clauses among them must keep their outcome)."""
    out: set[str] = set()
    for text in texts(agreement):
        for atom in ex.atoms(ex.parse(text, temporal=False)):
            out.update(atom.args)
    return out


def reads_rounds(agreement: Agreement) -> bool:
    """Whether some condition on a norm reads stock counts or an exchange's rounds (then
    the rounds may not be folded into one slot, nor the stock counts dropped)."""
    exchanges = {c.id for c in agreement.clauses if c.exchange is not None}
    for text in texts(agreement):
        for atom in ex.atoms(ex.parse(text, temporal=False)):
            if atom.name in ("held", "released") or exchanges & set(atom.args):
                return True
    return False


# --------------------------------------------------------------------------- the calendar


def due_days(
    days: list[set[int]], expiry_days: list[set[int]], within: Iterable[int]
) -> list[set[int]]:
    """The days (per phase) at which a triggered duty may fall due, to be made time points.

    A duty triggered at a time point of day t falls due on day t + N of the same phase;
    if its phase is over first, the count goes on in the next phase (day 1 of which is the
    expiry day, or the day after the last point, of the phase before). Closed under as
    many triggers as there are.
    """
    ns = sorted(set(within))
    if not ns:
        return [set() for _ in days]
    out = [set(d) for d in days]
    added: list[set[int]] = [set() for _ in days]
    for _ in range(len(ns) + 1):
        changed = False
        for q in range(len(out)):
            new = {t + n for t in out[q] for n in ns if t + n <= MAX_DAY} - out[q]
            if new:
                out[q] |= new
                added[q] |= new
                changed = True
            if q + 1 < len(out):
                base = [e - 1 for e in expiry_days[q]] + sorted(out[q])
                moved = {d - b for d in added[q] for b in base if d > b} - out[q + 1]
                if moved:
                    out[q + 1] |= moved
                    added[q + 1] |= moved
                    changed = True
        if not changed:
            break
    return [out[q] - days[q] for q in range(len(days))]


def created(value: int) -> bool:
    """Whether a trigger slot's value is a duty created and not yet decided: counting down
    (a replay), due at the next time point, or pending."""
    return value < NOT_CREATED or value >= DUE_NEXT


def countdown(within: int) -> int:
    """A replay's trigger slot for a duty created on a day no phase counts: it falls due
    ``within`` days later (at least the next day)."""
    return -max(within, 1)


def encode(phases: int, phase: int, day: int) -> int:
    """A pending trigger slot: due on ``day`` of ``phase``."""
    return PENDING_BASE + day * phases + phase


def decode(phases: int, value: int) -> tuple[int, int]:
    """(phase, day) of a pending trigger slot."""
    return (value - PENDING_BASE) % phases, (value - PENDING_BASE) // phases
