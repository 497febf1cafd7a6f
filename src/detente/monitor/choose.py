"""Each day of a replay, the option of every choice that the log records.

The transition system offers the choices (:meth:`detente.semantics.System.choices`);
this module only reads the log to pick among them. A duty falling due is fulfilled when
the log delivered it in full by then, violated when a logged ``breach`` says so, and
otherwise *not recorded*. A power is exercised when its holder's ``exercise`` is logged
that day; an exercise the system does not offer that day is unlawful, with the reason
the system gives. An act is judged against the state at that day's time point.
"""

from __future__ import annotations

from detente.language.model import PowerAction
from detente.monitor.log import Breach, Log
from detente.monitor.path import Path, instance_number
from detente.semantics import Choice, Option, System, amendments, self_defence
from detente.semantics.choices import NOTHING
from detente.semantics.events import (
    Committed,
    Exercised,
    HostilitiesResumed,
    NotRecorded,
    OpeningNotRecorded,
    SideNotRecorded,
)
from detente.semantics.roles import answering
from detente.semantics.tables import (
    ACTIVE,
    AGREED,
    FAILED,
    PENDING,
    State,
)


class Chooser:
    """Picks, for one replay, the options its log records."""

    def __init__(self, system: System, log: Log, path: Path) -> None:
        self.m = system
        self.log = log
        self.path = path
        self.used: set[int] = set()  # ids of breaches already matched
        self.extension_credit: dict[tuple[str, str], int] = {}
        #: A non-signatory's acts are the acts of the party that answers for it.
        self.answering = answering(system.agreement)

    # ------------------------------------------------------------------ a day

    def picks(self, day: int, arrived: State, choices: list[Choice]) -> list[Option]:
        """One option per choice, and the day's logged powers and acts judged."""
        picked = [self._pick(day, arrived, c) for c in choices]
        self._judge_powers(day, arrived, picked)
        self._judge_acts(day, arrived, picked)
        return picked

    def _pick(self, day: int, arrived: State, c: Choice) -> Option:
        m, opts = self.m, self.m.options
        if c.kind == "duty":
            duty = c.duty
            assert duty is not None
            keys = duty.keys
            if self._complete(keys, day):
                return _offered(c, opts.fulfil(duty))
            number = instance_number(self.path.by_key[keys[0]]) if keys else None
            if self._breach(m.parties[duty.debtor], duty.clause, number, keys):
                return _offered(c, opts.violate(duty))
            if duty.effort and self._efforts(m.parties[duty.debtor], duty.clause, keys, day):
                return _offered(c, opts.endeavour(duty))
            return _absent(c, NotRecorded, opts.violate(duty))
        if c.kind == "side":
            keys = self.path.side_keys[c.subject]
            if self._complete(keys, day):
                return _offered(c, opts.release(c.subject))
            side = m.sides[c.subject]
            if self._breach(m.parties[side.debtor], side.clause, side.round + 1, keys):
                return _offered(c, opts.withhold(c.subject))
            return _absent(c, SideNotRecorded, opts.withhold(c.subject))
        if c.kind == "late":
            keys = self.path.side_keys[c.subject]
            if self._complete(keys, day) and max(self.path.completed[k] for k in keys) == day:
                return opts.released_late(c.subject)
            return NOTHING
        if c.kind == "anchor":  # the anchor clause complete today, as the log shows it
            keys = self.path.anchor_keys[c.subject]
            if self._complete(keys, day) and max(self.path.completed[k] for k in keys) == day:
                return opts.anchor_met(c.subject)
            return NOTHING
        if c.kind == "anchor_act":  # an act some deadline counts from, logged today
            party, action = m.anchor_acts[c.subject]
            if any(d == day for d, _ in self.log.anchor_acts.get((party, action), ())):
                return c.options[-1]
            return NOTHING
        if c.kind == "opening":
            return self._opening(day, c)
        if c.kind == "talks":
            agreed = self._agreed_on(c.subject)
            return (
                opts.agree(c.subject)
                if agreed is not None and agreed <= day
                else opts.stall(c.subject)
            )
        if c.kind == "power":
            w = m.powers[c.subject]
            holder = m.parties[w.holder]
            for e in self.log.exercises.get(day, ()):
                if e.clause == w.clause and _by_holder(m, c.subject, e.actor, holder):
                    return opts.exercise(c.subject)
            return NOTHING
        if c.kind in ("act", "hostilities"):
            party = m.parties[c.subject]
            act = c.act or "hostilities"
            answering = self.answering
            if any(
                answering.get(e.actor, e.actor) == party and e.action == act
                for e in self.log.acts.get(day, ())
            ):
                return c.options[-1]
            return NOTHING
        if c.kind == "extension":
            return opts.extend(c.subject) if self._extends(day, c.subject) else NOTHING
        # "folded": a replay tracks every clause, so nothing is folded; comply by default
        return c.options[0]

    def _opening(self, day: int, c: Choice) -> Option:
        m, opts = self.m, self.m.options
        n = m.negotiations[c.subject]
        keys = self.path.start_keys[c.subject]
        # At the start-by day a breach logged later still says the talks were refused then;
        # at each later point, only a breach of that day is a new refusal.
        due = any(
            (i := self.path.by_key.get(k)) is not None and self.path.due(i) == day for k in keys
        )
        refusing = 0
        for p, key in zip(n.between, keys, strict=True):
            if self._breach(m.parties[p], n.clause, None, (key,), until=None if due else day):
                refusing |= 1 << p
        if refusing:
            return _offered(c, opts.opening(c.subject, refusing))
        started = [self._complete((k,), day) for k in keys]
        agreed = self._agreed_on(c.subject)
        if all(started) or (agreed is not None and agreed <= day):
            return _offered(c, opts.opening(c.subject, 0))
        missing = 0
        for p, done in zip(n.between, started, strict=True):
            if not done:
                missing |= 1 << p
        return _absent(c, OpeningNotRecorded, opts.opening(c.subject, missing))

    # ------------------------------------------------------------------ reading the log

    def _complete(self, keys: tuple[str, ...], day: int) -> bool:
        done = self.path.completed
        return bool(keys) and all(k in done and done[k] <= day for k in keys)

    def _efforts(self, actor: str, clause: str, keys: tuple[str, ...], day: int) -> bool:
        """Whether the log shows ``actor``'s efforts towards a duty of means of ``clause``
        from its window's opening to ``day``."""
        opens = min(
            (o for k in keys if (i := self.path.by_key.get(k)) and (o := self.path.opens(i))),
            default=1,
        )
        return any(opens <= d <= day for d in self.log.efforts.get((actor, clause), ()))

    def _agreed_on(self, k: int) -> int | None:
        m = self.m
        n = m.negotiations[k]
        between = tuple(m.parties[p] for p in n.between)
        return self.log.agreed_on(n.clause, between, len(m.negotiations) == 1)

    def _breach(
        self,
        actor: str,
        clause: str,
        number: int | None,
        keys: tuple[str, ...],
        *,
        until: int | None = None,
    ) -> bool:
        """Whether a logged breach of ``clause`` by ``actor`` is for this duty: one naming its
        round, or else the earliest unmatched one dated from its window's opening on (and,
        with ``until``, no later than that day)."""
        opens = min(
            (o for k in keys if (i := self.path.by_key.get(k)) and (o := self.path.opens(i))),
            default=1,
        )
        found: Breach | None = None
        for b in self.log.breaches:
            if id(b) in self.used or b.actor != actor or b.clause != clause:
                continue
            if until is not None and b.day > until:
                continue
            if b.round is not None:
                if b.round == number:
                    found = b
                    break
                continue
            if b.day >= opens and (found is None or b.day < found.day):
                found = b
        if found is None:
            return False
        self.used.add(id(found))
        self.path.breached.update(keys)
        return True

    def _extends(self, day: int, k: int) -> bool:
        """Whether the log shows an extension rule's further units released: on the phase's
        last day, or on the day that releasing them earns (the extension day itself)."""
        m = self.m
        e = m.extensions[k]
        if e.stock < 0:
            return False
        party, category = m.parties[e.releasing], m.stocks[e.stock]
        key = (party, category)
        spare = self.path.surplus_on.get(day, {}).get(key, 0)
        # releases under the rule itself, or under the exchange whose schedule it extends
        related = {e.clause} | {
            c.id
            for c in m.agreement.clauses
            if (x := c.exchange) is not None
            and m.phidx[x.phase] == e.phase
            and x.releasing == party
        }
        tomorrow = sum(
            q
            for (actor, action, cat, clause, rnd), (q, _) in self.log.deliveries.get(
                day + 1, {}
            ).items()
            if actor == party
            and action == "release"
            and cat == category
            and rnd is None
            and (clause is None or clause in related)
        )
        due = sum(
            i.quantity or 0
            for i in self.path.instances
            if i.debtor == party
            and i.action == "release"
            and i.category == category
            and self.path.due(i) == day + 1
        )
        credit = self.extension_credit.get(key, 0)
        if spare + max(0, tomorrow - due) - credit < e.units:
            return False
        self.extension_credit[key] = credit + e.units - min(spare, e.units)
        self.path.extension_releases[key] = self.path.extension_releases.get(key, 0) + e.units
        return True

    # ------------------------------------------------------------------ powers and acts

    def _judge_powers(self, day: int, arrived: State, picked: list[Option]) -> None:
        m = self.m
        exercised = {o.act.power for o in picked if isinstance(o.act, Exercised)}
        power_of = {w.clause: k for k, w in enumerate(m.powers)}
        for e in self.log.exercises.get(day, ()):
            k = power_of.get(e.clause or "")
            if k is None:
                continue  # an unvalidated list may name no power: nothing to replay
            w = m.powers[k]
            if k in exercised and _by_holder(m, k, e.actor, m.parties[w.holder]):
                if w.action == PowerAction.self_defence:
                    # each exercise judged on its own: it must answer an attack
                    if self_defence.founded(m, arrived, picked, k):
                        self.path.log_power(day, e, True, "it answers an attack by the other side")
                    else:
                        self.path.log_power(
                            day,
                            e,
                            False,
                            "no attack by the other side preceded it since its "
                            "last exercise: a violation of the ceasefire",
                        )
                    continue
                exercised.discard(k)
                self.path.log_power(day, e, True, "in effect for its holder")
            else:
                self.path.log_power(day, e, False, why_not(m, arrived, k, e.actor))

    def _judge_acts(self, day: int, arrived: State, picked: list[Option]) -> None:
        m = self.m
        chosen: dict[tuple[int, str], tuple[str, ...]] = {}
        for o in picked:
            if isinstance(o.act, HostilitiesResumed):
                chosen[(o.act.party, "hostilities")] = o.act.clauses
            elif isinstance(o.act, Committed):
                chosen[(o.act.party, o.act.act)] = o.act.clauses
        for e in self.log.acts.get(day, ()):
            p = m.pidx.get(self.answering.get(e.actor, e.actor))
            if p is None:
                continue
            if (p, e.action) in chosen:
                clauses: tuple[str, ...] = chosen[(p, e.action)]
            elif (
                e.action == "hostilities"
                and m.hostilities(arrived)
                and _lawfully_fighting(m, arrived, p)
            ):
                clauses = ()
            else:
                clauses = m.forbidding(arrived, p, e.action)
            self.path.log_act(day, e, list(clauses))


