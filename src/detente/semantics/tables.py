"""The compiled agreement: the tables the transition system reads, and the state layout.

An agreement is compiled once into tables (which duties fall due at which point of
which phase, who may do what). A state is a flat tuple of small ints, whose slots the
``o_*`` offsets of :class:`Tables` name; only the semantics reads them (readers outside
``detente.semantics`` go through :class:`~detente.semantics.observe.Observations`).
The calendar (which instance is due on which day of its phase) comes from
:mod:`detente.semantics.schedule`.

Time abstraction: a phase's clock walks through the days of that phase at which
something can happen (its start, deadlines, round days, start-by days, the days
powers become available, its possible expiry days, and one point per run of
recurrence days with nothing else in it); after the last comes one repeating
"later" point. A replay (:class:`Replay`) makes every day a time point instead.
While a phase continues past its planned end, its recurring duties that run to its end
keep falling due (:mod:`detente.semantics.continuing`).
Honest reductions: duties whose individual outcome no expectation observes are folded
per party into "complies with all" / "violates at least one"; a recurring duty's run
of identical days is one point.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from detente.language import expressions as ex
from detente.language.model import Agreement, PowerAction
from detente.semantics import amended_terms, conditions, roles
from detente.semantics.anchors import anchor_clause, whole_days
from detente.semantics.continuing import (
    continuing_clauses,
    continuing_instances,
    days_between,
    key_of,
    recurrence,
)
from detente.semantics.schedule import (
    SELF_DEFENCE,
    Instance,
    answers,
    grantable_powers,
    instances,
    local_day,
    phase_duration,
    phase_spans,
)

State = tuple[int, ...]

# agreement status
IN_FORCE, COMPLETED, TERMINATED = 0, 1, 2
# phase status
PENDING, ACTIVE, CONTINUING, DONE, CUT_SHORT = 0, 1, 2, 3, 4
PHASE_STATUS = ("pending", "active", "continuing", "done", "cut_short")
LIVE = (ACTIVE, CONTINUING)
# negotiation status
NOT_STARTED, OPEN, AGREED, FAILED = 0, 1, 2, 3
NEGOTIATION_STATUS = ("not_started", "open", "agreed", "failed")
# round side status (NOT_RECORDED only in a replay: due, and the log says nothing)
CREATED, FULFILLED, VIOLATED, DISCHARGED, NOT_RECORDED = 0, 1, 2, 3, 4
#: Bits of a tracked clause's flag slot.
FLAG_FULFILLED, FLAG_VIOLATED = 1, 2


@dataclass(frozen=True)
class Replay:
    """A replay of a real log rather than an exploration: every day up to ``horizon``
    (agreement days) is a time point, every clause's outcome is kept, and a duty that
    falls due may also be *not recorded* (unless ``absence_is_violation``)."""

    horizon: int
    absence_is_violation: bool = False


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
    #: an amendment's guard (semantics/amendments.py): 0, or in effect only once amendment
    #: ``guard - 1`` is made (> 0), or only until amendment ``-guard - 1`` is made (< 0)
    guard: int = 0


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
    effort: bool = False  # a duty of means (``effort: best``): see semantics/means.py
    #: flag slot of the clause whose fulfilment the deadline is counted from, or -1: the
    #: duty falls due only if that clause was fulfilled (see :mod:`.anchors`)
    anchor: int = -1
    guard: int = 0  # an amendment's guard, as for :class:`Side`


@dataclass(frozen=True)
class AnchoredDuty:
    """A replay's duty counted from a clause's fulfilment, and its offset in whole days
    (see :mod:`.anchor_days`)."""

    duty: Duty
    anchor: str
    days: int


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
    against: int = 0  # self_defence: bit mask of the parties whose attacks it answers
    amendment: bool = False  # an agreed extension (joint act), also after the days ran out
    times: int = 1  # an amendment: how many times it may be made (a renewable term)


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
    #: Recurring duties that fall due here only while the phase is continuing (a point
    #: past the phase's planned end; :mod:`detente.semantics.continuing`).
    continuing: list[Duty] = field(default_factory=list)


class Tables:
    """The compiled agreement: its tables, the state layout and the initial state."""

    def __init__(
        self,
        agreement: Agreement,
        observed: set[str] | None = None,
        *,
        abstract_rounds: bool = False,
        track_violators: bool = True,
        replay: Replay | None = None,
    ) -> None:
        self.agreement = a = agreement
        #: Rounds folded into one slot (some side not released / discharged): sound for
        #: properties that do not look at single rounds or stock counts, when the rounds
        #: never need more than is held (see :attr:`stocks_suffice`).
        self.abstract = abstract_rounds
        #: Whether the state records who has violated something (only ``compliant(p)``
        #: reads it; a graph restricted to runs compliant for P never needs it).
        self.track_violators = track_violators
        #: Set when replaying a log: every day is a point, every outcome is kept.
        self.replay = replay
        self.observed = set(observed or ())
        if replay is not None:
            self.observed |= {c.id for c in agreement.clauses}
        self.parties = [p.id for p in a.parties]
        self.pidx = {p: i for i, p in enumerate(self.parties)}
        self.fighters = [i for i, p in enumerate(a.parties) if roles.may_act(p.role)]
        self.phases = [p.id for p in a.phases]
        self.phidx = {p: i for i, p in enumerate(self.phases)}
        self.durations = [phase_duration(a, p.id) for p in a.phases]
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
                sb = (home, local_day(a, n.starts_by) or 1)
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
        power_clauses = a.granted_powers()  # powers, and amendments as joint acts
        self.widx = {c.id: i for i, (c, _) in enumerate(power_clauses)}
        self.powers: list[PowerInfo] = []
        for c, p in power_clauses:
            target = -1
            if p.action in (PowerAction.declare_failed, PowerAction.arbitrate):
                target = self.nidx.get(p.target or "", -1)
            elif p.action == PowerAction.extend_phase:
                target = self.phidx.get(p.target or "", -1)
            elif p.action == PowerAction.suspend_clause:
                target = self.susidx.get(p.target or "", -1)
            after = None
            if p.available.after is not None:
                wa = p.available.after
                q = self.phidx[wa.phase]
                dq = local_day(a, wa)
                after = (q, dq if dq is not None else 10**9)
            cond = (
                ex.parse(p.available.condition, temporal=False) if p.available.condition else None
            )
            consent = 0
            for who in p.requires_consent:
                if who in self.pidx:
                    consent |= 1 << self.pidx[who]
            against = 0
            if p.action == SELF_DEFENCE:
                for who in answers(a, p.holder, p):
                    if who in self.pidx:
                        against |= 1 << self.pidx[who]
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
                    against,
                    c.amendment is not None,
                    c.amendment.times if c.amendment is not None else 1,
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
        # conditions on norms (semantics/conditions.py)
        self.triggers = conditions.triggers(a)
        self.guards = list(conditions.guards(a).items())
        self.openers = conditions.openers(negs)
        #: acts some deadline is counted from (party id, action), one slot each, and per
        #: triggered duty the index of its act (-1: a condition); see semantics/acts.py
        self.anchor_acts = conditions.acts(self.triggers)
        self.act_of = [
            -1 if t.act is None else self.anchor_acts.index(t.act) for t in self.triggers
        ]
        self.act_options: object = None  # built once by semantics/acts.py
        #: the options of triggered duties (condition_steps.py), built once
        self.trigger_options: dict[tuple[int, int], object] = {}
        self.observed |= conditions.referenced(a)
        self.observed |= {t.clause for t in self.triggers}
        if any(
            atom.name == "compliant"
            for text in conditions.texts(a)
            for atom in ex.atoms(ex.parse(text, temporal=False))
        ):
            self.track_violators = True
        if self.abstract and conditions.reads_rounds(a):
            self.abstract = False
        self.prohibitions = [c for c in a.clauses if c.prohibition is not None]
        #: Self-defence powers (indices into ``powers``), each with an attack-to-answer slot.
        self.self_defences = [k for k, w in enumerate(self.powers) if w.action == SELF_DEFENCE]
        if self.self_defences:
            # an attack must be seen act by act, never folded with other duties
            self.observed.update(c.id for c in self.prohibitions)
        self.acts = sorted({c.prohibition.act for c in self.prohibitions if c.prohibition})
        # a deadline counted from a clause's fulfilment reads that clause's outcome
        self.observed |= {
            k
            for c in a.clauses
            if c.obligation is not None and (k := anchor_clause(c.obligation)) is not None
        }
        #: clauses an amendment changes are tracked (its openness reads their fulfilment)
        self.amended = {
            c.amendment.amends: c.id
            for c in a.clauses
            if c.amendment is not None and c.amendment.amends is not None
        }
        self.observed |= set(self.amended)
        self._compile_points()
        #: Replay: duties counted from a clause's fulfilment, due from the day it was met
        self.anchored = self._detach_anchored()
        #: Whether stock counts are kept (always, unless rounds are folded and can never
        #: need more than is held).
        self.count_stocks = not self.abstract or not self.stocks_suffice
        self._layout()

    # ------------------------------------------------------------------ tables

    def _compile_points(self) -> None:
        a = self.agreement
        insts: list[Instance] = instances(a, phase_spans(a))
        amended, replaced = amended_terms.amended_instances(a, phase_spans(a), insts)
        insts = insts + amended  # the text's terms and the amended ones, each guarded
        #: instance key of a text's term -> the clause of the amendment that replaces it
        self.replaced = replaced
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
        sides_raw: dict[tuple[str, int, bool, int], list[Instance]] = {}
        for inst in insts:
            q = self.phidx[inst.phase]
            if inst.day_in_phase is None:
                continue
            if inst.kind in ("release", "counter_release"):
                assert inst.round is not None
                sides_raw.setdefault(
                    (
                        inst.clause,
                        inst.round,
                        inst.kind == "counter_release",
                        amended_terms.guard_of(self, inst, replaced),
                    ),
                    [],
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
                        extra |= {x + w.days * i for x in extra for i in range(1, w.times + 1)}
                exp = {d + 1 + x for x in extra}
            self.expiry_days.append(exp)
            days[q] |= exp
            if any(w.amendment and w.target == q for w in self.powers):
                days[q] |= {x + 1 for x in exp}  # a continuing phase, the day after expiry
            if any(e.phase == q for e in self.extensions):
                days[q] |= {x - 1 for x in exp}  # an extension rule acts on the last day
        if self.replay is not None:
            for q in range(len(self.phases)):
                days[q].update(range(1, self.replay.horizon + 2))
        if self.triggers:
            dues = conditions.due_days(days, self.expiry_days, [t.within for t in self.triggers])
            for q, more in enumerate(dues):
                days[q] |= more
        #: days that are time points only when a triggered duty falls due on them
        self.trigger_only: list[set[int]] = dues if self.triggers else []
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

        point_days = [[p.day for p in pts] for pts in self.pts]

        def at(q: int, day: int) -> Point:
            return self.pts[q][bisect_right(point_days[q], day) - 1]

        for q in range(len(self.phases)):
            groups: dict[tuple[str, int], list[Instance]] = {}
            for inst in recurring[q]:
                assert inst.day_in_phase is not None
                pt = at(q, inst.day_in_phase)
                groups.setdefault((inst.clause, pt.day), []).append(inst)
            for inst in singles[q]:
                groups.setdefault(
                    (
                        f"{inst.clause}\0{inst.key}\0{inst.amended_by or ''}",
                        inst.day_in_phase or 0,
                    ),
                    [],
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
                        o.effort == "best",
                        anchor=self.tidx.get(anchor_clause(o) or "", -1),
                        guard=amended_terms.guard_of(self, first, replaced),
                    )
                )
        self.sides: list[Side] = []
        for (clause_id, rnd, counter, guard), group in sides_raw.items():
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
                    guard,
                )
            )
            self.pts[q][self.point_of[q][first.day_in_phase]].sides.append(len(self.sides) - 1)
        self.side_of = {
            (s.clause, s.round, s.counter, s.guard): i for i, s in enumerate(self.sides)
        }
        #: power index -> an amendment of a clause, compiled (semantics/amendments.py)
        self.clause_amendments = amended_terms.compile_clause_amendments(self)
        self.trigger_duties: list[Duty] = []
        for trig in self.triggers:
            o = a.clause(trig.clause).obligation
            assert o is not None
            self.trigger_duties.append(
                Duty(
                    trig.clause,
                    self.pidx[o.debtor],
                    (trig.clause,),
                    0,
                    0,
                    self.tidx.get(trig.clause, -1),
                    self.sidx.get(o.category or "", -1) if o.quantity is not None else -1,
                    o.quantity or 0,
                    self.widx.get(o.on_violation.grants, -1) if o.on_violation else -1,
                    o.action,
                )
            )
        self._compile_continuing()
        for k, n in enumerate(self.negotiations):
            if n.starts_by is not None:
                q, d = n.starts_by
                if d in self.point_of[q]:
                    self.pts[q][self.point_of[q][d]].starts_by.append(k)

    def _duty(self, clause_id: str, keys: tuple[str, ...], first: int, last: int) -> Duty:
        """The duty of obligation ``clause_id`` at one point."""
        o = self.agreement.clause(clause_id).obligation
        assert o is not None
        stock = self.sidx.get(o.category or "", -1) if o.quantity is not None else -1
        grants = self.widx.get(o.on_violation.grants, -1) if o.on_violation is not None else -1
        debtor = self.pidx[o.debtor]
        return Duty(
            clause_id,
            debtor,
            keys,
            first,
            last,
            self.tidx.get(clause_id, -1),
            stock,
            o.quantity or 0,
            grants,
            o.action,
            o.effort == "best",
        )  # fmt: skip  (a continuing duty runs to its phase's end: no anchor)

    def _compile_continuing(self) -> None:
        """Recurring duties that keep falling due while their phase continues: in a replay
        each day's instance past the planned end; in the checker one duty at every point
        past the planned end and at the repeating "later" point (:attr:`later`)."""
        a = self.agreement
        by_phase = continuing_clauses(a)
        #: phase index -> the duties that fall due at its "later" point while it continues
        self.later: list[list[Duty]] = [[] for _ in self.phases]
        #: clause id -> the phase whose continuation it keeps falling due in
        self.continuing_of = {
            c.id: self.phidx[phase_id] for phase_id, cs in by_phase.items() for c in cs
        }
        if not by_phase:
            return
        if self.replay is not None:
            extra = continuing_instances(a, phase_spans(a), self.replay.horizon + 1)
            order = {c.id: k for k, c in enumerate(a.clauses)}
            self.instances = sorted(self.instances + extra, key=lambda i: order[i.clause])
            for inst in extra:
                q = self.phidx[inst.phase]
                d = inst.day_in_phase
                if d is not None and d in self.point_of[q]:
                    self.pts[q][self.point_of[q][d]].continuing.append(
                        self._duty(inst.clause, (inst.key,), d, d)
                    )
            return
        for phase_id, clauses in by_phase.items():
            q = self.phidx[phase_id]
            dur = self.durations[q]
            assert dur is not None
            prev = 0
            for pt in self.pts[q]:
                # a point past the planned end stands for the days since the point before
                for c in clauses if pt.day > dur else ():
                    first, every = recurrence(a, c)
                    rdays = days_between(first, every, max(prev, dur), pt.day)
                    if rdays:
                        keys = tuple(key_of(c, first, every, d) for d in rdays)
                        pt.continuing.append(self._duty(c.id, keys, rdays[0], rdays[-1]))
                prev = pt.day
            # the "later" point stands for a run of days with a recurrence day in it
            after = self.pts[q][-1].day + 1
            self.later[q] = [self._duty(c.id, (), after, after) for c in clauses]

    @property
    def stocks_suffice(self) -> bool:
        """Whether no release can ever need more than its holder still holds."""
        need: dict[int, int] = {}
        # a round an amendment replaces and the one it gives are never both due: count the
        # larger of the two (per amendment and stock)
        alt: dict[tuple[int, int], list[int]] = {}
        for side in self.sides:
            for stock, _, q in side.items:
                if stock >= 0 and side.guard:
                    pair = alt.setdefault((abs(side.guard), stock), [0, 0])
                    pair[side.guard > 0] += q
                elif stock >= 0:
                    need[stock] = need.get(stock, 0) + q
        for (_, stock), pair in alt.items():
            need[stock] = need.get(stock, 0) + max(pair)
        for pts in self.pts:
            for pt in pts:
                for duty in pt.duties:
                    if duty.stock >= 0:
                        need[duty.stock] = need.get(duty.stock, 0) + duty.quantity * len(duty.keys)
        for duty in self.trigger_duties:  # a triggered duty (or counter-release) releases too
            if duty.stock >= 0:
                need[duty.stock] = need.get(duty.stock, 0) + duty.quantity
        if any(e.stock >= 0 for e in self.extensions):
            return False
        if any(d.stock >= 0 for duties in self.later for d in duties):
            return False  # due again and again while the phase continues
        return all(self.counts[k] is None or n <= (self.counts[k] or 0) for k, n in need.items())

    def sides_passed(self, t: list[int] | State, clause: str | None = None) -> bool:
        """Whether every round side (of ``clause``) has reached its day."""
        cur, clk = t[1], t[2]
        for side in self.sides:
            if clause is not None and side.clause != clause:
                continue
            if side.guard and not amended_terms.binds(self, t, side.guard):
                continue  # a round an amendment replaced, or one not agreed
            st = t[self.o_ph + side.phase]
            if st in (DONE, CUT_SHORT):
                continue
            if st == PENDING or side.phase != cur or clk == 0:
                return False
            if clk <= len(self.pts[cur]) and self.pts[cur][clk - 1].day < side.day:
                return False
        return True

    def _detach_anchored(self) -> list[AnchoredDuty]:
        """In a replay, the duties counted from a clause's fulfilment, taken off their fixed
        points (the checker's reading): :mod:`.anchor_days` makes them due from the day
        the log shows the anchor met."""
        out: list[AnchoredDuty] = []
        if self.replay is None:
            return out
        for pts in self.pts:
            for pt in pts:
                kept = []
                for duty in pt.duties:
                    o = self.agreement.clause(duty.clause).obligation
                    w = None if o is None else o.window
                    if duty.anchor < 0 or w is None or w.within is None or w.after is None:
                        kept.append(duty)
                        continue
                    assert w.after.fulfilled is not None
                    out.append(AnchoredDuty(duty, w.after.fulfilled, whole_days(w.within)))
                pt.duties[:] = kept
        return out

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
        self.o_sd = self.o_sus + 1  # self-defence: an attack not yet answered, per power
        self.o_tr = self.o_sd + len(self.self_defences)  # one slot per triggered duty
        self.o_an = self.o_tr + len(self.triggers)  # replay: anchored duties' countdowns
        self.o_ac = self.o_an + len(self.anchored)  # acts deadlines count from: done?
        self.width = self.o_ac + len(self.anchor_acts)
        s = [0] * self.width
        s[self.o_ph] = ACTIVE
        for k, n in enumerate(self.negotiations):
            if n.starts_by is None and n.home == 0 and k not in self.openers:
                s[self.o_ng + k] = OPEN
        self.initial: State = tuple(s)
