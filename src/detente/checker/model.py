"""The transition system of ``docs/semantics.md``, compiled for fast explicit-state search.

An agreement is compiled once into tables (which duties fall due at which point of
which phase, who may do what); a state is a flat tuple of small ints (see the
``_``-prefixed offsets below), hashed and interned by the explorer. The calendar
(which instance is due on which day of its phase) and what binds when come from
:mod:`detente.semantics.schedule`, the same functions the monitor uses.

Time abstraction: a phase's clock walks through the days of that phase at which
something can happen (its start, deadlines, round days, start-by days, the days
powers become available, its possible expiry days, and one point per run of
recurrence days with nothing else in it); after the last comes one repeating
"later" point. Honest reductions: duties whose individual outcome no expectation
observes are folded per party into "complies with all" / "violates at least one";
a recurring duty's run of identical days is one point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from detente.language import expressions as ex
from detente.language.model import Agreement, PowerAction, Role
from detente.semantics.schedule import (
    Instance,
    ceasefire_in_effect,
    grantable_powers,
    instances,
    phase_spans,
    prohibited,
)

State = tuple[int, ...]
#: One event of a step, for stories: (kind, *fields).
Event = tuple[object, ...]

# agreement status
IN_FORCE, COMPLETED, TERMINATED = 0, 1, 2
# phase status
PENDING, ACTIVE, CONTINUING, DONE, CUT_SHORT = 0, 1, 2, 3, 4
PHASE_STATUS = ("pending", "active", "continuing", "done", "cut_short")
LIVE = (ACTIVE, CONTINUING)
# negotiation status
NOT_STARTED, OPEN, AGREED, FAILED = 0, 1, 2, 3
# round side / tracked duty status
CREATED, FULFILLED, VIOLATED, DISCHARGED = 0, 1, 2, 3


@dataclass(frozen=True)
class Side:
    """One side of one exchange round: what one party releases on one day."""

    clause: str
    round: int
    counter: bool
    debtor: int
    creditor: int
    items: tuple[tuple[int, str, int], ...]  # (stock index or -1, category, quantity)
    phase: int
    day: int


@dataclass(frozen=True)
class Duty:
    """An obligation due at one point (a run of recurrence days folded into one)."""

    clause: str
    debtor: int
    keys: tuple[str, ...]
    first_day: int
    last_day: int
    tracked: int  # index of the clause's flag slot, or -1 when folded per party
    stock: int  # stock index a fulfilment releases from, or -1
    quantity: int
    grants: int  # power index granted to the creditor on violation, or -1
    action: str


@dataclass(frozen=True)
class PowerInfo:
    clause: str
    holder: int
    action: PowerAction
    target: int  # negotiation, phase or suspendable-clause index; -1 when none
    days: int
    during: tuple[int, ...]
    after: tuple[int, int] | None  # (phase, day in phase)
    condition: ex.Formula | None
    consent: int  # bit mask of parties that must consent
    grantable: bool


@dataclass(frozen=True)
class NegotiationInfo:
    clause: str
    between: tuple[int, ...]
    home: int
    starts_by: tuple[int, int] | None
    on_agreed: int


@dataclass(frozen=True)
class ExtensionInfo:
    clause: str
    phase: int
    releasing: int
    stock: int
    units: int
    days: int
    max_days: int


@dataclass
class Point:
    """What falls due at one point of one phase."""

    day: int
    duties: list[Duty] = field(default_factory=list)
    sides: list[int] = field(default_factory=list)
    starts_by: list[int] = field(default_factory=list)


class Model:
    """The compiled agreement: tables, the initial state and the successor relation."""

    def __init__(
        self,
        agreement: Agreement,
        observed: set[str] | None = None,
        *,
        abstract_rounds: bool = False,
        track_violators: bool = True,
    ) -> None:
        self.agreement = a = agreement
        #: Rounds folded into one slot (some side not released / discharged): sound for
        #: properties that do not look at single rounds or stock counts, when the rounds
        #: never need more than is held (see :attr:`stocks_suffice`).
        self.abstract = abstract_rounds
        #: Whether the state records who has violated something (only ``compliant(p)``
        #: reads it; a graph restricted to runs compliant for P never needs it).
        self.track_violators = track_violators
        self.observed = set(observed or ())
        self.parties = [p.id for p in a.parties]
        self.pidx = {p: i for i, p in enumerate(self.parties)}
        self.fighters = [i for i, p in enumerate(a.parties) if p.role == Role.party]
        self.phases = [p.id for p in a.phases]
        self.phidx = {p: i for i, p in enumerate(self.phases)}
        self.durations = [p.duration_days for p in a.phases]
        self.rules = [p.at_expiry.rule for p in a.phases]
        self.stocks = [s.id for s in a.stocks]
        self.sidx = {s: i for i, s in enumerate(self.stocks)}
        self.counts = [s.count for s in a.stocks]
        negs = a.clauses_of("negotiation")
        self.nidx = {c.id: i for i, c in enumerate(negs)}
        self.negotiations: list[NegotiationInfo] = []
        for c in negs:
            n = c.negotiation
            assert n is not None
            home = self.phidx.get(n.starts_by.phase if n.starts_by else (c.phase or ""), 0)
            sb = None
            if n.starts_by is not None:
                d = n.starts_by.day if n.starts_by.day is not None else 1
                if n.starts_by.at == "end":
                    d = self.durations[home] or 1
                sb = (home, d)
            self.negotiations.append(
                NegotiationInfo(
                    c.id,
                    tuple(self.pidx[p] for p in n.between if p in self.pidx),
                    home,
                    sb,
                    self.phidx.get(n.on_agreed or "", -1),
                )
            )
        self.cont_neg = [
            self.nidx.get(p.at_expiry.negotiation or "", -1)
            if p.at_expiry.rule == "continues_while"
            else -1
            for p in a.phases
        ]
        # suspendable clauses and powers
        self.suspendable = [
            c.power.target
            for c in a.clauses
            if c.power is not None
            and c.power.action == PowerAction.suspend_clause
            and c.power.target is not None
        ]
        self.suspendable = list(dict.fromkeys(self.suspendable))
        self.susidx = {c: i for i, c in enumerate(self.suspendable)}
        grantable = grantable_powers(a)
        power_clauses = a.clauses_of("power")
        self.widx = {c.id: i for i, c in enumerate(power_clauses)}
        self.powers: list[PowerInfo] = []
        for c in power_clauses:
            p = c.power
            assert p is not None
            target = -1
            if p.action == PowerAction.declare_failed:
                target = self.nidx.get(p.target or "", -1)
            elif p.action == PowerAction.extend_phase:
                target = self.phidx.get(p.target or "", -1)
            elif p.action == PowerAction.suspend_clause:
                target = self.susidx.get(p.target or "", -1)
            after = None
            if p.available.after is not None:
                wa = p.available.after
                q = self.phidx[wa.phase]
                dq = (
                    wa.day if wa.day is not None else (1 if wa.at == "start" else self.durations[q])
                )
                after = (q, dq if dq is not None else 10**9)
            cond = (
                ex.parse(p.available.condition, temporal=False) if p.available.condition else None
            )
            consent = 0
            for who in p.requires_consent:
                if who in self.pidx:
                    consent |= 1 << self.pidx[who]
            self.powers.append(
                PowerInfo(
                    c.id,
                    self.pidx[p.holder],
                    p.action,
                    target,
                    p.days or 0,
                    tuple(self.phidx[d] for d in p.available.during if d in self.phidx),
                    after,
                    cond,
                    consent,
                    c.id in grantable,
                )
            )
            if cond is not None:
                for atom in ex.atoms(cond):
                    self.observed.update(atom.args)
        self.extensions = [
            ExtensionInfo(
                c.id,
                self.phidx[e.phase],
                self.pidx[e.releasing],
                self.sidx.get(e.category, -1),
                e.units,
                e.days,
                e.max_days or 10 * e.days,
            )
            for c in a.clauses
            if (e := c.extension) is not None
        ]
        self.prohibitions = [c for c in a.clauses if c.prohibition is not None]
        self.acts = sorted({c.prohibition.act for c in self.prohibitions if c.prohibition})
        self._compile_points()
        #: Whether stock counts are kept (always, unless rounds are folded and can never
        #: need more than is held).
        self.count_stocks = not self.abstract or not self.stocks_suffice
        self._layout()

    # ------------------------------------------------------------------ tables

    def _compile_points(self) -> None:
        a = self.agreement
        insts: list[Instance] = instances(a, phase_spans(a))
        self.instances = insts
        # Tracked clause flags: observed obligations, prohibitions, negotiations, and granting ones.
        tracked: list[str] = []
        for c in a.clauses:
            granting = c.obligation is not None and c.obligation.on_violation is not None
            if c.id in self.observed or granting:
                tracked.append(c.id)
        self.tracked = tracked
        self.tidx = {c: i for i, c in enumerate(tracked)}
        days: list[set[int]] = [{1} for _ in self.phases]
        recurring: list[list[Instance]] = [[] for _ in self.phases]
        singles: list[list[Instance]] = [[] for _ in self.phases]
        sides_raw: dict[tuple[str, int, bool], list[Instance]] = {}
        for inst in insts:
            q = self.phidx[inst.phase]
            if inst.day_in_phase is None:
                continue
            if inst.kind in ("release", "counter_release"):
                assert inst.round is not None
                sides_raw.setdefault(
                    (inst.clause, inst.round, inst.kind == "counter_release"), []
                ).append(inst)
                days[q].add(inst.day_in_phase)
            elif inst.kind == "negotiation_start":
                days[q].add(inst.day_in_phase)
            elif "#" in inst.key:
                recurring[q].append(inst)
            else:
                singles[q].append(inst)
                days[q].add(inst.day_in_phase)
        for w in self.powers:
            if w.after is not None and w.after[1] < 10**9:
                days[w.after[0]].add(w.after[1])
        # possible expiry days (extensions and extend_phase powers can move them)
        self.expiry_days: list[set[int]] = []
        for q, d in enumerate(self.durations):
            exp: set[int] = set()
            if d is not None:
                extra = {0}
                for e in self.extensions:
                    if e.phase == q:
                        extra |= {k * e.days for k in range(0, e.max_days // e.days + 1)}
                for w in self.powers:
                    if w.action == PowerAction.extend_phase and w.target == q:
                        extra |= {x + w.days for x in extra}
                exp = {d + 1 + x for x in extra}
            self.expiry_days.append(exp)
            days[q] |= exp
            if any(e.phase == q for e in self.extensions):
                days[q] |= {x - 1 for x in exp}  # an extension rule acts on the last day
        # a run of recurrence days with nothing else in it is one point
        for q in range(len(self.phases)):
            base = set(days[q])
            rdays = {i.day_in_phase for i in recurring[q] if i.day_in_phase is not None}
            for d in sorted(rdays):
                if d not in base and ((d - 1) in base or (d - 1) not in rdays):
                    days[q].add(d)
        self.pts: list[list[Point]] = [
            [Point(d) for d in sorted(days[q])] for q in range(len(self.phases))
        ]
        self.point_of = [
            {p.day: i for i, p in enumerate(self.pts[q])} for q in range(len(self.phases))
        ]

        def at(q: int, day: int) -> Point:
            ds = [p.day for p in self.pts[q]]
            i = max(j for j, x in enumerate(ds) if x <= day)
            return self.pts[q][i]

        for q in range(len(self.phases)):
            groups: dict[tuple[str, int], list[Instance]] = {}
            for inst in recurring[q]:
                assert inst.day_in_phase is not None
                pt = at(q, inst.day_in_phase)
                groups.setdefault((inst.clause, pt.day), []).append(inst)
            for inst in singles[q]:
                groups.setdefault(
                    (inst.clause + "\0" + inst.key, inst.day_in_phase or 0), []
                ).append(inst)
            for (_, pday), group in groups.items():
                pt = self.pts[q][self.point_of[q][pday]]
                first = group[0]
                clause = a.clause(first.clause)
                o = clause.obligation
                assert o is not None
                stock = self.sidx.get(o.category or "", -1) if o.quantity is not None else -1
                grants = -1
                if o.on_violation is not None:
                    grants = self.widx.get(o.on_violation.grants, -1)
                pt.duties.append(
                    Duty(
                        first.clause,
                        self.pidx[first.debtor],
                        tuple(i.key for i in group),
                        min(i.day_in_phase or 0 for i in group),
                        max(i.day_in_phase or 0 for i in group),
                        self.tidx.get(first.clause, -1),
                        stock,
                        o.quantity or 0,
                        grants,
                        o.action,
                    )
                )
        self.sides: list[Side] = []
        for (clause_id, rnd, counter), group in sides_raw.items():
            first = group[0]
            q = self.phidx[first.phase]
            assert first.day_in_phase is not None
            self.sides.append(
                Side(
                    clause_id,
                    rnd,
                    counter,
                    self.pidx[first.debtor],
                    self.pidx[first.creditor],
                    tuple(
                        (self.sidx.get(i.category or "", -1), i.category or "", i.quantity or 0)
                        for i in group
                    ),
                    q,
                    first.day_in_phase,
                )
            )
            self.pts[q][self.point_of[q][first.day_in_phase]].sides.append(len(self.sides) - 1)
        self.side_of = {(s.clause, s.round, s.counter): i for i, s in enumerate(self.sides)}
        for k, n in enumerate(self.negotiations):
            if n.starts_by is not None:
                q, d = n.starts_by
                if d in self.point_of[q]:
                    self.pts[q][self.point_of[q][d]].starts_by.append(k)

    @property
    def stocks_suffice(self) -> bool:
        """Whether no release can ever need more than its holder still holds."""
        need: dict[int, int] = {}
        for side in self.sides:
            for stock, _, q in side.items:
                if stock >= 0:
                    need[stock] = need.get(stock, 0) + q
        for pts in self.pts:
            for pt in pts:
                for duty in pt.duties:
                    if duty.stock >= 0:
                        need[duty.stock] = need.get(duty.stock, 0) + duty.quantity * len(duty.keys)
        if any(e.stock >= 0 for e in self.extensions):
            return False
        return all(self.counts[k] is None or n <= (self.counts[k] or 0) for k, n in need.items())

    def sides_passed(self, t: list[int] | State, clause: str | None = None) -> bool:
        """Whether every round side (of ``clause``) has reached its day."""
        cur, clk = t[1], t[2]
        for side in self.sides:
            if clause is not None and side.clause != clause:
                continue
            st = t[self.o_ph + side.phase]
            if st in (DONE, CUT_SHORT):
                continue
            if st == PENDING or side.phase != cur or clk == 0:
                return False
            if clk <= len(self.pts[cur]) and self.pts[cur][clk - 1].day < side.day:
                return False
        return True

    def _layout(self) -> None:
        np_, nn = len(self.phases), len(self.negotiations)
        ns = (1 if self.sides else 0) if self.abstract else len(self.sides)
        self.o_ph = 3
        self.o_ng = self.o_ph + np_
        self.o_rs = self.o_ng + nn
        self.o_fl = self.o_rs + ns
        self.o_pw = self.o_fl + len(self.tracked)
        self.o_st = self.o_pw + len(self.powers)
        self.o_ex = self.o_st + len(self.stocks)
        self.o_h = self.o_ex + np_  # hostilities on, lawful-by mask, via power
        self.o_v = self.o_h + 3  # violators mask
        self.o_gap = self.o_v + 1
        self.o_sus = self.o_gap + 1
        self.width = self.o_sus + 1
        s = [0] * self.width
        s[self.o_ph] = ACTIVE
        for k, n in enumerate(self.negotiations):
            if n.starts_by is None and n.home == 0:
                s[self.o_ng + k] = OPEN
        self.initial: State = tuple(s)

    # ------------------------------------------------------------------ reading a state

    def phase_statuses(self, s: State) -> dict[str, str]:
        return {p: PHASE_STATUS[s[self.o_ph + i]] for i, p in enumerate(self.phases)}

    def local_day(self, s: State) -> int | None:
        """The current day inside the current phase; None at a "later" point or before day 1."""
        cur, clk = s[1], s[2]
        if 1 <= clk <= len(self.pts[cur]):
            return self.pts[cur][clk - 1].day
        return None

    def is_later(self, s: State) -> bool:
        return s[2] > len(self.pts[s[1]])

    def in_force(self, s: State) -> bool:
        return s[0] != TERMINATED

    def suspended(self, s: State) -> list[str]:
        m = s[self.o_sus]
        return [c for c, i in self.susidx.items() if m >> i & 1]

    def _key(self, s: State) -> tuple[tuple[int, ...], bool, int]:
        return (s[self.o_ph : self.o_ng], s[0] != TERMINATED, s[self.o_sus])

    def ceasefire(self, s: State) -> bool:
        return self._ceasefire(self._key(s))

    @lru_cache(maxsize=4096)  # noqa: B019 - one model per check; the cache dies with it
    def _ceasefire(self, key: tuple[tuple[int, ...], bool, int]) -> bool:
        ph, inforce, sus = key
        statuses = {p: PHASE_STATUS[ph[i]] for i, p in enumerate(self.phases)}
        off = [c for c, i in self.susidx.items() if sus >> i & 1]
        return ceasefire_in_effect(self.agreement, statuses, in_force=inforce, suspended=off)

    def forbidding(self, s: State, party: int, act: str) -> tuple[str, ...]:
        return self._forbidding(self._key(s), party, act)

    @lru_cache(maxsize=16384)  # noqa: B019
    def _forbidding(
        self, key: tuple[tuple[int, ...], bool, int], party: int, act: str
    ) -> tuple[str, ...]:
        ph, inforce, sus = key
        statuses = {p: PHASE_STATUS[ph[i]] for i, p in enumerate(self.phases)}
        off = [c for c, i in self.susidx.items() if sus >> i & 1]
        return tuple(
            prohibited(
                self.agreement, self.parties[party], act, statuses, in_force=inforce, suspended=off
            )
        )

    def held(self, s: State, stock: int) -> int | None:
        c = self.counts[stock]
        return None if c is None else c - s[self.o_st + stock]

    def available_powers(self, s: State) -> list[int]:
        if s[0] == TERMINATED:
            return []
        out = []
        cur = s[1]
        today = self.local_day(s)
        for k, w in enumerate(self.powers):
            st = s[self.o_pw + k]
            if st & 1 or (w.grantable and not st & 2):
                continue
            if w.during and not any(s[self.o_ph + q] in LIVE for q in w.during):
                continue
            if w.after is not None:
                q, d = w.after
                sq = s[self.o_ph + q]
                if sq == PENDING:
                    continue
                if q == cur and sq in LIVE and today is not None and today < d:
                    continue
                if q == cur and s[2] == 0:
                    continue
            if w.condition is not None and not self.holds(w.condition, s):
                continue
            if w.action == PowerAction.declare_failed and (
                w.target < 0 or s[self.o_ng + w.target] in (AGREED, FAILED)
            ):
                continue
            if w.action == PowerAction.resume_hostilities and s[self.o_h]:
                continue
            if w.action == PowerAction.extend_phase and (
                w.target < 0 or s[self.o_ph + w.target] not in (PENDING, ACTIVE)
            ):
                continue
            out.append(k)
        return out

    def side_done(self, s: State, side: int) -> int:
        return s[self.o_rs + side]

    def all_rounds_fulfilled(self, s: State) -> bool:
        if self.abstract:
            return not self.sides or (s[self.o_rs] == 0 and self.sides_passed(s))
        return all(s[self.o_rs + i] == FULFILLED for i in range(len(self.sides)))

    # ------------------------------------------------------------------ atoms

    def holds(self, f: ex.Formula, s: State) -> bool:
        """The truth of a condition (no temporal operators) in a state."""
        match f:
            case ex.Const(value):
                return value
            case ex.Atom():
                return self.atom(f, s)
            case ex.Not(operand):
                return not self.holds(operand, s)
            case ex.And(operands):
                return all(self.holds(o, s) for o in operands)
            case ex.Or(operands):
                return any(self.holds(o, s) for o in operands)
            case ex.Implies(left, right):
                return not self.holds(left, s) or self.holds(right, s)
        raise ValueError(f"not a condition: {ex.render(f)}")

    def atom(self, atom: ex.Atom, s: State) -> bool:
        name, args = atom.name, atom.args
        if name == "hostilities":
            return bool(s[self.o_h])
        if name == "ceasefire":
            return self.ceasefire(s)
        if name == "in_force":
            return s[0] == IN_FORCE
        if name == "completed":
            return s[0] == COMPLETED
        if name == "terminated":
            return s[0] == TERMINATED
        arg = args[0] if args else ""
        if name in ("active", "started", "done", "expired"):
            st = s[self.o_ph + self.phidx[arg]]
            return {
                "active": st in LIVE,
                "started": st != PENDING,
                "done": st == DONE,
                "expired": st in (CONTINUING, DONE, CUT_SHORT),
            }[name]
        if name in ("agreed", "failed", "open"):
            st = s[self.o_ng + self.nidx[arg]]
            return st == {"agreed": AGREED, "failed": FAILED, "open": OPEN}[name]
        if name in ("held", "released"):
            k = self.sidx[arg]
            value = s[self.o_st + k] if name == "released" else (self.held(s, k) or 0)
            assert atom.comparator is not None and atom.number is not None
            return _compare(value, atom.comparator, atom.number)
        if name == "compliant":
            return not s[self.o_v] >> self.pidx[arg] & 1
        if name in ("exercised", "available"):
            k = self.widx.get(arg, -1)
            if k < 0:
                return False
            if name == "exercised":
                return bool(s[self.o_pw + k] & 1)
            return k in self.available_powers(s)
        if name in ("fulfilled", "violated"):
            return self.clause_status(arg, s, name == "fulfilled")
        if name == "in_effect":
            return self.in_effect(arg, s)
        raise ValueError(f"unknown predicate {name}")

    def clause_status(self, clause: str, s: State, fulfilled: bool) -> bool:
        sides = [i for i, x in enumerate(self.sides) if x.clause == clause]
        if sides:
            vals = [s[self.o_rs + i] for i in sides]
            if fulfilled:
                return all(v == FULFILLED for v in vals)
            return any(v == VIOLATED for v in vals)
        t = self.tidx.get(clause, -1)
        if t < 0:
            return False
        flags = s[self.o_fl + t]
        return bool(flags & 1 and not flags & 2) if fulfilled else bool(flags & 2)

    def in_effect(self, clause: str, s: State) -> bool:
        if s[0] == TERMINATED:
            return False
        c = self.agreement.clause(clause)
        if c.prohibition is not None:
            p = c.prohibition
            return any(
                bool(self.forbidding(s, self.pidx[x], p.act))
                and clause in self.forbidding(s, self.pidx[x], p.act)
                for x in p.parties
                if x in self.pidx
            )
        if c.power is not None:
            return self.widx[clause] in self.available_powers(s)
        if c.negotiation is not None:
            return s[self.o_ng + self.nidx[clause]] == OPEN
        if clause in self.suspended(s):
            return False
        cur = s[1]
        today = self.local_day(s)
        for inst in self.instances:
            if inst.clause != clause or inst.day_in_phase is None:
                continue
            q, oq = self.phidx[inst.phase], self.phidx[inst.opens_phase]
            if s[self.o_ph + oq] == PENDING:
                continue
            if oq == cur and today is not None and today < inst.opens_in_phase:
                continue
            if s[self.o_ph + q] in (DONE, CUT_SHORT):
                continue
            if q == cur and (today is None or today >= inst.day_in_phase):
                continue
            return True
        return False

    # ------------------------------------------------------------------ steps

    def successors(self, s: State, *, forbid: int = 0, powers: bool = True) -> list[State]:
        """Every next state (duplicates removed). ``forbid``: parties that must not violate.

        The same states, in the same order (of first occurrence), as :meth:`steps`; but
        the choices are applied one component at a time and the partial states are
        deduplicated after each, so combinations that agree so far are carried once.
        A partial state is the vector so far and the power effects still to apply; what
        the remaining options, the effects and :meth:`_settle` do is a function of that
        pair, so merging equal pairs loses no successor.
        """
        st = list(s)
        junk: list[Event] = []
        self._advance(st, junk)
        comps = self._components(st, forbid, powers)
        layer: dict[tuple[State, tuple[Callable[[list[int], list[Event]], None], ...]], None]
        layer = {(tuple(st), ()): None}
        for comp in comps:
            nxt: dict[tuple[State, tuple[Callable[[list[int], list[Event]], None], ...]], None]
            nxt = {}
            for t0, posts in layer:
                for opt in comp:
                    t = list(t0)
                    post: list[Callable[[list[int], list[Event]], None]] = []
                    opt(t, junk, post)
                    nxt[(tuple(t), posts + tuple(post) if post else posts)] = None
            junk.clear()
            layer = nxt
        out: dict[State, None] = {}
        settle, overdrawn, count = self._settle, self._overdrawn, self.count_stocks
        for t0, posts in layer:
            t = list(t0)
            for fn in posts:
                fn(t, junk)
            settle(t, junk)
            if count and overdrawn(t):
                continue  # as in :meth:`steps`
            out[tuple(t)] = None
        return list(out)

    def steps(
        self, s: State, *, forbid: int = 0, powers: bool = True, events: bool = True
    ) -> Iterator[tuple[tuple[Event, ...], State]]:
        """Every next state with the events of the step that leads there."""
        st = list(s)
        pre: list[Event] = []
        self._advance(st, pre)
        comps = self._components(st, forbid, powers)
        base = tuple(st)
        for combo in product(*comps) if comps else [()]:
            t = list(base)
            evs: list[Event] = list(pre) if events else []
            post: list[Callable[[list[int], list[Event]], None]] = []
            for opt in combo:
                opt(t, evs, post)
            for fn in post:
                fn(t, evs)
            self._settle(t, evs)
            if self.count_stocks and self._overdrawn(t):
                continue  # releases of one step are limited together by what is held
            yield tuple(evs), tuple(t)

    def _overdrawn(self, t: list[int]) -> bool:
        o = self.o_st
        return any(c is not None and t[o + i] > c for i, c in enumerate(self.counts))

    def _rule_days(self, st: list[int], q: int) -> int:
        """Days phase ``q`` gained through extension rules (not extend_phase powers)."""
        days = st[self.o_ex + q]
        for k, w in enumerate(self.powers):
            if w.action == PowerAction.extend_phase and w.target == q and st[self.o_pw + k] & 1:
                days -= w.days
        return days

    def _advance(self, st: list[int], evs: list[Event]) -> None:
        """Steps 1 and 2: time passes to the next point, phases expire and start."""
        cur, clk = st[1], st[2]
        pts = self.pts[cur]
        m = len(pts)
        status = st[self.o_ph + cur]
        if status in LIVE and st[0] != TERMINATED:
            st[2] = clk + 1 if clk < m else m + 1
            if st[2] > m:
                evs.append(("later",))
                return
            day = pts[st[2] - 1].day
            evs.append(("point", cur, day))
            dur = self.durations[cur]
            if status == ACTIVE and dur is not None and day == dur + 1 + st[self.o_ex + cur]:
                self._expire(st, cur, evs)
                self._start_next(st, evs, expired=True)
            return
        if st[0] != TERMINATED and self._start_next(st, evs, expired=False):
            return
        st[2] = m + 1
        evs.append(("later",))

    def _expire(self, st: list[int], q: int, evs: list[Event]) -> None:
        rule = self.rules[q]
        if rule in ("ends", "unspecified"):
            st[self.o_ph + q] = DONE
            if rule == "unspecified":
                st[self.o_gap] = 1
            evs.append(("expire", q, rule))
            return
        n = self.cont_neg[q]
        ns = st[self.o_ng + n] if n >= 0 else AGREED
        if ns == AGREED:
            st[self.o_ph + q] = DONE
            evs.append(("expire", q, "done"))
        elif ns == FAILED:
            st[self.o_ph + q] = CUT_SHORT
            evs.append(("expire", q, "cut_short"))
        else:
            st[self.o_ph + q] = CONTINUING
            evs.append(("expire", q, "continuing"))

    def _start_next(self, st: list[int], evs: list[Event], *, expired: bool) -> bool:
        cur = st[1]
        j = cur + 1
        started = False
        if j < len(self.phases) and st[self.o_ph + cur] in (DONE, CUT_SHORT):
            how = self.agreement.phases[j].starts
            ok = True
            if how.after is not None:
                ok = st[self.o_ph + self.phidx[how.after]] == DONE
            if how.upon_agreement is not None:
                n = self.nidx.get(how.upon_agreement, -1)
                ok = ok and n >= 0 and st[self.o_ng + n] == AGREED
            if ok:
                st[1], st[2] = j, 1
                st[self.o_ph + j] = ACTIVE
                st[self.o_gap] = 0
                for k, n_ in enumerate(self.negotiations):
                    if n_.starts_by is None and n_.home == j and st[self.o_ng + k] == NOT_STARTED:
                        st[self.o_ng + k] = OPEN
                if not expired:
                    evs.append(("point", j, 1))
                evs.append(("start", j))
                started = True
        if expired and not started and self.rules[cur] == "ends" and st[0] == IN_FORCE:
            st[self.o_gap] = 1
        return started

    def _components(
        self, st: list[int], forbid: int, allow_powers: bool
    ) -> list[
        list[
            Callable[[list[int], list[Event], list[Callable[[list[int], list[Event]], None]]], None]
        ]
    ]:
        """Step 3: the independent choices at this point, each a list of options."""
        comps: list[list[Any_]] = []
        if st[0] == TERMINATED:
            comps.extend(self._hostility_components(st, forbid))
            return comps
        cur, clk = st[1], st[2]
        point = (
            self.pts[cur][clk - 1]
            if 1 <= clk <= len(self.pts[cur]) and st[self.o_ph + cur] in LIVE
            else None
        )
        folded: dict[int, list[Event]] = {}
        if point is not None:
            sus = self.suspended(tuple(st))
            for duty in point.duties:
                if duty.clause in sus:
                    continue
                if duty.tracked < 0 and duty.stock < 0 and duty.grants < 0:
                    folded.setdefault(duty.debtor, []).append(
                        ("violate", duty.debtor, duty.clause, duty.first_day, duty.last_day)
                    )
                    continue
                comps.append(self._duty_options(st, duty, forbid))
            for k in point.sides:
                if self.sides[k].clause in sus:
                    continue
                comps.append(self._side_options(st, k, forbid))
            for k in point.starts_by:
                if st[self.o_ng + k] == NOT_STARTED:
                    comps.append(self._opening_options(k, forbid, due=True))
        for k, n in enumerate(self.negotiations):
            ns = st[self.o_ng + k]
            if ns == OPEN:
                comps.append([_stall(k), _agree(self, k)])
            elif (
                ns == NOT_STARTED
                and n.starts_by is not None
                and (point is None or k not in point.starts_by)
            ):
                q, d = n.starts_by
                sq = st[self.o_ph + q]
                past = sq in (CONTINUING, DONE, CUT_SHORT) or (
                    sq == ACTIVE and q == cur and (self.local_day(tuple(st)) or 10**9) > d
                )
                if past and st[self.o_ph + q] in LIVE:
                    comps.append(self._opening_options(k, forbid, due=False))
        # prohibited acts other than hostilities, folded per party unless observed
        key = self._key(tuple(st))
        for party in self.fighters:
            bit = 1 << party
            for act in self.acts:
                if act == "hostilities":
                    continue
                cl = self._forbidding(key, party, act)
                if not cl:
                    continue
                if any(c in self.tidx for c in cl):
                    if not forbid & bit:
                        comps.append([_nothing, _commit(self, party, act, cl)])
                else:
                    folded.setdefault(party, []).append(("commit", party, act, cl))
        for party, options in folded.items():
            if forbid >> party & 1 or not self.track_violators:
                # Without a record of violators, violating these leads where complying does.
                comps.append([_comply_all(party, options)])
            else:
                comps.append([_comply_all(party, options), _violate_some(self, party, options)])
        if allow_powers:
            for k in self.available_powers(tuple(st)):
                comps.append([_nothing, _exercise(self, k)])
        if self.extensions and point is not None:
            for k, e in enumerate(self.extensions):
                if e.phase != cur or st[self.o_ph + cur] != ACTIVE:
                    continue
                dur = self.durations[cur]
                if dur is None or point.day != dur + st[self.o_ex + cur]:
                    continue
                held = self.held(tuple(st), e.stock) if e.stock >= 0 else None
                if self._rule_days(st, cur) + e.days <= e.max_days and (
                    held is None or held >= e.units
                ):
                    comps.append([_nothing, _extend(self, k)])
        comps.extend(self._hostility_components(st, forbid))
        return comps

    def _hostility_components(self, st: list[int], forbid: int) -> list[list[Any_]]:
        if st[self.o_h]:
            return []
        comps: list[list[Any_]] = []
        for party in self.fighters:
            cl = self.forbidding(tuple(st), party, "hostilities")
            if cl and forbid >> party & 1:
                continue
            comps.append([_nothing, _fight(self, party, cl)])
        return comps

    def _duty_options(self, st: list[int], duty: Duty, forbid: int) -> list[Any_]:
        opts: list[Any_] = []
        held = self.held(tuple(st), duty.stock) if duty.stock >= 0 else None
        if held is None or held >= duty.quantity:
            opts.append(_fulfil_duty(self, duty))
        if not forbid >> duty.debtor & 1:  # a protected party never violates, even when cornered
            opts.append(_violate_duty(self, duty))
        return opts

    def _side_options(self, st: list[int], k: int, forbid: int) -> list[Any_]:
        side = self.sides[k]
        opts: list[Any_] = []
        ok = not self.count_stocks or all(
            stock < 0 or (h := self.held(tuple(st), stock)) is None or h >= q
            for stock, _, q in side.items
        )
        if ok:
            opts.append(_release(self, k))
        if not forbid >> side.debtor & 1:
            opts.append(_withhold(self, k))
        return opts

    def _opening_options(self, k: int, forbid: int, *, due: bool) -> list[Any_]:
        n = self.negotiations[k]
        opts: list[Any_] = []
        for refusing in product((False, True), repeat=len(n.between)):
            mask = 0
            for who, r in zip(n.between, refusing, strict=True):
                if r:
                    mask |= 1 << who
            if mask & forbid:
                continue
            opts.append(_opening(self, k, mask))
        return opts

    def _settle(self, t: list[int], evs: list[Event]) -> None:
        """Step 4's consequences and step 5: phases kept going by talks, completion."""
        for q, n in enumerate(self.cont_neg):
            if n >= 0 and t[self.o_ph + q] == CONTINUING:
                ns = t[self.o_ng + n]
                if ns == AGREED:
                    t[self.o_ph + q] = DONE
                    evs.append(("over", q, "done"))
                elif ns == FAILED:
                    t[self.o_ph + q] = CUT_SHORT
                    evs.append(("over", q, "cut_short"))
        if t[0] == IN_FORCE:
            last = len(self.phases) - 1
            ls = t[self.o_ph + last]
            if (ls == DONE or (ls == ACTIVE and self.durations[last] is None)) and (
                (not self.sides or (t[self.o_rs] == 0 and self.sides_passed(t)))
                if self.abstract
                else all(t[self.o_rs + i] == FULFILLED for i in range(len(self.sides)))
            ):
                t[0] = COMPLETED
                t[self.o_gap] = 0
                evs.append(("complete",))


