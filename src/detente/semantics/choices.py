"""Step 3 of ``docs/semantics.md``: the choices open at a time point, and what each option does.

A :class:`Choice` is one independent decision at a point (a duty falling due, a round
side, talks to open, an open negotiation, a power in effect, a party that may fight…);
each of its :class:`Option` values carries the *act* it stands for (a typed step event,
or None for letting the chance pass) and how it changes the state. Options do not depend
on the state they are applied to, so each is built once per compiled agreement
(:class:`Options`) and shared by every state: the explorer applies them, stories name
them, and a replay picks the one its log records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from detente.language.model import PowerAction
from detente.semantics import amendments, anchor_days, self_defence
from detente.semantics.events import (
    Agreed,
    Committed,
    Endeavoured,
    Exercised,
    Extended,
    Fulfilled,
    HostilitiesResumed,
    NotRecorded,
    OpeningNotRecorded,
    PerhapsFulfilled,
    RefusedToOpen,
    Released,
    ReleasedLate,
    SideNotRecorded,
    Stalled,
    StepEvent,
    TalksOpened,
    Terminated,
    Violated,
    Withheld,
)
from detente.semantics.tables import (
    ACTIVE,
    AGREED,
    CREATED,
    DISCHARGED,
    FAILED,
    FLAG_FULFILLED,
    FLAG_VIOLATED,
    FULFILLED,
    NOT_RECORDED,
    OPEN,
    PENDING,
    TERMINATED,
    VIOLATED,
    Duty,
    Tables,
)

Effect = Callable[[list[int], list[StepEvent]], None]
"""A consequence applied after every choice of the step (step 4): a power's effect."""
Apply = Callable[[list[int], list[StepEvent], list[Effect]], None]
"""How an option changes the state vector, which step events it adds, and which effects
it leaves for step 4."""

ChoiceKind = Literal[
    "duty",  # an obligation falls due: fulfil / violate (/ not recorded)
    "folded",  # a party's unobserved duties and acts: comply with all / violate some
    "side",  # a round side falls due: release / withhold (/ not recorded)
    "late",  # replay: an overdue side may be completed late
    "anchor",  # replay: the anchor clause of an anchored duty is complete today
    "anchor_act",  # a party may do an act some deadline is counted from (semantics/acts.py)
    "opening",  # talks due to start: open, or some parties refuse (/ not recorded)
    "talks",  # open talks: stall / agree
    "act",  # a party may commit an act a prohibition forbids
    "power",  # a power in effect: exercise or not
    "extension",  # an extension rule may lengthen the phase
    "hostilities",  # a party may resume hostilities
]


class Option(NamedTuple):
    """One way to settle a :class:`Choice`: the act it stands for (None: the chance passes).

    A named tuple, as :class:`Choice`: the explorer builds hundreds of thousands of them.
    """

    act: StepEvent | None
    apply: Apply


class Choice(NamedTuple):
    """One decision at a time point and its options, in a fixed order.

    ``subject`` is the index of what the choice is about in the tables (a side,
    negotiation, power, extension rule or party); ``duty`` is set for a ``duty`` choice,
    ``act`` for an ``act`` choice.
    """

    kind: ChoiceKind
    subject: int
    options: tuple[Option, ...]
    duty: Duty | None = None
    act: str = ""


