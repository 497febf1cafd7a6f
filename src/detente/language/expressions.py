"""The small expression language: conditions on the agreement's state, and LTL formulas.

A condition is written in plain words and predicates::

    expired(phase1) and not agreed("14")
    violated("1.3") or held(civilian_women) < 3

A temporal formula adds LTL's operators ``G`` (always), ``F`` (eventually),
``X`` (next) and ``U`` (until)::

    G (hostilities -> exercised("16"))
    G F active(phase2)

Predicates (``NAME(args)``) and bare words are checked against the spec by
:func:`references`; the checker gives them meaning.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

_GRAMMAR = r"""
?start: implication
?implication: disjunction
            | disjunction "->" implication          -> implies
?disjunction: conjunction
            | conjunction (("or" | "||") conjunction)+  -> any_of
?conjunction: until
            | until (("and" | "&&") until)+          -> all_of
?until: unary
      | unary "U" until                             -> until
?unary: ("not" | "!") unary                         -> negation
      | "G" unary                                   -> always
      | "F" unary                                   -> eventually
      | "X" unary                                   -> next
      | atom
?atom: "(" implication ")"
     | "true"                                       -> true
     | "false"                                      -> false
     | call COMPARATOR INT                          -> comparison
     | call
     | WORD                                         -> word
call: WORD "(" [arg ("," arg)*] ")"
?arg: WORD -> name_arg
    | ESCAPED_STRING -> string_arg
    | INT -> int_arg
COMPARATOR: "<=" | ">=" | "==" | "!=" | "<" | ">"
WORD: /(?!(and|or|not|true|false)\b)[a-z_][a-z0-9_]*/
%import common.ESCAPED_STRING
%import common.INT
%import common.WS
%ignore WS
"""

#: Predicates with their argument kinds: what each argument must name in the spec.
PREDICATES: dict[str, tuple[str, ...]] = {
    "active": ("phase",),
    "started": ("phase",),
    "done": ("phase",),
    "expired": ("phase",),
    "fulfilled": ("clause",),
    "violated": ("clause",),
    "exercised": ("clause",),
    "available": ("clause",),
    "in_effect": ("clause",),
    "agreed": ("negotiation",),
    "failed": ("negotiation",),
    "open": ("negotiation",),
    "held": ("stock",),
    "released": ("stock",),
    "compliant": ("party",),
}
#: Predicates that compare a count with a number.
COUNTING = {"held", "released"}
#: Bare words that name a fact about the whole state.
WORDS = {"hostilities", "ceasefire", "in_force", "completed", "terminated"}


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Atom:
    """A predicate or bare word; ``args`` are names of spec elements."""

    name: str
    args: tuple[str, ...] = ()
    comparator: str | None = None
    number: int | None = None


@dataclass(frozen=True)
class Not:
    operand: Formula


@dataclass(frozen=True)
class And:
    operands: tuple[Formula, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Formula, ...]


@dataclass(frozen=True)
class Implies:
    left: Formula
    right: Formula


@dataclass(frozen=True)
class Temporal:
    """``G``, ``F`` or ``X`` applied to one operand."""

    op: Literal["G", "F", "X"]
    operand: Formula


@dataclass(frozen=True)
class Until:
    left: Formula
    right: Formula


Formula = Const | Atom | Not | And | Or | Implies | Temporal | Until


class ExpressionError(ValueError):
    """A formula could not be parsed; ``column`` is 1-based within the formula."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


@v_args(inline=True)
class _ToAst(Transformer[Token, Formula]):
    def implies(self, left: Formula, right: Formula) -> Formula:
        return Implies(left, right)

    def any_of(self, *items: Formula) -> Formula:
        return Or(tuple(items))

    def all_of(self, *items: Formula) -> Formula:
        return And(tuple(items))

    def until(self, left: Formula, right: Formula) -> Formula:
        return Until(left, right)

    def negation(self, operand: Formula) -> Formula:
        return Not(operand)

    def always(self, operand: Formula) -> Formula:
        return Temporal("G", operand)

    def eventually(self, operand: Formula) -> Formula:
        return Temporal("F", operand)

    def next(self, operand: Formula) -> Formula:
        return Temporal("X", operand)

    def true(self) -> Formula:
        return Const(True)

    def false(self) -> Formula:
        return Const(False)

    def word(self, token: Token) -> Formula:
        return Atom(str(token))

    def call(self, name: Token, *args: str | None) -> Formula:
        return Atom(str(name), tuple(a for a in args if a is not None))

    def comparison(self, call: Atom, comparator: Token, number: Token) -> Formula:
        return Atom(call.name, call.args, str(comparator), int(number))

    def name_arg(self, token: Token) -> str:
        return str(token)

    def string_arg(self, token: Token) -> str:
        return str(token)[1:-1]

    def int_arg(self, token: Token) -> str:
        return str(token)


