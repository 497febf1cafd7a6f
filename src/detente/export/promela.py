"""The Promela export: a spec's rules restated for the Spin model checker.

This is a second, independent reading of ``docs/semantics.md``: it translates
the spec's norms (phases and their expiry rules, obligations, exchange rounds,
powers, negotiations, prohibitions, extension rules) into one Promela process
whose every loop iteration is one time point, executed as one ``atomic`` step
(1 expiry, 2 phase starts, 3 the parties' choices, 4 effects, 5 completion).
Spin evaluates claims only between atomic steps, so the states a claim sees are
exactly the states after each time point, as in the semantics.

It never looks at Détente's checker: no import of ``detente.semantics`` or
``detente.checker`` here. One ``ltl`` claim per expectation, named by
:func:`detente.language.claims.claim_name`.

Time is the absolute day (day 1 = entry into force). The next time point is the
nearest future phase expiry, deadline, round day, start-by day or power
availability day; consecutive recurrence points collapse into one step; when
none is left the step is the repeating "later" point (the day stays), so
stalling forever is a loop Spin finds as an acceptance cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from detente.language import expressions as ex
from detente.language.claims import claim_name
from detente.language.model import (
    Agreement,
    Clause,
    Exchange,
    ExchangeRound,
    Expectation,
    Obligation,
    PowerAction,
    Role,
    When,
)

#: Day value meaning "no time point left".
NONE_DAY = 30000
#: Stand-in for a stock whose count the text does not give: never runs out.
UNLIMITED = 1_000_000_000
#: Most extension-rule releases modelled when the rule gives no bound.
EXTENSION_CAP = 10
#: Powers that could end a truce lawfully (for no_indefinite_truce).
ENDING_ACTIONS = (
    PowerAction.end_agreement,
    PowerAction.resume_hostilities,
    PowerAction.declare_failed,
)


def _ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def _comment(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > 90:
        one_line = one_line[:87] + "..."
    return one_line.replace("*/", "* /")


def _any(items: Iterable[str]) -> str:
    parts = [f"({i})" for i in items]
    return " || ".join(parts) if parts else "false"


def _all(items: Iterable[str]) -> str:
    parts = [f"({i})" for i in items]
    return " && ".join(parts) if parts else "true"


def _sum(items: Iterable[str]) -> str:
    parts = list(items)
    return " + ".join(parts) if parts else "0"


@dataclass(frozen=True)
class _Side:
    """One side of one exchange round: an obligation instance to release."""

    var: str  # status variable
    clause: Clause
    exchange: Exchange
    index: int
    party: str
    amounts: dict[str, int]  # stock -> units released


class _Exporter:
    def __init__(self, agreement: Agreement) -> None:
        self.a = agreement
        self.lines: list[str] = []
        # identifiers
        self.cid: dict[str, str] = {}
        used: set[str] = set()
        for c in agreement.clauses:
            base = "c" + _ident(c.id)
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}_{n}"
            used.add(name)
            self.cid[c.id] = name
        self.party_index = {p.id: i for i, p in enumerate(agreement.parties)}
        self.mask_type = "byte" if len(agreement.parties) <= 8 else "int"
        self.stock_ids = {s.id for s in agreement.stocks}
        self.limited = {s.id for s in agreement.stocks if s.count is not None}
        self.last_phase = agreement.phases[-1].id
        self.negotiations = agreement.clauses_of("negotiation")
        self.obligations = agreement.clauses_of("obligation")
        self.powers = agreement.clauses_of("power")
        self.prohibitions = agreement.clauses_of("prohibition")
        self.extensions = agreement.clauses_of("extension")
        self.phase_duration = {ph.id: ph.duration_days for ph in agreement.phases}
        self.judges_consistency = any(x.template == "consistent" for x in agreement.expectations)
        self.granted = {
            c.obligation.on_violation.grants
            for c in self.obligations
            if c.obligation is not None and c.obligation.on_violation is not None
        }
        self.extended_by_power = {
            c.power.target
            for c in self.powers
            if c.power is not None
            and c.power.action == PowerAction.extend_phase
            and c.power.target is not None
        }
        self.sides: list[_Side] = []
        #: clauses whose outcome some formula or condition reads, or that count in a stock
        self.referenced: set[str] = set()
        texts = [x.formula for x in agreement.expectations if x.formula]
        texts += [
            c.power.available.condition
            for c in self.powers
            if c.power is not None and c.power.available.condition
        ]
        for text in texts:
            for atom in ex.atoms(ex.parse(text)):
                self.referenced.update(atom.args)
        for c in self.obligations:
            o = c.obligation
            assert o is not None
            if o.action == "release" and o.category is not None:
                self.referenced.add(c.id)
        #: observer bits: (variable, predicate, sticky) — long state predicates are
        #: evaluated in the model, because Spin's ltl parser has a length limit
        self.observers: list[tuple[str, str, bool]] = []
        for c in agreement.clauses_of("exchange"):
            x = c.exchange
            assert x is not None
            for i, rnd in enumerate(x.rounds):
                self.sides.append(
                    _Side(f"xr_{self.cid[c.id]}_{i + 1}", c, x, i, x.releasing, dict(rnd.release))
                )
                counter = self._counter_amounts(x, rnd)
                if sum(counter.values()) > 0:
                    self.sides.append(
                        _Side(f"xc_{self.cid[c.id]}_{i + 1}", c, x, i, x.counterpart, counter)
                    )

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _counter_amounts(x: Exchange, rnd: ExchangeRound) -> dict[str, int]:
        if rnd.counter_release is not None:
            return dict(rnd.counter_release)
        out: dict[str, int] = {}
        for r in x.ratios:
            units = rnd.release.get(r.category, 0)
            if units:
                out[r.counter_category] = out.get(r.counter_category, 0) + units * r.per_unit
        return out

    def bit(self, party: str) -> str:
        return f"B_{party}"

    def ph(self, phase: str) -> str:
        return f"ph_{phase}"

    def started(self, phase: str) -> str:
        return f"(ph_{phase} != PENDING)"

    def running(self, phase: str) -> str:
        return f"(ph_{phase} == ACTIVE || ph_{phase} == CONTINUING)"

    def exp(self, phase: str) -> str:
        return f"EXP_{phase}"

    def when(self, w: When) -> str:
        """The agreement day of a time relative to a phase (valid once the phase started)."""
        if w.day is not None:
            return f"(st_{w.phase} + {w.day - 1})"
        if w.at == "start":
            return f"st_{w.phase}"
        # "at the end" stays on the scheduled last day, however the phase is extended
        dur = self.phase_duration.get(w.phase)
        if dur is not None:
            return f"(st_{w.phase} + {dur - 1})"
        return f"(EXP_{w.phase} - 1)"

    def held(self, stock: str) -> str:
        return f"HELD_{stock}"

    def ob_from(self, o: Obligation) -> When:
        return o.window.from_ or When(phase=o.window.by.phase, at="start")

    def ob_until(self, o: Obligation) -> When:
        assert o.recurrence is not None
        return o.recurrence.until or o.window.by

    def binds(self, c: Clause) -> str:
        """Prohibition ``c`` binds its parties now."""
        p = c.prohibition
        assert p is not None
        # "while in force" (no `during`): until the agreement is terminated; completing
        # the agreement does not lift its ceasefire
        if not p.during:
            return f"(!sus_{self.cid[c.id]} && agr != TERMINATED)"
        where = _any(self.running(ph) for ph in p.during)
        return f"(!sus_{self.cid[c.id]} && agr != TERMINATED && ({where}))"

    def forbidden(self, act: str, party: str) -> str:
        return _any(
            self.binds(c)
            for c in self.prohibitions
            if c.prohibition is not None
            and c.prohibition.act == act
            and party in c.prohibition.parties
        )

    def ceasefire(self) -> str:
        return _any(
            self.binds(c)
            for c in self.prohibitions
            if c.prohibition is not None and c.prohibition.act == "hostilities"
        )

    def ob_in_effect(self, c: Clause) -> str:
        o = c.obligation
        assert o is not None
        v = f"ob_{self.cid[c.id]}"
        f = self.ob_from(o)
        base = f"agr != TERMINATED && {self.started(f.phase)} && {self.started(o.window.by.phase)} && day >= {self.when(f)}"
        if o.recurrence is not None:
            return f"({base} && {v} != DISCH && day <= {self.when(self.ob_until(o))})"
        return f"({base} && {v} == UNDEC)"

    def ob_due(self, c: Clause) -> str:
        """Obligation ``c`` falls due at this time point (its debtor must choose now)."""
        o = c.obligation
        assert o is not None
        v = f"ob_{self.cid[c.id]}"
        if o.recurrence is None:
            return f"agr != TERMINATED && {v} == UNDEC && {self.started(o.window.by.phase)} && {self.when(o.window.by)} <= day"
        fw, uw = self.ob_from(o), self.ob_until(o)
        f, u, k = self.when(fw), self.when(uw), o.recurrence.every_days
        return (
            f"agr != TERMINATED && {v} != DISCH && {self.started(fw.phase)} && {self.started(uw.phase)}"
            f" && (prev + 1 > {f} -> prev + 1 : {f}) <= (day < {u} -> day : {u})"
            f" && {f} + (((day < {u} -> day : {u}) - {f}) / {k}) * {k} >= (prev + 1 > {f} -> prev + 1 : {f})"
        )

    def side_due(self, s: _Side) -> str:
        """Round side ``s`` falls due at this time point."""
        x = s.exchange
        day = f"(st_{x.phase} + {x.rounds[s.index].day - 1})"
        return f"agr != TERMINATED && {s.var} == UNDEC && {self.started(x.phase)} && {day} <= day"

    def side_in_effect(self, s: _Side) -> str:
        return f"(agr != TERMINATED && {self.started(s.exchange.phase)} && {s.var} == UNDEC)"

    def power_available(self, c: Clause) -> str:
        pw = c.power
        assert pw is not None
        v = self.cid[c.id]
        conds = ["agr != TERMINATED", f"!pw_{v}"]
        if c.id in self.granted:
            conds.append(f"gr_{v}")
        if pw.available.during:
            conds.append(_any(self.running(p) for p in pw.available.during))
        if pw.available.after is not None:
            conds.append(self.started(pw.available.after.phase))
            conds.append(f"day >= {self.when(pw.available.after)}")
        if pw.available.condition is not None:
            conds.append(self.formula(ex.parse(pw.available.condition, temporal=False)))
        return _all(conds)

    # ------------------------------------------------------------------ formulas

    def atom(self, atom: ex.Atom) -> str:
        name, args = atom.name, atom.args
        if not args and atom.comparator is None:
            return {
                "hostilities": "hostile",
                "ceasefire": "CEASEFIRE",
                "in_force": "(agr == IN_FORCE)",
                "completed": "(agr == COMPLETED)",
                "terminated": "(agr == TERMINATED)",
            }[name]
        arg = args[0]
        if name in ("active", "started", "done", "expired"):
            if name == "active":
                return self.running(arg)
            if name == "started":
                return self.started(arg)
            if name == "done":
                return f"(ph_{arg} == DONE)"
            phase = self.a.phase(arg)
            if phase.duration_days is None:
                return "false"
            return f"({self.started(arg)} && day >= EXP_{arg})"
        if name in ("agreed", "failed", "open"):
            state = {"agreed": "AGREED", "failed": "FAILED", "open": "OPEN"}[name]
            return f"(ng_{self.cid[arg]} == {state})"
        if name in ("held", "released"):
            value = self.held(arg) if name == "held" else f"REL_{arg}"
            return f"({value} {atom.comparator} {atom.number})"
        if name == "compliant":
            return f"((viol & {self.bit(arg)}) == 0)"
        clause = self.a.clause(arg)
        v = self.cid[arg]
        if name == "fulfilled":
            if clause.obligation is not None:
                return f"(ob_{v} == FUL)"
            if clause.exchange is not None:
                return _all(f"{s.var} == FUL" for s in self.sides if s.clause.id == arg)
            return "false"
        if name == "violated":
            if clause.obligation is not None:
                return f"(ob_{v} == VIO)"
            if clause.exchange is not None:
                return _any(f"{s.var} == VIO" for s in self.sides if s.clause.id == arg)
            if clause.prohibition is not None:
                return f"pv_{v}"
            return "false"
        if name == "exercised":
            return f"pw_{v}" if clause.power is not None else "false"
        if name == "available":
            return f"AVAIL_{v}" if clause.power is not None else "false"
        if name == "in_effect":
            if clause.power is not None:
                return f"AVAIL_{v}"
            if clause.obligation is not None:
                return self.ob_in_effect(clause)
            if clause.exchange is not None:
                return _any(self.side_in_effect(s) for s in self.sides if s.clause.id == arg)
            if clause.prohibition is not None:
                return self.binds(clause)
            if clause.negotiation is not None:
                return f"(ng_{v} == OPEN)"
            return "false"
        raise ValueError(f"no Promela for predicate {name}")

    def formula(self, f: ex.Formula) -> str:
        match f:
            case ex.Const(value):
                return "true" if value else "false"
            case ex.Atom():
                return f"({self.atom(f)})"
            case ex.Not(operand):
                return f"!({self.formula(operand)})"
            case ex.And(operands):
                return "(" + " && ".join(self.formula(o) for o in operands) + ")"
            case ex.Or(operands):
                return "(" + " || ".join(self.formula(o) for o in operands) + ")"
            case ex.Implies(left, right):
                return f"(({self.formula(left)}) -> ({self.formula(right)}))"
            case ex.Temporal(op, operand):
                spin_op = {"G": "[]", "F": "<>", "X": "X"}[op]
                return f"({spin_op} ({self.formula(operand)}))"
            case ex.Until(left, right):
                return f"(({self.formula(left)}) U ({self.formula(right)}))"
        raise TypeError(f"not a formula: {f!r}")

    # ------------------------------------------------------------------ output

    def emit(self, line: str = "") -> None:
        self.lines.append(line)

    def render(self) -> str:
        a = self.a
        self.emit(f"/* Détente export of agreement {a.id!r}: {_comment(a.title)} */")
        self.emit("/* Generated from the spec's rules (docs/semantics.md); one ltl claim per")
        self.emit(
            "   expectation. Check: spin -a model.pml && gcc -O2 -o pan pan.c && ./pan -a -N CLAIM */"
        )
        self.emit()
        self.emit("#define PENDING 0")
        self.emit("#define ACTIVE 1")
        self.emit("#define CONTINUING 2")
        self.emit("#define DONE 3")
        self.emit("#define CUT_SHORT 4")
        self.emit("#define IN_FORCE 0")
        self.emit("#define COMPLETED 1")
        self.emit("#define TERMINATED 2")
        self.emit("#define NOT_STARTED 0")
        self.emit("#define OPEN 1")
        self.emit("#define AGREED 2")
        self.emit("#define FAILED 3")
        self.emit("#define UNDEC 0      /* obligation instance created or in effect */")
        self.emit("#define FUL 1")
        self.emit("#define VIO 2")
        self.emit("#define DISCH 3")
        self.emit(f"#define NONE_DAY {NONE_DAY}")
        self.emit()
        self.emit("/* parties */")
        for p in a.parties:
            self.emit(
                f"#define B_{p.id} {1 << self.party_index[p.id]}   /* {_comment(p.name)} ({p.role.value}) */"
            )
        claim_lines = self._claims()
        self._globals()
        self._macros()
        self._process()
        self.lines.extend(claim_lines)
        return "\n".join(self.lines) + "\n"

    def _globals(self) -> None:
        a = self.a
        self.emit()
        self.emit("/* the agreement */")
        self.emit("byte agr = IN_FORCE;")
        self.emit(
            "short day = 1;        /* days from entry into force; day 1 = entry into force */"
        )
        self.emit("bit begun;            /* the first step is day 1 itself */")
        self.emit("bit hostile;          /* hostilities going on */")
        self.emit(
            "bit bump;             /* a negotiation agreed or failed: the next day is a time point */"
        )
        self.emit(
            "bit gap;              /* an unspecified expiry, or an `ends` expiry that started nothing */"
        )
        if self.judges_consistency:
            self.emit(
                "bit incons;           /* at this step's time point, the text obliged the impossible */"
            )
        self.emit(f"{self.mask_type} viol;            /* parties that violated something so far */")
        self.emit(
            f"{self.mask_type} hl_direct;       /* parties whose own act resumed hostilities lawfully */"
        )
        self.emit(
            f"{self.mask_type} hl_power;        /* holders of a resume_hostilities power exercised */"
        )
        self.emit(f"{self.mask_type} hl_cons;         /* parties who consented to that power */")
        self.emit(
            f"{self.mask_type} hu;              /* parties who resumed hostilities unlawfully */"
        )
        for var, _pred, sticky in self.observers:
            kind = "has been true" if sticky else "holds now"
            self.emit(f"bit {var};   /* observer for claim {var[4:]}: its predicate {kind} */")
        self.emit()
        self.emit("/* phases */")
        for ph in a.phases:
            init = "ACTIVE" if ph.starts.entry_into_force else "PENDING"
            dur = f"{ph.duration_days} days" if ph.duration_days else "open-ended"
            self.emit(
                f"byte ph_{ph.id} = {init};  short st_{ph.id} = 1;   /* {_comment(ph.name)}: {dur} */"
            )
            if ph.id in self.extended_by_power:
                self.emit(f"short ext_{ph.id};   /* days added by extend_phase powers */")
        if self.negotiations:
            self.emit()
            self.emit("/* negotiations */")
        for c in self.negotiations:
            self.emit(f"byte ng_{self.cid[c.id]};   /* clause {c.id}: {_comment(c.text)} */")
        if self.obligations:
            self.emit()
            self.emit("/* obligations */")
        for c in self.obligations:
            self.emit(f"byte ob_{self.cid[c.id]};   /* clause {c.id}: {_comment(c.text)} */")
        if self.sides:
            self.emit()
            self.emit("/* exchange rounds, one instance per side */")
        for s in self.sides:
            what = ", ".join(f"{n} {k}" for k, n in s.amounts.items())
            self.emit(
                f"byte {s.var};   /* clause {s.clause.id} round {s.index + 1}: {s.party} releases {what} */"
            )
        if self.powers:
            self.emit()
            self.emit("/* powers */")
        for c in self.powers:
            pw = c.power
            assert pw is not None
            v = self.cid[c.id]
            self.emit(
                f"bit pw_{v};   /* clause {c.id}: {pw.holder} may {pw.action.value} — exercised */"
            )
            if c.id in self.granted:
                self.emit(f"bit gr_{v};   /* clause {c.id} put in effect by a violation */")
        if self.prohibitions:
            self.emit()
            self.emit("/* prohibitions: suspended, violated */")
        for c in self.prohibitions:
            v = self.cid[c.id]
            self.emit(f"bit sus_{v}; bit pv_{v};   /* clause {c.id}: {_comment(c.text)} */")
        if self.extensions:
            self.emit()
            self.emit("/* extension rules: further releases so far */")
        for c in self.extensions:
            self.emit(f"byte xn_{self.cid[c.id]};   /* clause {c.id}: {_comment(c.text)} */")

    def _extension_cap(self, c: Clause) -> int:
        e = c.extension
        assert e is not None
        cap = e.max_days // e.days if e.max_days is not None else EXTENSION_CAP
        stock = next((s for s in self.a.stocks if s.id == e.category), None)
        if stock is not None and stock.count is not None:
            cap = min(cap, stock.count // e.units)
        return max(0, min(cap, 200))

    def _macros(self) -> None:
        a = self.a
        self.emit()
        self.emit("/* derived facts */")
        for ph in a.phases:
            ext = [f"ext_{ph.id}"] if ph.id in self.extended_by_power else []
            for c in self.extensions:
                e = c.extension
                assert e is not None
                if e.phase == ph.id:
                    ext.append(f"xn_{self.cid[c.id]} * {e.days}")
            self.emit(f"#define EXT_{ph.id} ({_sum(ext)})")
            if ph.duration_days is not None:
                self.emit(f"#define EXP_{ph.id} (st_{ph.id} + {ph.duration_days} + EXT_{ph.id})")
        for s in a.stocks:
            parts: list[str] = []
            for side in self.sides:
                if s.id in side.amounts:
                    parts.append(f"({side.var} == FUL) * {side.amounts[s.id]}")
            for c in self.obligations:
                o = c.obligation
                assert o is not None
                if (
                    o.action == "release"
                    and o.category == s.id
                    and o.quantity is not None
                    and o.recurrence is None
                ):
                    parts.append(f"(ob_{self.cid[c.id]} == FUL) * {o.quantity}")
            for c in self.extensions:
                e = c.extension
                assert e is not None
                if e.category == s.id:
                    parts.append(f"xn_{self.cid[c.id]} * {e.units}")
            self.emit(f"#define REL_{s.id} ({_sum(parts)})   /* released of {_comment(s.name)} */")
            start = UNLIMITED if s.count is None else s.count
            self.emit(f"#define HELD_{s.id} ({start} - REL_{s.id})")
        self.emit(f"#define CEASEFIRE ({self.ceasefire()})")
        for c in self.powers:
            self.emit(f"#define AVAIL_{self.cid[c.id]} ({self.power_available(c)})")
        exer = [f"pw_{self.cid[c.id]}" for c in self.powers]
        self.emit(f"#define EXERCISED ({_any(exer)})")

    # ------------------------------------------------------------------ the step

    def _process(self) -> None:
        a = self.a
        e = self.emit
        e()
        e("active proctype agreement()")
        e("{")
        e("  /* scratch, zero between steps */")
        e("  short prev, nxt, rl, lo, hi;")
        e("  bit was_hostile, started_any, ends_expired;")
        for c in self.powers:
            e(f"  bit av_{self.cid[c.id]}, ex_{self.cid[c.id]};")
        e("  do")
        e("  :: atomic {")
        self._step_time()
        self._step_expiry()
        self._step_starts()
        self._step_choices()
        self._step_effects()
        e("    /* 5. completion */")
        last = a.phase(self.last_phase)
        final_ok = f"ph_{last.id} == DONE" + (
            f" || ph_{last.id} == ACTIVE" if last.duration_days is None else ""
        )
        rounds_ok = _all(f"{s.var} == FUL" for s in self.sides)
        e(
            f"    if :: agr == IN_FORCE && ({final_ok}) && {rounds_ok} -> agr = COMPLETED; gap = 0 :: else -> skip fi;"
        )
        e(
            "    if :: ends_expired && !started_any && agr == IN_FORCE -> gap = 1 :: else -> skip fi;"
        )
        for var, pred, sticky in self.observers:
            if sticky:
                e(f"    if :: {pred} -> {var} = 1 :: else -> skip fi;")
            else:
                e(f"    if :: {pred} -> {var} = 1 :: else -> {var} = 0 fi;")
        scratch = ["prev", "nxt", "rl", "lo", "hi", "was_hostile", "started_any", "ends_expired"]
        if self.judges_consistency:
            scratch.append("incons")
        for c in self.powers:
            scratch += [f"av_{self.cid[c.id]}", f"ex_{self.cid[c.id]}"]
        e("    " + " ".join(f"{v} = 0;" for v in scratch))
        e("    }")
        e("  od")
        e("}")

    def _step_time(self) -> None:
        e = self.emit
        e("    /* 0. the next time point */")
        e("    if")
        e("    :: !begun -> begun = 1; prev = 0;")
        e("      /* the claims' observers see the initial state too */")
        for var, pred, sticky in self.observers:
            if sticky:
                e(f"      if :: {pred} -> {var} = 1 :: else -> skip fi;")
        e("      skip")
        e("    :: begun ->")
        e("      prev = day; nxt = NONE_DAY;")
        e(
            "      if :: bump -> nxt = day + 1; bump = 0 :: else -> skip fi   /* the day after an agreement */"
        )
        cands: list[tuple[str, str, str]] = []
        for ph in self.a.phases:
            if ph.duration_days is not None:
                cands.append((f"ph_{ph.id} == ACTIVE", f"EXP_{ph.id}", f"{ph.id} expires"))
        for c in self.obligations:
            o = c.obligation
            assert o is not None
            if o.recurrence is None:
                cands.append(
                    (
                        f"ob_{self.cid[c.id]} == UNDEC && {self.started(o.window.by.phase)}",
                        self.when(o.window.by),
                        f"clause {c.id} deadline",
                    )
                )
        seen_rounds: set[tuple[str, int]] = set()
        for s in self.sides:
            key = (s.clause.id, s.index)
            if key in seen_rounds:
                continue
            seen_rounds.add(key)
            day = s.exchange.rounds[s.index].day
            cands.append(
                (
                    f"{s.var} == UNDEC && {self.started(s.exchange.phase)}",
                    f"(st_{s.exchange.phase} + {day - 1})",
                    f"clause {s.clause.id} round {s.index + 1}",
                )
            )
        for ph_id in dict.fromkeys(c.extension.phase for c in self.extensions if c.extension):
            if self.phase_duration.get(ph_id) is not None:
                cands.append((f"ph_{ph_id} == ACTIVE", f"(EXP_{ph_id} - 1)", f"{ph_id}'s last day"))
        for c in self.negotiations:
            g = c.negotiation
            assert g is not None
            if g.starts_by is not None:
                cands.append(
                    (
                        f"ng_{self.cid[c.id]} == NOT_STARTED && {self.started(g.starts_by.phase)}",
                        self.when(g.starts_by),
                        f"clause {c.id} starts by",
                    )
                )
        for c in self.powers:
            pw = c.power
            assert pw is not None
            if pw.available.after is not None:
                cands.append(
                    (
                        f"!pw_{self.cid[c.id]} && {self.started(pw.available.after.phase)}",
                        self.when(pw.available.after),
                        f"clause {c.id} available",
                    )
                )
        for guard, when, why in cands:
            e(
                f"      if :: agr != TERMINATED && {guard} && {when} > day && {when} < nxt -> nxt = {when}   /* {why} */"
            )
            e("         :: else -> skip fi;")
        recurring = [c for c in self.obligations if c.obligation and c.obligation.recurrence]
        if recurring:
            e(
                "      /* consecutive recurrence points with nothing else between are one step: the last of them */"
            )
            e("      rl = 0;")
        for c in recurring:
            o = c.obligation
            assert o is not None and o.recurrence is not None
            v = f"ob_{self.cid[c.id]}"
            f, u, k = (
                self.when(self.ob_from(o)),
                self.when(self.ob_until(o)),
                o.recurrence.every_days,
            )
            e(
                f"      if :: agr != TERMINATED && {v} != DISCH && {self.started(self.ob_from(o).phase)} && {self.started(self.ob_until(o).phase)} ->   /* clause {c.id} every {k} days */"
            )
            e(f"           lo = day + 1; if :: {f} > lo -> lo = {f} :: else -> skip fi;")
            e(f"           hi = nxt - 1; if :: {u} < hi -> hi = {u} :: else -> skip fi;")
            e(
                f"           if :: hi >= lo && {f} + ((hi - {f}) / {k}) * {k} >= lo && {f} + ((hi - {f}) / {k}) * {k} > rl -> rl = {f} + ((hi - {f}) / {k}) * {k}"
            )
            e("              :: else -> skip fi")
            e("         :: else -> skip fi;")
        if recurring:
            e("      if :: rl > 0 -> nxt = rl :: else -> skip fi;")
        e(
            "      if :: nxt != NONE_DAY -> day = nxt :: else -> skip fi   /* else: the repeating later point */"
        )
        e("    fi;")

    def _step_expiry(self) -> None:
        e = self.emit
        e("    /* 1. expiry */")
        e("    was_hostile = hostile;")
        for ph in self.a.phases:
            if ph.duration_days is None:
                continue
            rule = ph.at_expiry
            cite = f" (clause {rule.clause})" if rule.clause else ""
            if rule.rule == "ends":
                e(
                    f"    if :: agr != TERMINATED && ph_{ph.id} == ACTIVE && day >= EXP_{ph.id} -> ph_{ph.id} = DONE; ends_expired = 1   /* {ph.id} ends{cite} */"
                )
                e("       :: else -> skip fi;")
            elif rule.rule == "unspecified":
                e(
                    f"    if :: agr != TERMINATED && ph_{ph.id} == ACTIVE && day >= EXP_{ph.id} -> ph_{ph.id} = DONE; gap = 1   /* nothing said at {ph.id}'s expiry: a gap */"
                )
                e("       :: else -> skip fi;")
            else:
                assert rule.negotiation is not None
                n = f"ng_{self.cid[rule.negotiation]}"
                e(f"    /* {ph.id} continues while negotiation {rule.negotiation} is open{cite} */")
                e(
                    f"    if :: agr != TERMINATED && ph_{ph.id} == ACTIVE && day >= EXP_{ph.id} -> ph_{ph.id} = CONTINUING"
                )
                e("       :: else -> skip fi;")
                e(
                    f"    if :: agr != TERMINATED && ph_{ph.id} == CONTINUING && {n} == AGREED -> ph_{ph.id} = DONE"
                )
                e(
                    f"       :: agr != TERMINATED && ph_{ph.id} == CONTINUING && {n} == FAILED -> ph_{ph.id} = CUT_SHORT"
                )
                e("       :: else -> skip fi;")

    def _step_starts(self) -> None:
        e = self.emit
        e("    /* 2. phase starts */")
        for i, ph in enumerate(self.a.phases):
            if ph.starts.entry_into_force:
                continue
            conds = ["agr != TERMINATED", f"ph_{ph.id} == PENDING"]
            if ph.starts.after is not None:
                conds.append(f"ph_{ph.starts.after} == DONE")
            if ph.starts.upon_agreement is not None:
                conds.append(f"ng_{self.cid[ph.starts.upon_agreement]} == AGREED")
            # phases run one after another: every earlier phase is over
            for before in self.a.phases[:i]:
                if before.id != ph.starts.after:
                    conds.append(f"(ph_{before.id} == DONE || ph_{before.id} == CUT_SHORT)")
            e(
                f"    if :: {' && '.join(conds)} -> ph_{ph.id} = ACTIVE; st_{ph.id} = day; started_any = 1; gap = 0   /* a start closes a gap */"
            )
            e("       :: else -> skip fi;")
        for c in self.negotiations:
            g = c.negotiation
            assert g is not None
            if g.starts_by is None:
                when = self.started(c.phase) if c.phase else "true"
                e(
                    f"    if :: agr != TERMINATED && ng_{self.cid[c.id]} == NOT_STARTED && {when} -> ng_{self.cid[c.id]} = OPEN   /* clause {c.id} opens with its phase */"
                )
                e("       :: else -> skip fi;")

    def _step_choices(self) -> None:
        e = self.emit
        e("    /* 3. choices, simultaneous: what powers are available is fixed first */")
        for c in self.powers:
            v = self.cid[c.id]
            e(f"    av_{v} = AVAIL_{v};")
        if self.judges_consistency:
            e(f"    incons = ({self.inconsistent()});   /* for `consistent`, before any choice */")
        # obligations
        for c in self.obligations:
            o = c.obligation
            assert o is not None
            v = f"ob_{self.cid[c.id]}"
            b = self.bit(o.debtor)
            grant = ""
            if o.on_violation is not None:
                grant = f"; gr_{self.cid[o.on_violation.grants]} = 1"
            can = "true"
            if (
                o.action == "release"
                and o.category
                and o.quantity is not None
                and o.recurrence is None
            ):
                can = f"{self.held(o.category)} >= {o.quantity}"
            due = self.ob_due(c)
            kept = c.id in self.referenced
            if o.recurrence is None:
                # an outcome nothing reads is kept only as "decided" (FUL); the violation
                # itself is in `viol`, so no claim can tell the difference
                fulfil, violate = f"{v} = FUL", (f"{v} = VIO" if kept else f"{v} = FUL")
            else:
                fulfil = f"if :: {v} == UNDEC -> {v} = FUL :: else -> skip fi" if kept else "skip"
                violate = f"{v} = VIO" if kept else "skip"
            e(
                f"    /* clause {c.id}: {o.debtor} {o.action}{' ' + o.object if o.object else ''} by {o.window.by} */"
            )
            e(f"    if :: {due} ->")
            e(f"         if :: {can} -> {fulfil} :: true -> {violate}; viol = viol | {b}{grant} fi")
            e("       :: else -> skip fi;")
        # exchange rounds
        for s in self.sides:
            b = self.bit(s.party)
            can = _all(
                f"{self.held(k)} >= {n}" for k, n in s.amounts.items() if k in self.stock_ids
            )
            e(f"    /* clause {s.clause.id} round {s.index + 1}: {s.party} releases */")
            e(f"    if :: {self.side_due(s)} ->")
            e(
                f"         if :: {can} -> {s.var} = FUL :: true -> {s.var} = VIO; viol = viol | {b} fi"
            )
            e("       :: else -> skip fi;")
        # negotiations: agreement first (only one open before this step), then opening
        for c in self.negotiations:
            g = c.negotiation
            assert g is not None
            v = f"ng_{self.cid[c.id]}"
            e(f"    /* clause {c.id}: negotiation between {', '.join(g.between)} */")
            e(
                f"    if :: {v} == OPEN && agr != TERMINATED -> if :: {v} = AGREED; bump = 1 :: true -> skip fi"
            )
            if g.starts_by is not None:
                e(
                    f"       :: {v} == NOT_STARTED && agr != TERMINATED && {self.started(g.starts_by.phase)} && {self.when(g.starts_by)} <= day ->"
                )
                e(f"         if :: {v} = OPEN")
                parties = list(dict.fromkeys(g.between))
                for mask in range(1, 1 << len(parties)):
                    refusers = [p for i, p in enumerate(parties) if mask >> i & 1]
                    bits = " | ".join(self.bit(p) for p in refusers)
                    e(
                        f"            :: viol = viol | {bits}   /* {', '.join(refusers)} refuse(s) to open it */"
                    )
                e("         fi")
            e("       :: else -> skip fi;")
        # powers
        for c in self.powers:
            pw = c.power
            assert pw is not None
            v = self.cid[c.id]
            consent = (
                f" with the consent of {', '.join(pw.requires_consent)}"
                if pw.requires_consent
                else ""
            )
            e(
                f"    if :: av_{v} -> ex_{v} = 1   /* clause {c.id}: {pw.holder} exercises {pw.action.value}{consent} */"
            )
            e("       :: true -> skip fi;")
        # prohibited acts
        for p in self.a.parties:
            if p.role != Role.party:
                continue
            b = self.bit(p.id)
            forbid = self.forbidden("hostilities", p.id)
            binding = [
                c
                for c in self.prohibitions
                if c.prohibition is not None
                and c.prohibition.act == "hostilities"
                and p.id in c.prohibition.parties
            ]
            marks = "".join(
                f"; if :: {self.binds(c)} -> pv_{self.cid[c.id]} = 1 :: else -> skip fi"
                for c in binding
            )
            e(f"    /* {p.id} may resume hostilities */")
            e("    if :: !was_hostile ->")
            e(f"         if :: {forbid} -> hu = hu | {b}; viol = viol | {b}{marks}")
            e(f"            :: else -> hl_direct = hl_direct | {b} fi")
            e("       :: true -> skip fi;")
        acts: dict[tuple[str, str], list[Clause]] = {}
        for c in self.prohibitions:
            pr = c.prohibition
            assert pr is not None
            if pr.act == "hostilities":
                continue
            for party in dict.fromkeys(pr.parties):
                acts.setdefault((party, pr.act), []).append(c)
        for (party, act), clauses in acts.items():
            marks = "".join(
                f"; if :: {self.binds(c)} -> pv_{self.cid[c.id]} = 1 :: else -> skip fi"
                for c in clauses
            )
            e(
                f"    if :: {_any(self.binds(c) for c in clauses)} -> viol = viol | {self.bit(party)}{marks}   /* {party} does the forbidden act {act} */"
            )
            e("       :: true -> skip fi;")
        for c in self.extensions:
            rule = c.extension
            assert rule is not None
            v = f"xn_{self.cid[c.id]}"
            held = (
                f" && {self.held(rule.category)} >= {rule.units}"
                if rule.category in self.stock_ids
                else ""
            )
            e(
                f"    /* clause {c.id}: {rule.releasing} may release {rule.units} more {rule.category} for {rule.days} more day(s) of {rule.phase} */"
            )
            e(
                f"    if :: agr != TERMINATED && ph_{rule.phase} == ACTIVE && day == EXP_{rule.phase} - 1 && {v} < {self._extension_cap(c)}{held} -> {v}++"
            )
            e("       :: true -> skip fi;")
        e("    if :: !was_hostile && (hl_direct | hu) != 0 -> hostile = 1 :: else -> skip fi;")

    def _step_effects(self) -> None:
        e = self.emit
        e("    /* 4. effects of the powers exercised */")
        for c in self.powers:
            pw = c.power
            assert pw is not None
            v = self.cid[c.id]
            body: list[str] = [f"pw_{v} = 1"]
            if pw.action == PowerAction.end_agreement:
                body.append("agr = TERMINATED")
            elif pw.action == PowerAction.resume_hostilities:
                cons = " | ".join(self.bit(p) for p in pw.requires_consent) or "0"
                body.append(
                    f"if :: !hostile -> hostile = 1; hl_power = hl_power | {self.bit(pw.holder)}; hl_cons = hl_cons | {cons} :: else -> skip fi"
                )
            elif pw.action == PowerAction.declare_failed and pw.target is not None:
                n = f"ng_{self.cid[pw.target]}"
                # a phase continuing while n is open is cut short from the next day (step 1)
                body.append(
                    f"if :: {n} == NOT_STARTED || {n} == OPEN -> {n} = FAILED; bump = 1 :: else -> skip fi"
                )
            elif pw.action == PowerAction.suspend_clause and pw.target is not None:
                target = self.a.clause(pw.target)
                tv = self.cid[target.id]
                if target.obligation is not None:
                    open_ = f"ob_{tv} == UNDEC"
                    if target.obligation.recurrence is not None:
                        open_ = f"ob_{tv} != DISCH"
                    body.append(f"if :: {open_} -> ob_{tv} = DISCH :: else -> skip fi")
                elif target.exchange is not None:
                    for s in self.sides:
                        if s.clause.id == target.id:
                            body.append(
                                f"if :: {s.var} == UNDEC -> {s.var} = DISCH :: else -> skip fi"
                            )
                elif target.prohibition is not None:
                    body.append(f"sus_{tv} = 1")
            elif pw.action == PowerAction.extend_phase and pw.target is not None and pw.days:
                t = pw.target
                body.append(f"ext_{t} = ext_{t} + {pw.days}")
                if self.a.phase(t).duration_days is not None:
                    body.append(
                        f"if :: ph_{t} == CONTINUING && EXP_{t} > day -> ph_{t} = ACTIVE :: else -> skip fi"
                    )
            e(f"    if :: ex_{v} -> {'; '.join(body)}   /* clause {c.id} */")
            e("       :: else -> skip fi;")

    # ------------------------------------------------------------------ claims

    def _claims(self) -> list[str]:
        out = ["", "/* expectations, one claim each */"]
        for x in self.a.expectations:
            name = claim_name(x)
            if name is None:
                out.append(f"/* {x.label}: a static check, no claim */")
                continue
            self.claim = name
            body = self.claim_body(x)
            why = f" — {_comment(x.description)}" if x.description else ""
            out.append(f"/* {x.label}{why} */")
            out.append(f"ltl {name} {{ {body} }}")
        return out

    def never(self, pred: str) -> str:
        """``[] !pred``; a non-trivial predicate goes through a sticky observer bit."""
        if pred == "false":
            return "[] true"
        var = f"bad_{self.claim}"
        self.observers.append((var, pred, True))
        return f"[] !{var}"

    def observed(self, pred: str) -> str:
        """``pred`` as seen after each step (for persistence claims ``<> []``)."""
        if len(pred) < 300:
            return f"({pred})"
        var = f"now_{self.claim}"
        self.observers.append((var, pred, False))
        return var

    def _could_end_truce(self, c: Clause) -> bool:
        pw = c.power
        assert pw is not None
        if pw.action in ENDING_ACTIONS:
            return True
        if pw.action != PowerAction.suspend_clause or pw.target is None:
            return False
        target = self.a.clause(pw.target)
        return target.prohibition is not None and target.prohibition.act == "hostilities"

    def compliant(self, party: str) -> str:
        return f"((viol & {self.bit(party)}) == 0)"

    def claim_body(self, x: Expectation) -> str:
        t = x.template
        if t is None:
            assert x.formula is not None
            f = self.formula(ex.parse(x.formula))
            if x.protects is not None:
                return f"([] {self.compliant(x.protects)}) -> ({f})"
            return f
        if t == "no_unilateral_exit":
            assert x.protects is not None
            b = self.bit(x.protects)
            exit_ = f"((hl_direct & ~{b}) != 0 || ((hl_power & ~{b}) != 0 && (hl_cons & {b}) == 0))"
            # compliance is judged on the run so far, as the checker does: a lawful exit by
            # another party while P has violated nothing yet is a counterexample
            return self.never(f"{self.compliant(x.protects)} && {exit_}")
        if t == "no_indefinite_truce":
            assert x.protects is not None
            # a truce is a ceasefire norm in effect: without one, anyone may lawfully
            # resume (DESIGN: "with nobody able to end it lawfully"); suspending a
            # ceasefire clause ends it too
            ending = [f"AVAIL_{self.cid[c.id]}" for c in self.powers if self._could_end_truce(c)]
            stuck = _all(
                [
                    "agr == IN_FORCE",
                    f"ph_{self.last_phase} == PENDING",
                    "!hostile",
                    "CEASEFIRE",
                    f"!({_any(ending)})",
                ]
            )
            return f"([] {self.compliant(x.protects)}) -> !(<> [] {self.observed(stuck)})"
        if t == "no_lapse":
            return self.never("agr == IN_FORCE && !CEASEFIRE && gap")
        if t == "completes_if_all_comply":
            agreed = [f"(<> (ng_{self.cid[c.id]} == AGREED))" for c in self.negotiations]
            premise = " && ".join(["([] (viol == 0 && !EXERCISED))", *agreed])
            return f"({premise}) -> (<> (agr == COMPLETED))"
        if t == "reciprocity":
            assert x.parties is not None
            a_, b_ = x.parties
            bad: list[str] = []
            for s in self.sides:
                if s.party != a_:
                    continue
                other = (
                    s.exchange.counterpart
                    if s.party == s.exchange.releasing
                    else s.exchange.releasing
                )
                if other != b_:
                    continue
                match = [
                    o
                    for o in self.sides
                    if o.clause.id == s.clause.id
                    and o.index == s.index
                    and o.party == b_
                    and o is not s
                ]
                if not match:
                    bad.append(f"{s.var} == FUL")
                else:
                    bad.extend(f"{s.var} == FUL && {m.var} == DISCH" for m in match)
            return self.never(_any(bad))
        if t == "consistent":
            # judged at the time point (step 3 sets `incons`), kept to the step's end
            return "[] true" if self.inconsistent() == "false" else self.never("incons")
        raise ValueError(f"no claim for template {t}")

    def inconsistent(self) -> str:
        """At this time point, before anyone chooses: something falling due now is forbidden
        to its debtor, or what falls due from a stock adds up to more than is held."""
        bad: list[str] = []
        need: dict[str, list[str]] = {}
        for c in self.obligations:
            o = c.obligation
            assert o is not None
            due = self.ob_due(c)
            forbid = self.forbidden(o.action, o.debtor)
            if forbid != "false":
                bad.append(f"({due} && ({forbid}))")
            if (
                o.action == "release"
                and o.category in self.limited
                and o.quantity is not None
                and o.recurrence is None
            ):
                need.setdefault(o.category, []).append(f"(({due}) -> {o.quantity} : 0)")
        for s in self.sides:
            due = self.side_due(s)
            forbid = self.forbidden("release", s.party)
            if forbid != "false":
                bad.append(f"({due} && ({forbid}))")
            for k, n in s.amounts.items():
                if k in self.limited:
                    need.setdefault(k, []).append(f"(({due}) -> {n} : 0)")
        bad.extend(f"({' + '.join(parts)}) > {self.held(k)}" for k, parts in need.items())
        return _any(bad)


def to_promela(agreement: Agreement) -> str:
    """A Promela model of ``agreement`` with one ``ltl`` claim per checked expectation."""
    return _Exporter(agreement).render()


def claims(agreement: Agreement) -> dict[str, Expectation]:
    """The claim names the export writes, each with its expectation."""
    out: dict[str, Expectation] = {}
    for x in agreement.expectations:
        name = claim_name(x)
        if name is not None:
            out[name] = x
    return out