# --------------------------------------------------------------------------- options
# Each option is a function (state list, events, post-effects) -> None.

Any_ = Callable[[list[int], list[Event], list[Callable[[list[int], list[Event]], None]]], None]
Post = list[Callable[[list[int], list[Event]], None]]


def _compare(value: int, comparator: str, number: int) -> bool:
    return {
        "<": value < number,
        "<=": value <= number,
        ">": value > number,
        ">=": value >= number,
        "==": value == number,
        "!=": value != number,
    }[comparator]


def _nothing(t: list[int], evs: list[Event], post: Post) -> None:
    return None


def _stall(k: int) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        evs.append(("stall", k))

    return opt


def _agree(m: Model, k: int) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        t[m.o_ng + k] = AGREED
        evs.append(("agree", k))

    return opt


def _violate(m: Model, t: list[int], party: int) -> None:
    if m.track_violators:
        t[m.o_v] |= 1 << party


def _flag(m: Model, t: list[int], clause: str, bit: int) -> None:
    i = m.tidx.get(clause, -1)
    if i >= 0:
        t[m.o_fl + i] |= bit


def _fulfil_duty(m: Model, duty: Duty) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        _flag(m, t, duty.clause, 1)
        if duty.stock >= 0:
            t[m.o_st + duty.stock] += duty.quantity
        evs.append(("fulfil", duty.debtor, duty.clause, duty.first_day, duty.last_day))

    return opt