_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


def parse(text: str, *, temporal: bool = True) -> Formula:
    """Parse a condition (``temporal=False``) or an LTL formula into its tree."""
    if len(text) > 4000:
        raise ExpressionError("the formula is longer than 4,000 characters")
    _check_parentheses(text)
    try:
        tree = _PARSER.parse(text)
        formula = _ToAst().transform(tree)
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream
        shown = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        raise ExpressionError(f"unexpected character {shown!r}", exc.column) from None
    except UnexpectedEOF:
        raise ExpressionError("the formula ends too early", len(text) + 1) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        shown = f" {str(token)!r}" if token else ""
        raise ExpressionError(f"unexpected word{shown}", getattr(exc, "column", None)) from None
    except (LarkError, RecursionError) as exc:
        raise ExpressionError(f"the formula cannot be read ({type(exc).__name__})") from None
    if not temporal and _has_temporal(formula):
        raise ExpressionError("a condition cannot use the temporal operators G, F, X or U")
    return formula


def _check_parentheses(text: str) -> None:
    """Name an unbalanced parenthesis where it is, before the parser meets the end."""
    opened: list[int] = []
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            opened.append(i)
        elif ch == ")":
            if not opened:
                raise ExpressionError("this closing parenthesis has no opening one", i + 1)
            opened.pop()
    if opened:
        raise ExpressionError("the parenthesis opened here is never closed", opened[-1] + 1)


def _has_temporal(f: Formula) -> bool:
    return any(isinstance(node, Temporal | Until) for node in walk(f))


def walk(f: Formula) -> list[Formula]:
    """Every node of a formula, parents before children."""
    out: list[Formula] = []
    stack: list[Formula] = [f]
    while stack:
        node = stack.pop()
        out.append(node)
        match node:
            case Not(operand) | Temporal(_, operand):
                stack.append(operand)
            case And(operands) | Or(operands):
                stack.extend(reversed(operands))
            case Implies(left, right) | Until(left, right):
                stack.extend((right, left))
    return out


def atoms(f: Formula) -> list[Atom]:
    return [node for node in walk(f) if isinstance(node, Atom)]


def reference_problems(f: Formula, names: dict[str, set[str]]) -> list[str]:
    """Sentences for every predicate or name in ``f`` that the spec does not define.

    ``names`` maps an argument kind (``phase``, ``clause``, ``negotiation``,
    ``stock``, ``party``) to the identifiers the spec defines for it.
    """
    problems: list[str] = []
    for atom in atoms(f):
        if not atom.args and atom.comparator is None and atom.name in WORDS:
            continue
        kinds = PREDICATES.get(atom.name)
        if kinds is None:
            every = sorted(PREDICATES) + sorted(WORDS)
            close = difflib.get_close_matches(atom.name, every, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(every)}"
            problems.append(f"unknown predicate {atom.name!r} ({hint})")
            continue
        if len(atom.args) != len(kinds):
            problems.append(f"{atom.name}(…) takes {len(kinds)} argument(s), not {len(atom.args)}")
            continue
        if (atom.comparator is not None) != (atom.name in COUNTING):
            problems.append(
                f"{atom.name}(…) must be compared with a number"
                if atom.name in COUNTING
                else f"{atom.name}(…) cannot be compared with a number"
            )
        for kind, arg in zip(kinds, atom.args, strict=True):
            known = names.get(kind, set())
            if arg not in known:
                close = difflib.get_close_matches(arg, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(f"{atom.name}({arg}): no {kind} {arg!r} in this agreement{hint}")
    return problems


def render(f: Formula) -> str:
    """Write a formula back as text (fully parenthesised where it matters)."""
    match f:
        case Const(value):
            return "true" if value else "false"
        case Atom(name, args, comparator, number):
            text = (
                name
                if not args and comparator is None
                else f"{name}({', '.join(_arg(a) for a in args)})"
            )
            return f"{text} {comparator} {number}" if comparator is not None else text
        case Not(operand):
            return f"not {_wrap(operand)}"
        case And(operands):
            return " and ".join(_wrap(o) for o in operands)
        case Or(operands):
            return " or ".join(_wrap(o) for o in operands)
        case Implies(left, right):
            return f"{_wrap(left)} -> {_wrap(right)}"
        case Temporal(op, operand):
            return f"{op} {_wrap(operand)}"
        case Until(left, right):
            return f"{_wrap(left)} U {_wrap(right)}"
    raise TypeError(f"not a formula: {f!r}")


def _arg(a: str) -> str:
    return a if a.isidentifier() and a.islower() else f'"{a}"'


def _wrap(f: Formula) -> str:
    text = render(f)
    return text if isinstance(f, Atom | Const | Not | Temporal) else f"({text})"
