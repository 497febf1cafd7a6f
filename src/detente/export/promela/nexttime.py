"""Formulas with ``X`` (at the next step), written so that Spin reads them.

Spin's LTL parser, as distributions build it, has no next operator (``X`` would break the
stutter invariance its partial-order reduction relies on): any claim that writes ``X``
stops ``spin -a`` with "expected predicate, saw 'X'". So a formula with ``X`` is read one
or more steps *later*, on remembered values, and never needs ``X``.

With ``d`` the deepest nesting of ``X`` in a formula ``f``, the formula ``f`` at step 0
says the same as ``T(f, d)`` at step ``d``, where ``T(p, k)`` for a predicate ``p`` is the
value ``p`` had ``k`` steps before (a register the model keeps), ``T(X g, k) = T(g, k - 1)``,
and every other operator is kept as it is (``[] g`` at step ``i`` holds when ``g`` holds at
every step from ``i``, so ``T`` shifts both sides alike). The claim is then
``(stp < d) U (stp >= d && T(f, d))``, with ``stp`` the number of steps taken (kept up to
the deepest ``d``); ``stp`` reaches ``d`` exactly at step ``d``.

The registers are updated at the start of each time point, from the state the claim saw
before it (the model is one ``atomic`` step per time point, so that state is the previous
step of the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from detente.export.promela.formulas import formula
from detente.export.promela.tables import Tables
from detente.language import expressions as ex


def next_depth(f: ex.Formula) -> int:
    """The deepest nesting of ``X`` in ``f`` (0: no ``X``)."""
    match f:
        case ex.Temporal(op, operand):
            return next_depth(operand) + (1 if op == "X" else 0)
        case ex.Not(operand):
            return next_depth(operand)
        case ex.And(operands) | ex.Or(operands):
            return max(next_depth(o) for o in operands)
        case ex.Implies(left, right) | ex.Until(left, right):
            return max(next_depth(left), next_depth(right))
    return 0


@dataclass
class Registers:
    """The remembered values the claims read: per predicate, its last ``depth`` values."""

    #: Promela expression of a predicate -> (register number, how many steps back it is read)
    kept: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the deepest ``X`` of any claim: how far ``stp`` counts
    steps: int = 0

    def var(self, expr: str, back: int) -> str:
        """The register holding ``expr``'s value ``back`` steps before."""
        n, depth = self.kept.get(expr, (len(self.kept), 0))
        self.kept[expr] = (n, max(depth, back))
        return f"y{n}_{back}"

    def declarations(self) -> list[str]:
        if not self.steps:
            return []
        lines = ["", "/* for claims with X: steps taken (up to the deepest X), and past values */"]
        lines.append(f"byte stp;   /* min(steps taken, {self.steps}) */")
        for expr, (n, depth) in self.kept.items():
            regs = ", ".join(f"y{n}_{k}" for k in range(1, depth + 1))
            lines.append(f"bit {regs};   /* {_short(expr)}, 1..{depth} steps before */")
        return lines

    def shift(self) -> list[str]:
        """The statements that open a step: every register moves one step back."""
        if not self.steps:
            return []
        lines = ["    /* the claims' past values (X), from the state before this step */"]
        for expr, (n, depth) in self.kept.items():
            older = [f"y{n}_{k} = y{n}_{k - 1};" for k in range(depth, 1, -1)]
            if older:
                lines.append("    " + " ".join(older))
            lines.append(f"    if :: {expr} -> y{n}_1 = 1 :: else -> y{n}_1 = 0 fi;")
        lines.append(f"    if :: stp < {self.steps} -> stp++ :: else -> skip fi;")
        return lines


def _short(expr: str) -> str:
    one = " ".join(expr.split()).replace("*/", "* /")
    return one if len(one) <= 70 else one[:67] + "..."


def without_next(t: Tables, f: ex.Formula, registers: Registers) -> str:
    """``f`` as a Spin LTL formula with no ``X`` (``f`` itself when it has none)."""
    d = next_depth(f)
    if d == 0:
        return formula(t, f)
    registers.steps = max(registers.steps, d)
    return f"((stp < {d}) U ((stp >= {d}) && {_later(t, f, d, registers)}))"


def _later(t: Tables, f: ex.Formula, back: int, registers: Registers) -> str:
    """``f`` at a step, said ``back`` steps later (``T(f, back)`` above)."""

    def again(g: ex.Formula, k: int = back) -> str:
        return _later(t, g, k, registers)

    match f:
        case ex.Const(value):
            return "true" if value else "false"
        case ex.Atom():
            expr = formula(t, f)
            return expr if back == 0 else registers.var(expr, back)
        case ex.Not(operand):
            return f"!({again(operand)})"
        case ex.And(operands):
            return "(" + " && ".join(again(o) for o in operands) + ")"
        case ex.Or(operands):
            return "(" + " || ".join(again(o) for o in operands) + ")"
        case ex.Implies(left, right):
            return f"(({again(left)}) -> ({again(right)}))"
        case ex.Temporal("X", operand):
            return again(operand, back - 1)
        case ex.Temporal("G", operand):
            return f"([] ({again(operand)}))"
        case ex.Temporal("F", operand):
            return f"(<> ({again(operand)}))"
        case ex.Until(left, right):
            return f"(({again(left)}) U ({again(right)}))"
    raise TypeError(f"not a formula: {f!r}")
