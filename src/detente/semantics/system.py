"""The transition system of ``docs/semantics.md``, written once.

:class:`System` is a compiled agreement (:mod:`~detente.semantics.tables`) that can be
read (:mod:`~detente.semantics.observe`) and stepped. One step from a state:

1. :meth:`System.arrive` lets time pass to the next time point (phases expire and start);
2. :meth:`System.choices` lists the independent decisions open there
   (:mod:`~detente.semantics.choices`);
3. :meth:`System.apply` applies one option of each, then the powers' effects and the
   consequences (talks that keep a phase going, completion).

The checker explores every combination (:meth:`System.successors`, fast, and
:meth:`System.steps`, with the step events, for stories); the monitor replays a log by
picking, at each day, the options its events record (a :class:`Replay` system, in which
every day is a time point).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import product

from detente.language.model import Agreement, PowerAction
from detente.semantics import acts, amendments, anchor_days
from detente.semantics import condition_steps as conditions
from detente.semantics.choices import NOTHING, Choice, Effect, Option, Options
from detente.semantics.events import (
    Committed,
    Completed,
    Fulfilled,
    Later,
    PhaseExpired,
    PhaseOver,
    PhaseStarted,
    Reached,
    StepEvent,
    Violated,
)
from detente.semantics.means import duty_options
from detente.semantics.observe import Observations
from detente.semantics.schedule import ended_by_agreement
from detente.semantics.tables import (
    ACTIVE,
    AGREED,
    COMPLETED,
    CONTINUING,
    CUT_SHORT,
    DONE,
    FAILED,
    FLAG_FULFILLED,
    FULFILLED,
    IN_FORCE,
    LIVE,
    NOT_RECORDED,
    NOT_STARTED,
    OPEN,
    TERMINATED,
    VIOLATED,
    Duty,
    Point,
    Replay,
    State,
)


class System(Observations):
    """One agreement's transition system: initial state, choices, steps, observations."""

    def __init__(
        self,
        agreement: Agreement,
        observed: set[str] | None = None,
        *,
        abstract_rounds: bool = False,
        track_violators: bool = True,
        replay: Replay | None = None,
    ) -> None:
        super().__init__(
            agreement,
            observed,
            abstract_rounds=abstract_rounds,
            track_violators=track_violators,
            replay=replay,
        )
        self.options = Options(self)
        #: Open-ended phases that an agreement ends: (phase, negotiation) indices.
        self.closing = [
            (self.phidx[q], self.nidx[n])
            for q, n in ended_by_agreement(agreement).items()
            if n in self.nidx
        ]

    # ------------------------------------------------------------------ the protocol

    def initial_states(self) -> list[State]:
        return [self.initial]

    def arrive(self, s: State) -> tuple[State, tuple[StepEvent, ...]]:
        """Steps 1 and 2: the state as the next time point arrives, before anyone chooses."""
        st = list(s)
        evs: list[StepEvent] = []
        self._advance(st, evs)
        return tuple(st), tuple(evs)

    def choices(self, arrived: State, *, forbid: int = 0, powers: bool = True) -> list[Choice]:
        """Step 3: the independent decisions open at the point ``arrived`` is at.

        ``forbid``: parties that never violate (their violating options are left out);
        ``powers=False``: nobody exercises a power.
        """
        return self._components(list(arrived), forbid, powers)

    def apply(self, arrived: State, picks: Sequence[Option]) -> tuple[tuple[StepEvent, ...], State]:
        """Steps 3 to 5 with one option picked per choice: the events and the next state.

        Unlike :meth:`steps`, a pick that releases more than is held is not refused (a
        replayed log may say so; :meth:`overdrawn` tells).
        """
        t = list(arrived)
        evs: list[StepEvent] = []
        post: list[Effect] = []
        for opt in picks:
            opt.apply(t, evs, post)
        for fn in post:
            fn(t, evs)
        self._settle(t, evs)
        return tuple(evs), tuple(t)

    def successors(self, s: State, *, forbid: int = 0, powers: bool = True) -> list[State]:
        """Every next state (duplicates removed). ``forbid``: parties that must not violate.

        The same states, in the same order (of first occurrence), as :meth:`steps`; but
        the choices are applied one at a time and the partial states are deduplicated
        after each, so combinations that agree so far are carried once. A partial state
        is the vector so far and the power effects still to apply; what the remaining
        options, the effects and :meth:`_settle` do is a function of that pair, so
        merging equal pairs loses no successor.
        """
        st = list(s)
        junk: list[StepEvent] = []
        self._advance(st, junk)
        comps = self._components(st, forbid, powers)
        layer: dict[tuple[State, tuple[Effect, ...]], None] = {(tuple(st), ()): None}
        for comp in comps:
            nxt: dict[tuple[State, tuple[Effect, ...]], None] = {}
            # letting a chance pass changes nothing: the pair is carried as it is
            applies = [None if o is NOTHING else o.apply for o in comp.options]
            for key in layer:
                t0, posts = key
                for apply in applies:
                    if apply is None:
                        nxt[key] = None
                        continue
                    t = list(t0)
                    post: list[Effect] = []
                    apply(t, junk, post)
                    nxt[(tuple(t), posts + tuple(post) if post else posts)] = None
            junk.clear()
            layer = nxt
        out: dict[State, None] = {}
        settle, overdrawn, count = self._settle, self.overdrawn, self.count_stocks
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
    ) -> Iterator[tuple[tuple[StepEvent, ...], State]]:
        """Every next state with the events of the step that leads there."""
        st = list(s)
        pre: list[StepEvent] = []
        self._advance(st, pre)
        comps = self._components(st, forbid, powers)
        base = tuple(st)
        for combo in product(*(c.options for c in comps)) if comps else [()]:
            t = list(base)
            evs: list[StepEvent] = list(pre) if events else []
            post: list[Effect] = []
            for opt in combo:
                opt.apply(t, evs, post)
            for fn in post:
                fn(t, evs)
            self._settle(t, evs)
            if self.count_stocks and self.overdrawn(t):
                continue  # releases of one step are limited together by what is held
            yield tuple(evs), tuple(t)

    def point(self, arrived: State) -> Point | None:
        """What falls due at the time point ``arrived`` is at (None: a "later" point, or no
        live phase, or the agreement terminated)."""
        cur, clk = arrived[1], arrived[2]
        if (
            arrived[0] == TERMINATED
            or not 1 <= clk <= len(self.pts[cur])
            or arrived[self.o_ph + cur] not in LIVE
        ):
            return None
        return self.pts[cur][clk - 1]

    def duties_due(self, arrived: State | list[int]) -> list[Duty]:
        """The duties that fall due at the time point ``arrived`` is at: the point's, and
        while its phase continues past its planned end, its continuing recurring duties
        (at the repeating "later" point too)."""
        cur, clk = arrived[1], arrived[2]
        status = arrived[self.o_ph + cur]
        if arrived[0] == TERMINATED or status not in LIVE:
            return []
        pts = self.pts[cur]
        if 1 <= clk <= len(pts):
            pt = pts[clk - 1]
            if status == CONTINUING and pt.continuing:
                return pt.duties + pt.continuing
            return pt.duties
        return self.later[cur] if status == CONTINUING else []

    def overdrawn(self, t: Sequence[int]) -> bool:
        """Whether some stock has had more released than its holder held."""
        o = self.o_st
        return any(c is not None and t[o + i] > c for i, c in enumerate(self.counts))

    def unanchored(self, s: State | list[int], duty: Duty) -> bool:
        """Whether a duty counted from a clause's fulfilment is not due, because that
        clause was not fulfilled (docs/semantics.md, "Time as texts write it")."""
        return duty.anchor >= 0 and not s[self.o_fl + duty.anchor] & FLAG_FULFILLED

    # ------------------------------------------------------------------ steps 1 and 2

    def _rule_days(self, st: list[int], q: int) -> int:
        """Days phase ``q`` gained through extension rules (not extend_phase powers)."""
        days = st[self.o_ex + q]
        for k, w in enumerate(self.powers):
            if w.action == PowerAction.extend_phase and w.target == q and st[self.o_pw + k] & 1:
                days -= w.days * (max(1, st[self.o_pw + k] >> 2) if w.amendment else 1)
        return days

    def _advance(self, st: list[int], evs: list[StepEvent]) -> None:
        """Steps 1 and 2: time passes to the next point, phases expire and start."""
        if self.anchored:
            anchor_days.count_down(self, st)
        if self.replay is not None and self.triggers:
            conditions.count_down(self, st)
        cur, clk = st[1], st[2]
        pts = self.pts[cur]
        m = len(pts)
        status = st[self.o_ph + cur]
        if status in LIVE and st[0] != TERMINATED:
            st[2] = clk + 1 if clk < m else m + 1
            if self.triggers:
                st[2] = conditions.next_point(self, st, cur, st[2])
            if st[2] > m:
                evs.append(Later())
                return
            day = pts[st[2] - 1].day
            evs.append(Reached(cur, day))
            dur = self.durations[cur]
            if status == ACTIVE and dur is not None and day == dur + 1 + st[self.o_ex + cur]:
                self._expire(st, cur, evs)
                self._start_next(st, evs, expired=True)
            return
        if st[0] != TERMINATED and self._start_next(st, evs, expired=False):
            return
        st[2] = m + 1
        evs.append(Later())

    def _expire(self, st: list[int], q: int, evs: list[StepEvent]) -> None:
        rule = self.rules[q]
        if rule in ("ends", "unspecified"):
            st[self.o_ph + q] = DONE
            if rule == "unspecified":
                st[self.o_gap] = 1
            evs.append(PhaseExpired(q, rule))
            return
        n = self.cont_neg[q]
        ns = st[self.o_ng + n] if n >= 0 else AGREED
        if ns == AGREED:
            st[self.o_ph + q] = DONE
            evs.append(PhaseExpired(q, "done"))
        elif ns == FAILED:
            st[self.o_ph + q] = CUT_SHORT
            evs.append(PhaseExpired(q, "cut_short"))
        else:
            st[self.o_ph + q] = CONTINUING
            evs.append(PhaseExpired(q, "continuing"))

    def _start_next(self, st: list[int], evs: list[StepEvent], *, expired: bool) -> bool:
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
                if self.triggers:  # pending triggered duties count on in phase j
                    today = self.local_day(tuple(st))
                    day_one = None if today is None else (today if expired else today + 1)
                    conditions.carry(self, st, j, day_one)
                st[1], st[2] = j, 1
                st[self.o_ph + j] = ACTIVE
                st[self.o_gap] = 0
                for k, n_ in enumerate(self.negotiations):
                    if (
                        n_.starts_by is None
                        and n_.home == j
                        and st[self.o_ng + k] == NOT_STARTED
                        and k not in self.openers
                    ):
                        st[self.o_ng + k] = OPEN
                if not expired:
                    evs.append(Reached(j, 1))
                evs.append(PhaseStarted(j))
                started = True
        if expired and not started and self.rules[cur] == "ends" and st[0] == IN_FORCE:
            st[self.o_gap] = 1
        return started

    # ------------------------------------------------------------------ step 3

    def _components(self, st: list[int], forbid: int, allow_powers: bool) -> list[Choice]:
        """Step 3: the independent choices at this point, each with its options."""
        comps: list[Choice] = []
        if st[0] == TERMINATED:
            comps.extend(self._hostility_components(st, forbid))
            return comps
        opts = self.options
        replay = self.replay
        cur, clk = st[1], st[2]
        point = (
            self.pts[cur][clk - 1]
            if 1 <= clk <= len(self.pts[cur]) and st[self.o_ph + cur] in LIVE
            else None
        )
        folded: dict[int, list[StepEvent]] = {}
        duties = self.duties_due(st)
        sus = self.suspended(tuple(st)) if duties or point is not None or self.anchored else []
        for duty in duties:
            if duty.clause in sus or self.unanchored(st, duty):
                continue
            if duty.guard and not amendments.in_effect(self, st, duty.guard, duty.tracked):
                continue  # a term an amendment replaced, or one not (yet) agreed
            if duty.guard < 0 and amendments.clause_open(self, st, -duty.guard - 1):
                comps.append(self._voidable(self._duty_choice(st, duty, forbid), -duty.guard - 1))
                continue
            if duty.tracked < 0 and duty.stock < 0 and duty.grants < 0:
                folded.setdefault(duty.debtor, []).append(
                    Violated(duty.debtor, duty.clause, duty.first_day, duty.last_day)
                )
                continue
            comps.append(self._duty_choice(st, duty, forbid))
        if self.anchored:  # a replay: anchored duties due from their anchor's actual day
            for duty in anchor_days.due_today(self, st):
                if duty.clause not in sus:
                    comps.append(self._duty_choice(st, duty, forbid))
            for j in anchor_days.unmet(self, st):
                comps.append(Choice("anchor", j, (NOTHING, opts.anchor_met(j))))
        if point is not None:
            for k in point.sides:
                if self.sides[k].clause in sus:
                    continue
                if self.sides[k].guard and not amendments.in_effect(self, st, self.sides[k].guard):
                    continue
                comps.append(self._side_choice(st, k, forbid))
            for k in point.starts_by:
                if st[self.o_ng + k] == NOT_STARTED:
                    comps.append(self._opening_choice(k, forbid))
        if self.triggers:
            sus = self.suspended(tuple(st))
            for k in conditions.due(self, st, point.day if point is not None else None):
                if self.trigger_duties[k].clause not in sus:
                    base = self._duty_choice(st, self.trigger_duties[k], forbid)
                    comps.append(conditions.choice(self, k, base))
        if self.anchor_acts:  # acts some deadline is counted from (semantics/acts.py)
            comps.extend(acts.choices(self, st))
        if replay is not None:
            for k in range(len(self.sides)):
                if st[self.o_rs + k] in (NOT_RECORDED, VIOLATED):
                    comps.append(Choice("late", k, (NOTHING, opts.released_late(k))))
        for k, n in enumerate(self.negotiations):
            ns = st[self.o_ng + k]
            if ns == OPEN:
                comps.append(Choice("talks", k, (opts.stall(k), opts.agree(k))))
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
                    comps.append(self._opening_choice(k, forbid))
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
                        comps.append(
                            Choice("act", party, (NOTHING, opts.commit(party, act, cl)), act=act)
                        )
                else:
                    folded.setdefault(party, []).append(Committed(party, act, cl))
        for party, told in folded.items():
            group = tuple(told)
            if forbid >> party & 1 or not self.track_violators:
                # Without a record of violators, violating these leads where complying does.
                comps.append(Choice("folded", party, (opts.comply_all(party, group),)))
            else:
                comps.append(
                    Choice(
                        "folded",
                        party,
                        (opts.comply_all(party, group), opts.violate_some(party, group)),
                    )
                )
        if allow_powers:
            for k in self.available_powers(tuple(st)):
                comps.append(Choice("power", k, (NOTHING, opts.exercise(k))))
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
                    comps.append(Choice("extension", k, (NOTHING, opts.extend(k))))
        comps.extend(self._hostility_components(st, forbid))
        return comps

    def _hostility_components(self, st: list[int], forbid: int) -> list[Choice]:
        comps: list[Choice] = []
        for party in self.fighters:
            if st[self.o_h] and not self._attacks_matter(party):
                continue  # fighting is on; with self-defence, each further attack counts
            cl = self.forbidding(tuple(st), party, "hostilities")
            if cl and forbid >> party & 1:
                continue
            comps.append(Choice("hostilities", party, (NOTHING, self.options.fight(party, cl))))
        return comps

    def _duty_choice(self, st: list[int], duty: Duty, forbid: int) -> Choice:
        held = self.held(tuple(st), duty.stock) if duty.stock >= 0 else None
        opts = duty_options(
            self.options,
            duty,
            can=held is None or held >= duty.quantity,
            # a protected party never violates, even when cornered
            may_violate=not forbid >> duty.debtor & 1,
            replay=self.replay,
        )
        return Choice("duty", duty.debtor, opts, duty=duty)

    def _voidable(self, c: Choice, k: int) -> Choice:
        """A text's duty falling due on the day amendment ``k`` may still change it: its
        violation is void if the parties make the amendment in this step."""
        return c._replace(
            options=tuple(
                o if isinstance(o.act, Fulfilled) else self.options.voidable(k, o)
                for o in c.options
            )
        )

    def _side_choice(self, st: list[int], k: int, forbid: int) -> Choice:
        side = self.sides[k]
        opts: list[Option] = []
        ok = not self.count_stocks or all(
            stock < 0 or (h := self.held(tuple(st), stock)) is None or h >= q
            for stock, _, q in side.items
        )
        if ok:
            opts.append(self.options.release(k))
        if not forbid >> side.debtor & 1:
            opts.append(self.options.withhold(k))
        if self.replay is not None and not self.replay.absence_is_violation:
            opts.append(self.options.side_not_recorded(k))
        return Choice("side", k, tuple(opts))

    def _opening_choice(self, k: int, forbid: int) -> Choice:
        n = self.negotiations[k]
        opts: list[Option] = []
        for refusing in product((False, True), repeat=len(n.between)):
            mask = 0
            for who, r in zip(n.between, refusing, strict=True):
                if r:
                    mask |= 1 << who
            if mask & forbid:
                continue
            opts.append(self.options.opening(k, mask))
        if self.replay is not None and not self.replay.absence_is_violation:
            opts.append(self.options.opening_not_recorded(k))
        return Choice("opening", k, tuple(opts))

    def _attacks_matter(self, party: int) -> bool:
        """Whether a self-defence power answers ``party``'s attacks (then its fire is a
        choice at every point, even once hostilities are on)."""
        return any(self.powers[k].against >> party & 1 for k in self.self_defences)

    # ------------------------------------------------------------------ steps 4 and 5

    def _settle(self, t: list[int], evs: list[StepEvent]) -> None:
        """Step 4's consequences and step 5: phases kept going by talks, completion."""
        for q, n in enumerate(self.cont_neg):
            if n >= 0 and t[self.o_ph + q] == CONTINUING:
                ns = t[self.o_ng + n]
                if ns == AGREED:
                    t[self.o_ph + q] = DONE
                    evs.append(PhaseOver(q, "done"))
                elif ns == FAILED:
                    t[self.o_ph + q] = CUT_SHORT
                    evs.append(PhaseOver(q, "cut_short"))
        for q, n in self.closing:
            if t[self.o_ph + q] == ACTIVE and t[self.o_ng + n] == AGREED and t[0] != TERMINATED:
                t[self.o_ph + q] = DONE
                evs.append(PhaseOver(q, "done"))
        if t[0] == IN_FORCE:
            last = len(self.phases) - 1
            ls = t[self.o_ph + last]
            if (ls == DONE or (ls == ACTIVE and self.durations[last] is None)) and (
                (not self.sides or (t[self.o_rs] == 0 and self.sides_passed(t)))
                if self.abstract
                else all(
                    t[self.o_rs + i] == FULFILLED
                    or (side.guard and not amendments.in_effect(self, t, side.guard))
                    for i, side in enumerate(self.sides)
                )
            ):
                t[0] = COMPLETED
                t[self.o_gap] = 0
                evs.append(Completed())
        if self.triggers or self.openers:
            conditions.create(self, t, evs)
