"""The LTL claims: one ``ltl`` block per expectation, written per template (``docs/semantics.md``,
Expectations), named by :func:`detente.language.claims.claim_name`.

A claim about a long state predicate does not spell it out: Spin's ltl parser has a length
limit, so the model keeps an :class:`Observer` bit for it, which the claim reads. The claims
are therefore written before the rest of the model, which declares and updates their observers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from detente.export.promela.conditions import inconsistent
from detente.export.promela.nexttime import Registers, next_depth, without_next
from detente.export.promela.syntax import all_of, any_of, comment
from detente.export.promela.tables import Tables, bit, compliant
from detente.language import expressions as ex
from detente.language.claims import claim_name
from detente.language.model import Expectation, Power, PowerAction

#: Powers that could end a truce lawfully (for no_indefinite_truce).
ENDING_ACTIONS = (
    PowerAction.end_agreement,
    PowerAction.resume_hostilities,
    PowerAction.declare_failed,
    PowerAction.arbitrate,
)


@dataclass(frozen=True)
class Observer:
    """A bit the model sets after each step from a predicate that claim ``claim`` reads."""

    claim: str
    predicate: str
    #: the bit says the predicate *has been* true (for ``[] !p``), not that it holds now
    sticky: bool

    @property
    def var(self) -> str:
        return f"{'bad' if self.sticky else 'now'}_{self.claim}"

    @property
    def update(self) -> str:
        """The statement that brings the bit up to date with the state."""
        otherwise = "skip" if self.sticky else f"{self.var} = 0"
        return f"if :: {self.predicate} -> {self.var} = 1 :: else -> {otherwise} fi;"


@dataclass
class Claims:
    """The claims' lines, and the observers the model must keep for them."""

    lines: list[str]
    observers: list[Observer] = field(default_factory=list)
    #: past values that claims with ``X`` read (Spin has no ``X``: see :mod:`.nexttime`)
    registers: Registers = field(default_factory=Registers)


@dataclass
class _Claim:
    """The claim being written: its name, and where its observer goes."""

    name: str
    observers: list[Observer]
    registers: Registers

    def never(self, pred: str) -> str:
        """``[] !pred``; a non-trivial predicate goes through a sticky observer bit."""
        if pred == "false":
            return "[] true"
        observer = Observer(self.name, pred, sticky=True)
        self.observers.append(observer)
        return f"[] !{observer.var}"

    def observed(self, pred: str) -> str:
        """``pred`` as seen after each step (for persistence claims ``<> []``)."""
        if len(pred) < 300:
            return f"({pred})"
        observer = Observer(self.name, pred, sticky=False)
        self.observers.append(observer)
        return observer.var


def write_claims(t: Tables) -> Claims:
    """Every expectation's claim (a comment for a static check), in the spec's order."""
    out = Claims(["", "/* expectations, one claim each */"])
    for x in t.agreement.expectations:
        name = claim_name(x)
        if name is None:
            out.lines.append(f"/* {x.label}: a static check, no claim */")
            continue
        body = _body(t, x, _Claim(name, out.observers, out.registers))
        why = f" — {comment(x.description)}" if x.description else ""
        out.lines.append(f"/* {x.label}{why} */")
        out.lines.append(f"ltl {name} {{ {body} }}")
    return out


def _body(t: Tables, x: Expectation, claim: _Claim) -> str:
    if x.template is None:
        assert x.formula is not None
        parsed = ex.parse(x.formula)
        if next_depth(parsed) > 0:
            if x.protects is not None:
                always = ex.Temporal("G", ex.Atom("compliant", (x.protects,)))
                parsed = ex.Implies(always, parsed)
            return without_next(t, parsed, claim.registers)
        f = without_next(t, parsed, claim.registers)
        if x.protects is not None:
            return f"([] {compliant(x.protects)}) -> ({f})"
        return f
    template = _TEMPLATES.get(x.template)
    if template is None:
        raise ValueError(f"no claim for template {x.template}")
    return template(t, x, claim)