def _violate_duty(m: Model, duty: Duty) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        _flag(m, t, duty.clause, 2)
        _violate(m, t, duty.debtor)
        if duty.grants >= 0:
            t[m.o_pw + duty.grants] |= 2
        evs.append(("violate", duty.debtor, duty.clause, duty.first_day, duty.last_day))

    return opt


def _comply_all(party: int, options: list[Event]) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        for e in options:
            if e[0] == "violate":
                evs.append(("fulfil", *e[1:]))

    return opt


def _violate_some(m: Model, party: int, options: list[Event]) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        _violate(m, t, party)
        evs.append(options[0])
        for e in options[1:]:
            if e[0] == "violate":
                evs.append(("fulfil?", *e[1:]))

    return opt


def _commit(m: Model, party: int, act: str, clauses: tuple[str, ...]) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        _violate(m, t, party)
        for c in clauses:
            _flag(m, t, c, 2)
        evs.append(("commit", party, act, clauses))

    return opt


def _release(m: Model, k: int) -> Any_:
    side = m.sides[k]

    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        if not m.abstract:
            t[m.o_rs + k] = FULFILLED
        if not m.count_stocks:
            evs.append(("release", k))
            return
        for stock, _, q in side.items:
            if stock >= 0:
                t[m.o_st + stock] += q
        evs.append(("release", k))

    return opt