def _by_holder(m: System, k: int, actor: str, holder: str) -> bool:
    """Whether ``actor``'s logged act is power ``k``'s exercise: its holder's, or, for an
    agreed extension, any of its parties' or a mediator's record of their joint act."""
    if m.powers[k].amendment:
        return amendments.recorded_by(m, k, actor)
    return actor == holder


def _lawfully_fighting(m: System, s: State, party: int) -> bool:
    """Whether ``party`` resumed hostilities lawfully (no norm forbade it, or its own power)."""
    if m.lawful_fighters(s) >> party & 1:
        return True
    w = m.resumed_by_power(s)
    return w is not None and w.holder == party


def _offered(c: Choice, option: Option) -> Option:
    """``option`` as the choice offers it (an option the system did not offer, e.g. a
    release beyond a stock's declared count, is still what the log records)."""
    for o in c.options:
        if o.act == option.act:
            return o
    return option


def _absent(c: Choice, not_recorded: type, violated: Option) -> Option:
    """Nothing logged: *not recorded*, or, when absence is read as violation, violated."""
    for o in c.options:
        if isinstance(o.act, not_recorded):
            return o
    return violated


def why_not(m: System, s: State, k: int, actor: str) -> str:
    """Why power ``k`` was not the system's to offer ``actor`` on the day of state ``s``."""
    w = m.powers[k]
    holder = m.parties[w.holder]
    if w.amendment:
        if not amendments.recorded_by(m, k, actor):
            return f"{actor} is not a party to this amendment"
        if amendments.made(m, s, k) >= w.times:
            return "already made" if w.times == 1 else f"already made {w.times} times"
        if k in m.clause_amendments:
            return (
                f"not open that day: the terms of clause {m.clause_amendments[k].amends} it "
                "changes had already fallen due or been fulfilled"
            )
        return (
            "not open that day: the phase was not the latest started, or its new expiry "
            "would already have passed"
        )
    if holder != actor:
        return f"the power is {holder}'s, not {actor}'s"
    if m.exercised(s, k) and w.action != PowerAction.self_defence:
        return "already exercised"
    if not m.in_force(s):
        return "the agreement was no longer in force"
    if w.action in (PowerAction.declare_failed, PowerAction.arbitrate) and w.target >= 0:
        ns = m.negotiation_status(s, w.target)
        if ns in (AGREED, FAILED):
            how = "agreed" if ns == AGREED else "been declared failed"
            return f"the talks of clause {m.negotiations[w.target].clause} had already {how}"
    if w.action == PowerAction.resume_hostilities and m.hostilities(s):
        return "hostilities had already resumed"
    if (
        w.action == PowerAction.extend_phase
        and w.target >= 0
        and m.phase_status(s, w.target) not in (PENDING, ACTIVE)
    ):
        return f"{m.agreement.phases[w.target].name} had already run out"
    if w.grantable and not m.granted(s, k):
        return "only a violation of the obligation that grants it puts it in effect, and none was"
    return "not in effect on that day (its phase, day or condition)"


__all__ = ["Chooser", "why_not"]
