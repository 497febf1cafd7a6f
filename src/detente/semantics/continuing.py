"""Recurring duties that keep falling due while their phase continues (``docs/semantics.md``).

A recurring duty whose window runs to the end of its phase (``by: {phase: P, at: end}``,
with no earlier ``until``) is a duty for as long as P lasts. When P's days run out and its
``at_expiry`` rule is ``continues_while``, P goes on, and so does the duty: it keeps falling
due, every ``every_days`` days counted from its first day, until P is over.

- In the checker's time abstraction a continuing phase's points after its planned end and
  its repeating "later" point are each one more recurrence point of the duty (one run of
  recurrence days, as the folding of ``docs/semantics.md`` reads a run inside the phase).
- In a replay (every day a point) the duty's instances go on day by day beyond the
  scheduled end, numbered after the scheduled ones (``aid#43``, ``aid#44``, ...); each falls
  due only if the phase is still continuing on its day.
"""

from __future__ import annotations

from collections.abc import Mapping

from detente.language.model import Agreement, Clause, When
from detente.semantics.schedule import Instance, PhaseSpan, local_day


def _to_end(when: When, phase: str) -> bool:
    return when.phase == phase and when.day is None and when.at == "end"


def continues(agreement: Agreement, clause: Clause) -> bool:
    """Whether ``clause`` is a recurring duty that keeps falling due while its phase continues."""
    o = clause.obligation
    if o is None or o.recurrence is None or o.window is None:
        return False
    by = o.window.by
    if by is None or not _to_end(by, by.phase):
        return False  # a deadline counted from an anchor is no phase's end
    frm = o.window.from_
    if frm is not None and frm.phase != by.phase:
        return False
    until = o.recurrence.until
    if until is not None and not _to_end(until, by.phase):
        return False
    phase = agreement.phase(by.phase)
    return phase.duration_days is not None and phase.at_expiry.rule == "continues_while"


def continuing_clauses(agreement: Agreement) -> dict[str, list[Clause]]:
    """Phase id -> its recurring duties that keep falling due while it continues."""
    out: dict[str, list[Clause]] = {}
    for c in agreement.clauses:
        if continues(agreement, c):
            assert c.obligation is not None and c.obligation.window is not None
            assert c.obligation.window.by is not None
            out.setdefault(c.obligation.window.by.phase, []).append(c)
    return out


def recurrence(agreement: Agreement, clause: Clause) -> tuple[int, int]:
    """(first day in phase, every how many days) of a recurring duty."""
    o = clause.obligation
    assert o is not None and o.recurrence is not None and o.window is not None
    assert o.window.by is not None
    frm = o.window.from_ or When(phase=o.window.by.phase, at="start")
    return local_day(agreement, frm) or 1, o.recurrence.every_days


def days_between(first: int, every: int, lo: int, hi: int) -> list[int]:
    """The recurrence days (``first``, ``first + every``, ...) in ``lo+1 .. hi``."""
    n = max(0, -(-(lo + 1 - first) // every))
    return list(range(first + n * every, hi + 1, every))


def key_of(clause: Clause, first: int, every: int, day: int) -> str:
    """The instance key of a recurring duty's recurrence on ``day`` (numbered from 1)."""
    return f"{clause.id}#{(day - first) // every + 1}"


def continuing_instances(
    agreement: Agreement, spans: Mapping[str, PhaseSpan], up_to: int
) -> list[Instance]:
    """The instances of continuing recurring duties beyond their phase's planned end, up to
    day ``up_to`` of that phase (a replay's horizon), numbered after the scheduled ones."""
    out: list[Instance] = []
    for phase_id, clauses in continuing_clauses(agreement).items():
        duration = agreement.phase(phase_id).duration_days
        assert duration is not None
        span = spans.get(phase_id)
        start = span.start if span is not None else None
        for c in clauses:
            o = c.obligation
            assert o is not None
            first, every = recurrence(agreement, c)
            for day in days_between(first, every, duration, up_to):
                absolute = None if start is None else start + day - 1
                out.append(
                    Instance(
                        key_of(c, first, every, day),
                        c.id,
                        "obligation",
                        o.debtor,
                        o.creditor,
                        o.action,
                        o.category,
                        o.quantity,
                        None,
                        None,
                        phase_id,
                        day,
                        phase_id,
                        day,
                        absolute,
                        absolute,
                        continuation=True,
                    )
                )
    return out