def _no_unilateral_exit(t: Tables, x: Expectation, claim: _Claim) -> str:
    assert x.protects is not None
    b = bit(x.protects)
    exit_ = f"((hl_direct & ~{b}) != 0 || ((hl_power & ~{b}) != 0 && (hl_cons & {b}) == 0))"
    # compliance is judged on the run so far, as the checker does: a lawful exit by
    # another party while P has violated nothing yet is a counterexample
    return claim.never(f"{compliant(x.protects)} && {exit_}")


def _could_end_truce(t: Tables, pw: Power, protects: str) -> bool:
    """Whether ``pw`` is a way out of the truce for ``protects``: it ends the truce and needs
    no conflict party (role ``party``) other than ``protects``, as holder or by consent."""
    roles = {p.id: p.role.value for p in t.agreement.parties}
    needed = [pw.holder, *pw.requires_consent]
    if any(who != protects and roles.get(who) == "party" for who in needed):
        return False
    if pw.action in ENDING_ACTIONS:
        return True
    if pw.action != PowerAction.suspend_clause or pw.target is None:
        return False
    target = t.agreement.clause(pw.target)
    return target.prohibition is not None and target.prohibition.act == "hostilities"


def _no_indefinite_truce(t: Tables, x: Expectation, claim: _Claim) -> str:
    assert x.protects is not None
    # a truce is a ceasefire norm in effect: without one, anyone may lawfully
    # resume (DESIGN: "with nobody able to end it lawfully"); suspending a
    # ceasefire clause ends it too; a power needing another conflict party (as holder or
    # by consent) is no way out for P: that party may withhold it forever
    ending = [f"AVAIL_{t.cid[c.id]}" for c, pw in t.powers if _could_end_truce(t, pw, x.protects)]
    stuck = all_of(
        [
            "agr == IN_FORCE",
            f"ph_{t.last_phase} == PENDING",
            "!hostile",
            "CEASEFIRE",
            f"!({any_of(ending)})",
        ]
    )
    return f"([] {compliant(x.protects)}) -> !(<> [] {claim.observed(stuck)})"


def _no_lapse(t: Tables, x: Expectation, claim: _Claim) -> str:
    return claim.never("agr == IN_FORCE && !CEASEFIRE && gap")


def _completes_if_all_comply(t: Tables, x: Expectation, claim: _Claim) -> str:
    # fairness: a counterexample ends up looping with no negotiation open (the
    # talks agreed, or never had to be held)
    talks = all_of(f"ng_{t.cid[c.id]} != OPEN" for c, _ in t.negotiations)
    premise = f"([] (viol == 0 && !EXERCISED)) && (<> [] {claim.observed(talks)})"
    return f"({premise}) -> (<> (agr == COMPLETED))"


def _reciprocity(t: Tables, x: Expectation, claim: _Claim) -> str:
    assert x.parties is not None
    a_, b_ = x.parties
    bad: list[str] = []
    for s in t.sides:
        if s.party != a_:
            continue
        other = s.exchange.counterpart if s.party == s.exchange.releasing else s.exchange.releasing
        if other != b_:
            continue
        match = [
            o
            for o in t.sides
            if o.clause.id == s.clause.id and o.index == s.index and o.party == b_ and o is not s
        ]
        if not match:
            bad.append(f"{s.var} == FUL")
        else:
            bad.extend(f"{s.var} == FUL && {m.var} == DISCH" for m in match)
    return claim.never(any_of(bad))


def _consistent(t: Tables, x: Expectation, claim: _Claim) -> str:
    # judged at the time point (step 3 sets `incons`), kept to the step's end
    return "[] true" if inconsistent(t) == "false" else claim.never("incons")


_TEMPLATES: dict[str, Callable[[Tables, Expectation, _Claim], str]] = {
    "no_unilateral_exit": _no_unilateral_exit,
    "no_indefinite_truce": _no_indefinite_truce,
    "no_lapse": _no_lapse,
    "completes_if_all_comply": _completes_if_all_comply,
    "reciprocity": _reciprocity,
    "consistent": _consistent,
}
