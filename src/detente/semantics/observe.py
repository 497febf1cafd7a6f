"""What a state says: the observations the expression language, the templates, the stories
and the monitor read, by name (never by slot offset).

:class:`Observations` adds them to the compiled :class:`~detente.semantics.tables.Tables`;
the :class:`~detente.semantics.system.System` inherits them.
"""

from __future__ import annotations

from functools import lru_cache

from detente.language import expressions as ex
from detente.language.model import PowerAction
from detente.semantics import amendments, conditions
from detente.semantics.schedule import ceasefire_in_effect, prohibited
from detente.semantics.tables import (
    ACTIVE,
    AGREED,
    COMPLETED,
    CONTINUING,
    CUT_SHORT,
    DONE,
    FAILED,
    FULFILLED,
    IN_FORCE,
    LIVE,
    OPEN,
    PENDING,
    PHASE_STATUS,
    TERMINATED,
    VIOLATED,
    PowerInfo,
    State,
    Tables,
)


class Observations(Tables):
    """Reading a state of the compiled agreement."""

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

    def _key(self, s: State) -> tuple[tuple[int, ...], bool, int, int]:
        """What decides which prohibitions bind: the phases, whether in force, the
        suspended clauses, and the conditional prohibitions whose condition fails."""
        lifted = 0
        for i, (_, cond) in enumerate(self.guards):
            if not self.holds(cond, s):
                lifted |= 1 << i
        return (s[self.o_ph : self.o_ng], s[0] != TERMINATED, s[self.o_sus], lifted)

    def _off(self, sus: int, lifted: int) -> list[str]:
        """Clauses that do not bind: suspended, or conditional with their condition false."""
        off = [c for c, i in self.susidx.items() if sus >> i & 1]
        return off + [c for i, (c, _) in enumerate(self.guards) if lifted >> i & 1]

    def point_day(self, s: State) -> int | None:
        """The day of the time point ``s`` is at, in its phase; None at a "later" point or
        when no phase is running."""
        if s[0] == TERMINATED or s[self.o_ph + s[1]] not in LIVE:
            return None
        return self.local_day(s)

    def ceasefire(self, s: State) -> bool:
        return self._ceasefire(self._key(s))

    @lru_cache(maxsize=4096)  # noqa: B019 - one model per check; the cache dies with it
    def _ceasefire(self, key: tuple[tuple[int, ...], bool, int, int]) -> bool:
        ph, inforce, sus, lifted = key
        statuses = {p: PHASE_STATUS[ph[i]] for i, p in enumerate(self.phases)}
        off = self._off(sus, lifted)
        return ceasefire_in_effect(self.agreement, statuses, in_force=inforce, suspended=off)

    def forbidding(self, s: State, party: int, act: str) -> tuple[str, ...]:
        return self._forbidding(self._key(s), party, act)

    @lru_cache(maxsize=16384)  # noqa: B019
    def _forbidding(
        self, key: tuple[tuple[int, ...], bool, int, int], party: int, act: str
    ) -> tuple[str, ...]:
        ph, inforce, sus, lifted = key
        statuses = {p: PHASE_STATUS[ph[i]] for i, p in enumerate(self.phases)}
        off = self._off(sus, lifted)
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
            if (st & 1 and w.action != PowerAction.self_defence and not w.amendment) or (
                w.grantable and not st & 2
            ):
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
            if w.action in (PowerAction.declare_failed, PowerAction.arbitrate) and (
                w.target < 0 or s[self.o_ng + w.target] in (AGREED, FAILED)
            ):
                continue
            if w.action == PowerAction.resume_hostilities and s[self.o_h]:
                continue
            if w.amendment:
                if not amendments.open_to(self, s, k):
                    continue
            elif w.action == PowerAction.extend_phase and (
                w.target < 0 or s[self.o_ph + w.target] not in (PENDING, ACTIVE)
            ):
                continue
            out.append(k)
        return out

    # ------------------------------------------------------------------ by name

    def status(self, s: State) -> int:
        """The agreement's status: IN_FORCE, COMPLETED or TERMINATED."""
        return s[0]

    def current_phase(self, s: State) -> int:
        """The index of the phase the clock is in (the latest phase started)."""
        return s[1]

    def phase_status(self, s: State, q: int) -> int:
        return s[self.o_ph + q]

    def negotiation_status(self, s: State, k: int) -> int:
        return s[self.o_ng + k]

    def any_talks_open(self, s: State) -> bool:
        return any(s[self.o_ng + k] == OPEN for k in range(len(self.negotiations)))

    def side_status(self, s: State, side: int) -> int:
        """CREATED, FULFILLED, VIOLATED, DISCHARGED (or NOT_RECORDED in a replay); with
        rounds folded, the one slot's status stands for every side."""
        return s[self.o_rs + (0 if self.abstract else side)]

    def hostilities(self, s: State) -> bool:
        """Whether fighting has resumed."""
        return bool(s[self.o_h])

    def lawful_fighters(self, s: State) -> int:
        """Bit mask of the parties that resumed hostilities when no norm forbade it."""
        return s[self.o_h + 1]

    def resumed_by_power(self, s: State) -> PowerInfo | None:
        """The ``resume_hostilities`` power through which hostilities resumed, if any."""
        k = s[self.o_h + 2] - 1
        return None if k < 0 else self.powers[k]

    def exercised(self, s: State, k: int) -> bool:
        return bool(s[self.o_pw + k] & 1)

    def granted(self, s: State, k: int) -> bool:
        """Whether a violation has put power ``k`` in effect (``on_violation: {grants}``)."""
        return bool(s[self.o_pw + k] & 2)

    def in_gap(self, s: State) -> bool:
        """Whether the run went through an expiry the text says nothing after, not yet closed."""
        return bool(s[self.o_gap])

    def violators(self, s: State) -> int:
        """Bit mask of the parties that have violated something (when recorded)."""
        return s[self.o_v]

    def released(self, s: State, stock: int) -> int:
        """How many of a stock its holder has released so far (when counted)."""
        return s[self.o_st + stock]

    def days_added(self, s: State, q: int) -> int:
        """Days by which phase ``q``'s expiry has moved (extension rules and powers)."""
        return s[self.o_ex + q]

    def clause_flags(self, s: State, clause: str) -> int:
        """A tracked clause's FLAG_FULFILLED / FLAG_VIOLATED bits (0 when not tracked)."""
        t = self.tidx.get(clause, -1)
        return 0 if t < 0 else s[self.o_fl + t]

    def all_rounds_fulfilled(self, s: State) -> bool:
        if self.abstract:
            return not self.sides or (s[self.o_rs] == 0 and self.sides_passed(s))
        return all(
            s[self.o_rs + i] == FULFILLED or not amendments.in_effect(self, s, x.guard)
            for i, x in enumerate(self.sides)
        )

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
        sides = [
            i
            for i, x in enumerate(self.sides)
            if x.clause == clause and amendments.in_effect(self, s, x.guard)
        ]
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
        if c.power is not None or c.amendment is not None:
            return self.widx[clause] in self.available_powers(s)
        if c.negotiation is not None:
            return s[self.o_ng + self.nidx[clause]] == OPEN
        if clause in self.suspended(s):
            return False
        k = next((k for k, t in enumerate(self.triggers) if t.clause == clause), -1)
        if k >= 0:
            return conditions.created(s[self.o_tr + k])
        goes_on = self.continuing_of.get(clause)
        if goes_on is not None and s[self.o_ph + goes_on] == CONTINUING:
            return True  # falls due at every point while its phase continues
        if c.obligation is not None and c.obligation.no_deadline:
            # a duty with no deadline is in effect while its phase lasts
            return s[self.o_ph + self.phidx[c.phase or self.phases[0]]] in LIVE
        cur = s[1]
        today = self.local_day(s)
        for inst in self.instances:
            if inst.clause != clause or inst.day_in_phase is None:
                continue
            if not amendments.in_effect(self, s, amendments.guard_of(self, inst, self.replaced)):
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


def _compare(value: int, comparator: str, number: int) -> bool:
    return {
        "<": value < number,
        "<=": value <= number,
        ">": value > number,
        ">=": value >= number,
        "==": value == number,
        "!=": value != number,
    }[comparator]
