"""The expression language (``docs/language.md``) in Promela: a power's condition as a
state expression, a custom expectation's formula as a Spin LTL formula."""

from __future__ import annotations

from detente.export.promela.conditions import binds, ob_in_effect, side_done, side_in_effect
from detente.export.promela.syntax import all_of, any_of
from detente.export.promela.tables import Tables, compliant, held, running, started
from detente.language import expressions as ex

#: The predicates without arguments.
_WORDS = {
    "hostilities": "hostile",
    "ceasefire": "CEASEFIRE",
    "in_force": "(agr == IN_FORCE)",
    "completed": "(agr == COMPLETED)",
    "terminated": "(agr == TERMINATED)",
}
_NEGOTIATION_STATES = {"agreed": "AGREED", "failed": "FAILED", "open": "OPEN"}
_TEMPORAL = {"G": "[]", "F": "<>", "X": "X"}


def atom(t: Tables, a: ex.Atom) -> str:
    """One predicate of the expression language as a Promela expression."""
    name, args = a.name, a.args
    if not args and a.comparator is None:
        return _WORDS[name]
    arg = args[0]
    if name == "active":
        return running(arg)
    if name == "started":
        return started(arg)
    if name == "done":
        return f"(ph_{arg} == DONE)"
    if name == "expired":
        if t.agreement.phase(arg).duration_days is None:
            return "false"
        return f"({started(arg)} && day >= EXP_{arg})"
    if name in _NEGOTIATION_STATES:
        return f"(ng_{t.cid[arg]} == {_NEGOTIATION_STATES[name]})"
    if name in ("held", "released"):
        value = held(arg) if name == "held" else f"REL_{arg}"
        return f"({value} {a.comparator} {a.number})"
    if name == "compliant":
        return compliant(arg)
    return _clause_atom(t, name, arg)


def _clause_atom(t: Tables, name: str, arg: str) -> str:
    """A predicate on clause ``arg``'s outcome; ``false`` where the clause's kind has none."""
    clause = t.agreement.clause(arg)
    v = t.cid[arg]
    if name == "fulfilled":
        if clause.obligation is not None:
            return f"(ob_{v} == FUL)"
        if clause.exchange is not None:
            return all_of(side_done(s) for s in t.sides_of(arg))
        return "false"
    if name == "violated":
        if clause.obligation is not None:
            return f"(ob_{v} == VIO)"
        if clause.exchange is not None:
            return any_of(f"{s.var} == VIO" for s in t.sides_of(arg))
        if clause.prohibition is not None:
            return f"pv_{v}"
        if arg in t.self_defence:
            return f"sv_{v}"
        return "false"
    granted = clause.power is not None or clause.amendment is not None
    if name == "exercised":
        return f"pw_{v}" if granted else "false"
    if name == "available":
        return f"AVAIL_{v}" if granted else "false"
    if name == "in_effect":
        if granted:
            return f"AVAIL_{v}"
        if clause.obligation is not None:
            return ob_in_effect(t, clause)
        if clause.exchange is not None:
            return any_of(side_in_effect(s) for s in t.sides_of(arg))
        if clause.prohibition is not None:
            return binds(t, clause)
        if clause.negotiation is not None:
            return f"(ng_{v} == OPEN)"
        return "false"
    raise ValueError(f"no Promela for predicate {name}")


def formula(t: Tables, f: ex.Formula) -> str:
    """A formula (or a condition) of the expression language in Spin's syntax."""
    match f:
        case ex.Const(value):
            return "true" if value else "false"
        case ex.Atom():
            return f"({atom(t, f)})"
        case ex.Not(operand):
            return f"!({formula(t, operand)})"
        case ex.And(operands):
            return "(" + " && ".join(formula(t, o) for o in operands) + ")"
        case ex.Or(operands):
            return "(" + " || ".join(formula(t, o) for o in operands) + ")"
        case ex.Implies(left, right):
            return f"(({formula(t, left)}) -> ({formula(t, right)}))"
        case ex.Temporal(op, operand):
            return f"({_TEMPORAL[op]} ({formula(t, operand)}))"
        case ex.Until(left, right):
            return f"(({formula(t, left)}) U ({formula(t, right)}))"
    raise TypeError(f"not a formula: {f!r}")
