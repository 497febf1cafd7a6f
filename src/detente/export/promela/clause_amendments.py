"""Amendments of a clause in the model (``docs/semantics.md``, Amendments), read from the
text on its own: the export never asks the semantic core what an amendment changes.

An amendment ``A`` of clause ``X`` is the joint act ``pw_A``. The text's terms of what it
changes fall due only while ``!pw_A``, the amended ones only once ``pw_A``: an
obligation's new deadline (same ``ob_X``: one duty, moved), a round's new contents (sides
of their own, ``xr_X_R_A`` / ``xc_X_R_A``). It is open while no term it changes has passed
(the text's on or before its day, the amended before its day, in the latest phase
started) and, for an obligation, while ``ob_X`` is undecided. Its choice is made before
the duties' in step 3, so that the text's duty falling due on the day it is made cannot be
violated in that step (its violation is void), as the checker reads it.
"""

from __future__ import annotations

from detente.export.promela.tables import Tables, deadline, running
from detente.language.model import Clause, Obligation, When


def amended_deadline(t: Tables, target: Clause, am_clause: Clause) -> When | None:
    """The obligation's new deadline (None: the amendment leaves its deadline)."""
    am = am_clause.amendment
    o = target.obligation
    assert am is not None and o is not None
    if am.by is not None:
        return am.by
    if am.days is None:
        return None
    by = deadline(t.agreement, o)
    if by.day is not None:
        return When(phase=by.phase, day=by.day + am.days)
    dur = t.phase_duration[by.phase]
    assert dur is not None  # validate: a deadline at a phase's end has days
    last = (1 if by.at == "start" else dur) - 1 + t.first  # as the text numbers days
    return When(phase=by.phase, day=last + am.days)


def amended_obligation(t: Tables, c: Clause) -> Obligation | None:
    """Obligation ``c`` with the amended terms (None: no amendment changes it)."""
    found = t.clause_amended.get(c.id)
    if found is None:
        return None
    o = c.obligation
    assert o is not None and o.window is not None
    by = amended_deadline(t, c, found)
    window = o.window if by is None else o.window.model_copy(update={"by": by})
    am = found.amendment
    assert am is not None
    quantity = o.quantity if am.quantity is None else am.quantity
    return o.model_copy(update={"window": window, "quantity": quantity})


def available(t: Tables, am_clause: Clause) -> list[str]:
    """The conditions (beside ``agr == IN_FORCE``, ``!pw_A`` and ``available``) under
    which clause amendment ``am_clause`` may be made now."""
    am = am_clause.amendment
    assert am is not None and am.amends is not None
    target = t.agreement.clause(am.amends)
    conds: list[str] = []
    terms: list[tuple[When, bool]] = []
    if (o := target.obligation) is not None:
        conds.append(f"ob_{t.cid[target.id]} == UNDEC")
        terms.append((deadline(t.agreement, o), False))
        new = amended_obligation(t, target)
        assert new is not None
        terms.append((deadline(t.agreement, new), True))
    elif (x := target.exchange) is not None:
        changed = {r.day for r in am.rounds}
        for r in x.rounds:
            if r.day in changed:
                w = When(phase=x.phase, day=r.day)
                terms += [(w, False), (w, True)]
    for w, amended in terms:
        q = w.phase
        op = "<" if amended else "<="
        conds.append(
            f"(ph_{q} == PENDING || ({running(q)} && {t.latest_started(q)} && !lat && day {op} {t.when(w)}))"
        )
    return conds


def guard(t: Tables, clause_id: str, amended: bool) -> str:
    """`` && !pw_A`` / `` && pw_A`` for a term amendment A replaces / gives ("" for none)."""
    found = t.clause_amended.get(clause_id)
    if found is None:
        return ""
    return f" && {'' if amended else '!'}pw_{t.cid[found.id]}"