def _nothing(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
    return None


#: The option of letting a chance pass (no power exercised, no act committed).
NOTHING = Option(None, _nothing)


@dataclass
class Options:
    """Every option of one compiled agreement, built on first use and kept."""

    m: Tables
    _cache: dict[tuple[object, ...], Option] = field(default_factory=dict)

    def _get(self, key: tuple[object, ...], build: Callable[[], Option]) -> Option:
        opt = self._cache.get(key)
        if opt is None:
            opt = self._cache[key] = build()
        return opt

    # ------------------------------------------------------------ state helpers

    def _violate(self, t: list[int], party: int) -> None:
        if self.m.track_violators:
            t[self.m.o_v] |= 1 << party

    def _flag(self, t: list[int], clause: str, bit: int) -> None:
        i = self.m.tidx.get(clause, -1)
        if i >= 0:
            t[self.m.o_fl + i] |= bit

    # ------------------------------------------------------------ talks

    def stall(self, k: int) -> Option:
        def build() -> Option:
            ev = Stalled(k)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("stall", k), build)

    def agree(self, k: int) -> Option:
        def build() -> Option:
            ev, slot = Agreed(k), self.m.o_ng + k

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[slot] = AGREED
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("agree", k), build)

    def opening(self, k: int, refusing: int) -> Option:
        def build() -> Option:
            m = self.m
            clause = m.negotiations[k].clause
            if refusing:
                ev: StepEvent = RefusedToOpen(k, refusing)

                def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                    if m.track_violators:
                        t[m.o_v] |= refusing
                    self._flag(t, clause, FLAG_VIOLATED)
                    evs.append(ev)

                return Option(ev, apply)
            ev = TalksOpened(k)

            def open_(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[m.o_ng + k] = OPEN
                evs.append(ev)

            return Option(ev, open_)

        return self._get(("opening", k, refusing), build)

    def opening_not_recorded(self, k: int) -> Option:
        return self._record_only(("opening?", k), OpeningNotRecorded(k))

    def _record_only(self, key: tuple[object, ...], ev: StepEvent) -> Option:
        def build() -> Option:
            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                evs.append(ev)

            return Option(ev, apply)

        return self._get(key, build)

    # ------------------------------------------------------------ duties

    def fulfil(self, duty: Duty) -> Option:
        def build() -> Option:
            ev = Fulfilled(duty.debtor, duty.clause, duty.first_day, duty.last_day)
            stock = self.m.o_st + duty.stock if duty.stock >= 0 else -1

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                self._flag(t, duty.clause, FLAG_FULFILLED)
                if stock >= 0:
                    t[stock] += duty.quantity
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("fulfil", id(duty)), build)

    def violate(self, duty: Duty) -> Option:
        def build() -> Option:
            m = self.m
            ev = Violated(duty.debtor, duty.clause, duty.first_day, duty.last_day)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                self._flag(t, duty.clause, FLAG_VIOLATED)
                self._violate(t, duty.debtor)
                if duty.grants >= 0:
                    t[m.o_pw + duty.grants] |= 2
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("violate", id(duty)), build)

    def endeavour(self, duty: Duty) -> Option:
        """A duty of means not achieved while its debtor makes efforts: no violation."""
        ev = Endeavoured(duty.debtor, duty.clause, duty.first_day, duty.last_day)
        return self._record_only(("effort", id(duty)), ev)

    def duty_not_recorded(self, duty: Duty) -> Option:
        ev = NotRecorded(duty.debtor, duty.clause, duty.first_day, duty.last_day)
        return self._record_only(("duty?", id(duty)), ev)

    def comply_all(self, party: int, folded: tuple[StepEvent, ...]) -> Option:
        """A party's folded duties and acts: it carries out every duty, commits no act."""

        def build() -> Option:
            done = tuple(
                Fulfilled(e.debtor, e.clause, e.first, e.last)
                for e in folded
                if isinstance(e, Violated)
            )

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                evs.extend(done)

            return Option(done[0] if done else None, apply)

        return self._get(("comply", party, folded), build)

    def violate_some(self, party: int, folded: tuple[StepEvent, ...]) -> Option:
        """A party's folded duties and acts: it violates at least one (told as the first)."""

        def build() -> Option:
            told = (
                folded[0],
                *(
                    PerhapsFulfilled(e.debtor, e.clause, e.first, e.last)
                    for e in folded[1:]
                    if isinstance(e, Violated)
                ),
            )

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                self._violate(t, party)
                evs.extend(told)

            return Option(folded[0], apply)

        return self._get(("some", party, folded), build)

    def voidable(self, k: int, option: Option) -> Option:
        """``option`` (a violation, efforts, or *not recorded*) of a text's duty that
        amendment ``k`` may still change in this step: applied after the step's choices,
        and void if the parties made the amendment in the same step (amendments.py)."""

        def build() -> Option:
            slot, inner = self.m.o_pw + k, option.apply

            def later(t: list[int], evs: list[StepEvent]) -> None:
                if not t[slot] & 1:
                    inner(t, evs, [])

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                post.append(later)

            return option._replace(apply=apply)

        return self._get(("voidable", k, id(option)), build)

    # ------------------------------------------------------------ acts

    def commit(self, party: int, act: str, clauses: tuple[str, ...]) -> Option:
        def build() -> Option:
            ev = Committed(party, act, clauses)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                self._violate(t, party)
                for c in clauses:
                    self._flag(t, c, FLAG_VIOLATED)
                if self.m.self_defences:
                    self_defence.mark_attack(self.m, t, party)
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("commit", party, act, clauses), build)

    def fight(self, party: int, clauses: tuple[str, ...]) -> Option:
        def build() -> Option:
            m = self.m
            ev = HostilitiesResumed(party, clauses)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[m.o_h] = 1
                if clauses:
                    self._violate(t, party)
                    for c in clauses:
                        self._flag(t, c, FLAG_VIOLATED)
                    if m.self_defences:
                        self_defence.mark_attack(m, t, party)
                else:
                    t[m.o_h + 1] |= 1 << party
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("fight", party, clauses), build)

    # ------------------------------------------------------------ rounds

    def release(self, k: int) -> Option:
        def build() -> Option:
            m = self.m
            ev = Released(k)
            items = [(m.o_st + stock, q) for stock, _, q in m.sides[k].items if stock >= 0]
            slot = m.o_rs + k

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                if not m.abstract:
                    t[slot] = FULFILLED
                if m.count_stocks:
                    for i, q in items:
                        t[i] += q
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("release", k), build)

    def withhold(self, k: int) -> Option:
        def build() -> Option:
            m = self.m
            ev, debtor = Withheld(k), m.sides[k].debtor

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                if m.abstract:
                    if t[m.o_rs] == CREATED:
                        t[m.o_rs] = VIOLATED
                else:
                    t[m.o_rs + k] = VIOLATED
                self._violate(t, debtor)
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("withhold", k), build)

    def side_not_recorded(self, k: int) -> Option:
        def build() -> Option:
            ev, slot = SideNotRecorded(k), self.m.o_rs + k

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[slot] = NOT_RECORDED
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("side?", k), build)

    def released_late(self, k: int) -> Option:
        def build() -> Option:
            m = self.m
            ev = ReleasedLate(k)
            items = [(m.o_st + stock, q) for stock, _, q in m.sides[k].items if stock >= 0]
            slot = m.o_rs + k

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[slot] = FULFILLED
                for i, q in items:
                    t[i] += q
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("late", k), build)

    def anchor_met(self, j: int) -> Option:
        def build() -> Option:
            ev, slot, armed = anchor_days.met(self.m, j)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[slot] = armed
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("anchor", j), build)

    def extend(self, k: int) -> Option:
        def build() -> Option:
            m = self.m
            e = m.extensions[k]
            ev = Extended(k)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[m.o_ex + e.phase] += e.days
                if e.stock >= 0:
                    t[m.o_st + e.stock] += e.units
                evs.append(ev)

            return Option(ev, apply)

        return self._get(("extend", k), build)

    # ------------------------------------------------------------ powers

    def exercise(self, k: int) -> Option:
        def build() -> Option:
            m = self.m
            w = m.powers[k]
            flag = m.tidx.get(w.clause, -1)
            ev = Exercised(k)
            effect = self._effect(k)

            def apply(t: list[int], evs: list[StepEvent], post: list[Effect]) -> None:
                t[m.o_pw + k] |= 1
                if flag >= 0:
                    t[m.o_fl + flag] |= FLAG_FULFILLED
                evs.append(ev)
                post.append(effect)

            return Option(ev, apply)

        return self._get(("exercise", k), build)

    def _effect(self, k: int) -> Effect:
        """Step 4: what an exercised power does, once every choice of the step is made
        (one function per kind of power, so nothing is decided again at each call)."""
        m = self.m
        w = m.powers[k]
        rs, ng, ph, ex, h = m.o_rs, m.o_ng, m.o_ph, m.o_ex, m.o_h
        sides = range(len(m.sides))

        if w.action == PowerAction.end_agreement:
            ended = Terminated(k)

            def end(t: list[int], evs: list[StepEvent]) -> None:
                if t[0] == TERMINATED:
                    return
                t[0] = TERMINATED
                if m.abstract:
                    if m.sides and t[rs] == CREATED:
                        t[rs] = DISCHARGED
                else:
                    for i in sides:
                        if t[rs + i] == CREATED:
                            t[rs + i] = DISCHARGED
                evs.append(ended)

            return end
        if w.action == PowerAction.declare_failed:
            talks = ng + w.target

            def fail(t: list[int], evs: list[StepEvent]) -> None:
                if t[talks] != AGREED:
                    t[talks] = FAILED

            return fail
        if w.action == PowerAction.arbitrate:
            decided = ng + w.target

            def arbitrate(t: list[int], evs: list[StepEvent]) -> None:
                if t[decided] not in (AGREED, FAILED):
                    t[decided] = AGREED  # the arbiter's decision counts as the talks' agreement

            return arbitrate
        if w.action == PowerAction.suspend_clause:
            bit = 1 << w.target
            clause = m.suspendable[w.target] if w.target < len(m.suspendable) else ""
            its = [i for i, side in enumerate(m.sides) if side.clause == clause]

            def suspend(t: list[int], evs: list[StepEvent]) -> None:
                t[m.o_sus] |= bit
                if m.abstract:
                    if t[rs] == CREATED and not m.sides_passed(t, clause):
                        t[rs] = DISCHARGED
                else:
                    for i in its:
                        if t[rs + i] == CREATED:
                            t[rs + i] = DISCHARGED

            return suspend
        if w.amendment:
            return amendments.effect(m, k)
        if w.action == PowerAction.extend_phase:
            phase, more, days = ph + w.target, ex + w.target, w.days

            def extend(t: list[int], evs: list[StepEvent]) -> None:
                if t[phase] in (PENDING, ACTIVE):
                    t[more] += days

            return extend
        if w.action == PowerAction.self_defence:
            return self_defence.answer(m, k)
        # resume_hostilities
        by = k + 1

        def resume(t: list[int], evs: list[StepEvent]) -> None:
            if not t[h]:
                t[h] = 1
                t[h + 2] = by

        return resume