def _withhold(m: Model, k: int) -> Any_:
    side = m.sides[k]

    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        if m.abstract:
            if t[m.o_rs] == CREATED:
                t[m.o_rs] = VIOLATED
        else:
            t[m.o_rs + k] = VIOLATED
        _violate(m, t, side.debtor)
        evs.append(("withhold", k))

    return opt


def _opening(m: Model, k: int, refusing: int) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        if refusing:
            if m.track_violators:
                t[m.o_v] |= refusing
            _flag(m, t, m.negotiations[k].clause, 2)
            evs.append(("refuse_open", k, refusing))
        else:
            t[m.o_ng + k] = OPEN
            evs.append(("open", k))

    return opt


def _fight(m: Model, party: int, clauses: tuple[str, ...]) -> Any_:
    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        t[m.o_h] = 1
        if clauses:
            _violate(m, t, party)
            for c in clauses:
                _flag(m, t, c, 2)
        else:
            t[m.o_h + 1] |= 1 << party
        evs.append(("hostilities", party, clauses))

    return opt


def _extend(m: Model, k: int) -> Any_:
    e = m.extensions[k]

    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        t[m.o_ex + e.phase] += e.days
        if e.stock >= 0:
            t[m.o_st + e.stock] += e.units
        evs.append(("extend", k))

    return opt


