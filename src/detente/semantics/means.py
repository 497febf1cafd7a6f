"""Duties of means beside duties of result, and duties with no deadline (``docs/semantics.md``, "Parts, means and open
duties"): the options a duty has when it falls due.

A duty of **result** (the default) falling due is fulfilled (done in full) or violated; a
part done does not save it. A duty of **means** (``effort: best``: "to the best of its
ability", a joint task force's search) has a third outcome, :class:`Endeavoured`: not
achieved, while its debtor makes the efforts it owes, which violates nothing. It is
violated only by a failure to make efforts (in a replay, a logged ``breach``), never by
the result's absence and never by the log's silence, whichever reading of absence a
replay takes.
"""

from __future__ import annotations

from detente.language.model import Agreement
from detente.semantics.choices import Option, Options
from detente.semantics.tables import Duty, Replay


def duty_options(
    options: Options, duty: Duty, *, can: bool, may_violate: bool, replay: Replay | None
) -> tuple[Option, ...]:
    """The options of ``duty`` falling due, in order: fulfil (when its debtor ``can``: it
    holds enough), endeavour (a duty of means), violate (unless its debtor is protected),
    and, in a replay, *not recorded* (for a duty of means, even when absence is read as
    violation)."""
    out: list[Option] = []
    if can:
        out.append(options.fulfil(duty))
    if duty.effort:
        out.append(options.endeavour(duty))
    if may_violate:
        out.append(options.violate(duty))
    if replay is not None and (duty.effort or not replay.absence_is_violation):
        out.append(options.duty_not_recorded(duty))
    return tuple(out)


def absence_violates(effort: bool, absence_is_violation: bool) -> bool:
    """Whether a deadline passed with nothing logged violates a duty: only a duty of
    result, and only when absence is read as violation."""
    return absence_is_violation and not effort


def open_duties(agreement: Agreement) -> set[str]:
    """The clauses of duties with no deadline (an obligation without ``window``): in effect
    while their phase lasts, never falling due, so never violated by time; a replay shows
    them *open* until done."""
    return {
        c.id for c in agreement.clauses if c.obligation is not None and c.obligation.no_deadline
    }
