"""The calendar of amended terms (``docs/semantics.md``, Amendments): what an amendment of
a clause replaces and what it gives, compiled beside the text's own instances.

The rules of amendments (when one is open, what making one does) are in
:mod:`.amendments`; this module only compiles the terms, so that the tables can be built
from it. A duty or round side carries a *guard*: 0, or ``k + 1`` for a term amendment
``k`` gives (in effect once made), or ``-(k + 1)`` for a text's term it replaces (in effect
until made).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from detente.language.model import Agreement, Amendment, Clause, When
from detente.semantics.anchors import shown
from detente.semantics.schedule import Instance, PhaseSpan, instances, local_day


class Compiled(Protocol):
    """What the compiled tables give this module."""

    agreement: Agreement
    widx: dict[str, int]
    pts: list[Any]
    sides: list[Any]
    o_pw: int
    o_fl: int


def amended_clause(agreement: Agreement, target: Clause, am: Amendment) -> Clause:
    """The clause ``target`` with the terms amendment ``am`` gives it (the text unchanged)."""
    if (o := target.obligation) is not None:
        upd: dict[str, object] = {}
        if o.window is not None and o.window.by is not None:
            by = o.window.by
            if am.by is not None:
                by = am.by
            elif am.days is not None:
                day = local_day(agreement, by)
                by = When(phase=by.phase, day=shown(agreement, (day or 0) + am.days))
            upd["window"] = o.window.model_copy(update={"by": by})
        if am.quantity is not None:
            upd["quantity"] = am.quantity
        return target.model_copy(update={"obligation": o.model_copy(update=upd)})
    if (x := target.exchange) is not None:
        new = {r.day: r for r in am.rounds}
        rounds = [
            new[r.day].model_copy(update={"label": new[r.day].label or r.label})
            if r.day in new
            else r
            for r in x.rounds
        ]
        return target.model_copy(update={"exchange": x.model_copy(update={"rounds": rounds})})
    return target


def clause_amendment_pairs(agreement: Agreement) -> list[tuple[Clause, Clause, Amendment]]:
    """Each amendment of a clause: (the amendment's clause, the clause it amends, it)."""
    out = []
    for c in agreement.clauses:
        am = c.amendment
        if am is None or am.amends is None:
            continue
        target = next((t for t in agreement.clauses if t.id == am.amends), None)
        if target is not None and (target.obligation is not None or target.exchange is not None):
            out.append((c, target, am))
    return out


def _changed(target: Clause, am: Amendment, inst: Instance) -> bool:
    """Whether an instance of ``target`` is one of the terms ``am`` changes."""
    if target.exchange is None:
        return True
    days = {r.day for r in am.rounds}
    return inst.round is not None and target.exchange.rounds[inst.round].day in days


def amended_instances(
    agreement: Agreement, spans: Mapping[str, PhaseSpan], text: list[Instance]
) -> tuple[list[Instance], dict[str, str]]:
    """The amended instances (each with ``amended_by``: its amendment's clause) and, for
    the text's instances each amendment replaces, key -> the amendment's clause."""
    extra: list[Instance] = []
    replaced: dict[str, str] = {}
    for c, target, am in clause_amendment_pairs(agreement):
        only = agreement.model_copy(update={"clauses": [amended_clause(agreement, target, am)]})
        extra += [
            replace(i, amended_by=c.id) for i in instances(only, spans) if _changed(target, am, i)
        ]
        for i in text:
            if i.clause == target.id and _changed(target, am, i):
                replaced[i.key] = c.id
    return extra, replaced


@dataclass(frozen=True)
class ClauseAmendment:
    """A compiled amendment of a clause: the clause it changes, and each term it changes
    as (phase index, day in phase, whether it is the amended term)."""

    clause: str
    amends: str
    rounds: bool
    terms: tuple[tuple[int, int, bool], ...]


def compile_clause_amendments(m: Compiled) -> dict[int, ClauseAmendment]:
    """Power index -> the compiled amendment of a clause (from the guarded duties and sides)."""
    out: dict[int, ClauseAmendment] = {}
    for c, target, _ in clause_amendment_pairs(m.agreement):
        k = m.widx[c.id]
        terms: list[tuple[int, int, bool]] = []
        for q, pts in enumerate(m.pts):
            for pt in pts:
                for duty in pt.duties:
                    if abs(duty.guard) == k + 1:
                        terms.append((q, pt.day, duty.guard > 0))
        for side in m.sides:
            if abs(side.guard) == k + 1:
                terms.append((side.phase, side.day, side.guard > 0))
        out[k] = ClauseAmendment(c.id, target.id, target.exchange is not None, tuple(terms))
    return out


def guard_of(m: Compiled, inst: Instance, replaced: Mapping[str, str]) -> int:
    """An instance's guard: ``k + 1`` for an amended term, ``-(k + 1)`` for a text's term
    amendment ``k`` replaces, 0 otherwise."""
    if inst.amended_by is not None:
        return m.widx[inst.amended_by] + 1
    by = replaced.get(inst.key)
    return 0 if by is None else -(m.widx[by] + 1)


def binds(m: Compiled, s: Sequence[int], guard: int) -> bool:
    """Whether a duty or round side with ``guard`` binds in state ``s``, as far as the
    amendment's making goes (see :func:`.amendments.in_effect` for the whole rule)."""
    if guard == 0:
        return True
    if guard > 0:
        return bool(s[m.o_pw + guard - 1] & 1)
    return not s[m.o_pw - guard - 1] & 1


__all__ = [
    "ClauseAmendment",
    "Compiled",
    "amended_clause",
    "amended_instances",
    "binds",
    "clause_amendment_pairs",
    "compile_clause_amendments",
    "guard_of",
]