def _exercise(m: Model, k: int) -> Any_:
    w = m.powers[k]

    def effect(t: list[int], evs: list[Event]) -> None:
        if w.action == PowerAction.end_agreement:
            if t[0] != TERMINATED:
                t[0] = TERMINATED
                if m.abstract:
                    if m.sides and t[m.o_rs] == CREATED:
                        t[m.o_rs] = DISCHARGED
                else:
                    for i in range(len(m.sides)):
                        if t[m.o_rs + i] == CREATED:
                            t[m.o_rs + i] = DISCHARGED
                evs.append(("terminate", k))
        elif w.action == PowerAction.declare_failed:
            if t[m.o_ng + w.target] != AGREED:
                t[m.o_ng + w.target] = FAILED
        elif w.action == PowerAction.suspend_clause:
            t[m.o_sus] |= 1 << w.target
            clause = m.suspendable[w.target] if w.target < len(m.suspendable) else ""
            if m.abstract:
                if t[m.o_rs] == CREATED and not m.sides_passed(t, clause):
                    t[m.o_rs] = DISCHARGED
            else:
                for i, side in enumerate(m.sides):
                    if side.clause == clause and t[m.o_rs + i] == CREATED:
                        t[m.o_rs + i] = DISCHARGED
        elif w.action == PowerAction.extend_phase:
            if t[m.o_ph + w.target] in (PENDING, ACTIVE):
                t[m.o_ex + w.target] += w.days
        elif w.action == PowerAction.resume_hostilities and not t[m.o_h]:
            t[m.o_h] = 1
            t[m.o_h + 2] = k + 1

    flag = m.tidx.get(w.clause, -1)

    def opt(t: list[int], evs: list[Event], post: Post) -> None:
        t[m.o_pw + k] |= 1
        if flag >= 0:
            t[m.o_fl + flag] |= 1
        evs.append(("exercise", k))
        post.append(effect)

    return opt
