"""The agreement's entities as the model names them, and the tables every stage reads.

The model's variables, by prefix (a clause is named ``c`` + its id made an identifier,
see :attr:`Tables.cid`; phases, parties and stocks keep their ids):

- ``ph_P`` a phase's status, ``st_P`` its start day, ``ext_P`` days added by powers;
- ``ng_C`` a negotiation, ``ob_C`` an obligation, ``xr_C_R`` / ``xc_C_R`` the releasing and the
  counter side of round R of an exchange (one :class:`Side` each);
- ``pw_C`` a power exercised, ``gr_C`` granted by a violation; ``sus_C`` / ``pv_C`` a
  prohibition suspended / violated; ``xn_C`` an extension rule's further releases;
- ``B_P`` a party's bit in the party masks (``viol``, ``hl_direct``, ...).

Names in capitals (``EXP_P``, ``HELD_S``, ``AVAIL_C``, ``CEASEFIRE``, ...) are the macros of
:mod:`.facts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from detente.export.promela.syntax import ident
from detente.language import expressions as ex
from detente.language.model import (
    Agreement,
    Clause,
    Exchange,
    ExchangeRound,
    Obligation,
    PowerAction,
    Role,
    When,
)

#: Day value meaning "no time point left".
NONE_DAY = 30000


def bound(agreement: Agreement, parties: Iterable[str]) -> list[str]:
    """Whom a prohibition naming ``parties`` binds: a non-signatory is replaced by the
    party that ``answers_for`` it (its acts count against that party)."""
    answerer = {g: p.id for p in agreement.parties for g in p.answers_for}
    return list(dict.fromkeys(answerer.get(p, p) for p in parties))


def closed_by_agreement(agreement: Agreement) -> dict[str, str]:
    """Open-ended phases followed by a phase that starts upon an agreement: that
    agreement ends them (phase id -> negotiation clause id)."""
    return {
        a.id: b.starts.upon_agreement
        for a, b in zip(agreement.phases, agreement.phases[1:], strict=False)
        if a.duration_days is None and b.starts.upon_agreement is not None
    }


def bit(party: str) -> str:
    """The party's bit in the party masks."""
    return f"B_{party}"


def compliant(party: str) -> str:
    """The party has violated nothing so far."""
    return f"((viol & {bit(party)}) == 0)"


def started(phase: str) -> str:
    return f"(ph_{phase} != PENDING)"


def running(phase: str) -> str:
    """The phase is active or continuing (its norms are in effect)."""
    return f"(ph_{phase} == ACTIVE || ph_{phase} == CONTINUING)"


def held(stock: str) -> str:
    return f"HELD_{stock}"


def first_day(agreement: Agreement) -> int:
    """The number the text gives the first day: 0 under ``counting: day_zero``, else 1."""
    return 0 if agreement.counting == "day_zero" else 1


def deadline(agreement: Agreement, o: Obligation) -> When:
    """An obligation's deadline as a day of a phase, numbered as the text numbers days.

    ``within: {hours: H}`` (or ``{days: N}``) ``after`` an anchor is the anchor's day
    plus H/24 rounded up (or N): entry into force and a phase's start are that phase's
    first day; a clause's fulfilment is that clause's own deadline."""
    w = o.window
    if w is None or o.triggered:  # a triggered duty: its day is kept in tr_X (never read)
        return When(phase=agreement.phases[0].id, at="end")
    if w.by is not None:
        return w.by
    assert w.after is not None and w.within is not None
    a, k = w.after, w.within.days or -(-(w.within.hours or 0) // 24)
    if a.fulfilled is not None:
        target = next(c.obligation for c in agreement.clauses if c.id == a.fulfilled)
        assert target is not None
        at = deadline(agreement, target)
        if at.day is not None:
            return When(phase=at.phase, day=at.day + k)
        if at.at == "start":
            return When(phase=at.phase, day=first_day(agreement) + k)
        length = next(p.duration_days for p in agreement.phases if p.id == at.phase)
        assert length is not None
        return When(phase=at.phase, day=length + k)
    phase = a.phase or next(p.id for p in agreement.phases if p.starts.entry_into_force)
    return When(phase=phase, day=first_day(agreement) + k)


def window_from(agreement: Agreement, o: Obligation) -> When:
    """When an obligation's window opens: its ``from``, its anchor, else its deadline
    phase's start."""
    if o.window is None:
        return When(phase=agreement.phases[0].id, at="start")
    if o.window.from_ is not None:
        return o.window.from_
    a = o.window.after
    if o.triggered:
        return When(phase=agreement.phases[0].id, at="start")
    if a is not None and a.fulfilled is not None:
        target = next(c.obligation for c in agreement.clauses if c.id == a.fulfilled)
        assert target is not None
        return deadline(agreement, target)
    return When(phase=deadline(agreement, o).phase, at="start")


def recurrence_until(agreement: Agreement, o: Obligation) -> When:
    """The last point of a recurring obligation: its recurrence's ``until``, else its deadline."""
    assert o.recurrence is not None
    return o.recurrence.until or deadline(agreement, o)


def continuing_phase(agreement: Agreement, o: Obligation) -> str | None:
    """The phase a recurring obligation keeps falling due in while it continues past its
    planned end: one that runs to that phase's end (no earlier ``until``), the phase having
    days and ``continues_while`` at expiry; None for any other obligation."""

    def to_end(w: When | None, phase: str) -> bool:
        return w is None or (w.phase == phase and w.day is None and w.at == "end")

    if o.window is None:
        return None
    by = o.window.by
    if o.recurrence is None or by is None or not to_end(by, by.phase):
        return None  # a deadline counted from an anchor is no phase's end
    if o.window.from_ is not None and o.window.from_.phase != by.phase:
        return None
    if not to_end(o.recurrence.until, by.phase):
        return None
    ph = next(p for p in agreement.phases if p.id == by.phase)
    if ph.duration_days is None or ph.at_expiry.rule != "continues_while":
        return None
    return ph.id


def one_off_release(o: Obligation) -> tuple[str, int] | None:
    """(stock, units) of a duty to release a fixed number once; None for any other duty."""
    if o.action == "release" and o.category and o.quantity is not None and o.recurrence is None:
        return o.category, o.quantity
    return None


@dataclass(frozen=True)
class Side:
    """One side of one exchange round: an obligation instance to release."""

    var: str  # status variable
    clause: Clause
    exchange: Exchange
    index: int
    party: str
    amounts: dict[str, int]  # stock -> units released
    first: int = 1  # the number the text gives a phase's first day
    #: " && !pw_A" for a round amendment A replaces, " && pw_A" for its new contents
    guard: str = ""

    @property
    def day(self) -> str:
        """The agreement day the round falls due (valid once the exchange's phase started)."""
        return f"(st_{self.exchange.phase} + {self.exchange.rounds[self.index].day - self.first})"


def _counter_amounts(x: Exchange, rnd: ExchangeRound) -> dict[str, int]:
    """What the counterpart releases in a round: as stated, or as the ratios give it."""
    if rnd.counter_release is not None:
        return dict(rnd.counter_release)
    out: dict[str, int] = {}
    for r in x.ratios:
        units = rnd.release.get(r.category, 0)
        if units:
            out[r.counter_category] = out.get(r.counter_category, 0) + units * r.per_unit
    return out


class Tables:
    """The agreement's clauses sorted by kind and named, with what the stages look up."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        #: clause id -> its name in the model, unique even where two ids sanitise alike
        self.cid: dict[str, str] = {}
        used: set[str] = set()
        for c in agreement.clauses:
            base = "c" + ident(c.id)
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}_{n}"
            used.add(name)
            self.cid[c.id] = name
        self.party_index = {p.id: i for i, p in enumerate(agreement.parties)}
        self.mask_type = "byte" if len(agreement.parties) <= 8 else "int"
        self.stock_ids = {s.id for s in agreement.stocks}
        #: stocks whose count the text gives (the others never run out)
        self.limited = {s.id for s in agreement.stocks if s.count is not None}
        self.last_phase = agreement.phases[-1].id
        # each clause with its norm, by kind
        self.negotiations = [
            (c, c.negotiation) for c in agreement.clauses if c.negotiation is not None
        ]
        self.obligations = [
            (c, c.obligation) for c in agreement.clauses if c.obligation is not None
        ]
        #: triggered duties (`once`, `for_each`, or counted from a party's act): created when their
        #: condition first holds, or when the act is done
        self.triggered = [(c, o) for c, o in self.obligations if o.triggered]
        #: acts some deadline is counted from, (party, action) -> its bit ``ac_N``
        self.acts: dict[tuple[str, str], str] = {}
        for _, o in self.triggered:
            a = o.act_anchor
            if a is not None and a.by is not None and a.act is not None:
                self.acts.setdefault((a.by, a.act), f"ac_{len(self.acts)}")
        # powers, and each amendment as the joint act it is (held by its first party)
        self.powers = agreement.granted_powers()
        self.amendments = {c.id for c in agreement.clauses if c.amendment is not None}
        #: amendment clause -> how many times it may be made (``rn_C`` counts them)
        self.amendment_times = {
            c.id: c.amendment.times for c in agreement.clauses if c.amendment is not None
        }
        #: phases an amendment extends (``xq_P``: P's days ran out in this very step)
        self.amended_phases = list(
            dict.fromkeys(
                c.amendment.extends
                for c in agreement.clauses
                if c.amendment is not None and c.amendment.extends is not None
            )
        )
        #: clause -> the amendment that changes it (clause_amendments.py)
        self.clause_amended: dict[str, Clause] = {
            c.amendment.amends: c
            for c in agreement.clauses
            if c.amendment is not None and c.amendment.amends is not None
        }
        self.prohibitions = [
            (c, c.prohibition) for c in agreement.clauses if c.prohibition is not None
        ]
        self.extensions = [(c, c.extension) for c in agreement.clauses if c.extension is not None]
        #: prohibitions that bind only while a condition holds
        self.guarded = [(c, p) for c, p in self.prohibitions if p.while_ is not None]
        self.phase_duration = {ph.id: ph.duration_days for ph in agreement.phases}
        #: 0 when the text calls the first day day 0 (a period of D days then lasts D + 1)
        self.first = first_day(agreement)
        self.phase_duration = {
            ph.id: None if ph.duration_days is None else ph.duration_days + 1 - self.first
            for ph in agreement.phases
        }
        self.judges_consistency = any(x.template == "consistent" for x in agreement.expectations)
        #: powers that some obligation's violation puts in effect
        self.granted = {
            o.on_violation.grants for _, o in self.obligations if o.on_violation is not None
        }
        self.extended_by_power = {
            pw.target
            for _, pw in self.powers
            if pw.action == PowerAction.extend_phase and pw.target is not None
        }
        #: self-defence powers: clause -> the parties whose attacks it answers
        self.self_defence = {
            c.id: list(pw.against)
            or [p.id for p in agreement.parties if p.role == Role.party and p.id != pw.holder]
            for c, pw in self.powers
            if pw.action == PowerAction.self_defence
        }
        #: clauses whose outcome some formula or condition reads, or that count in a stock
        self.referenced: set[str] = set()
        texts = [x.formula for x in agreement.expectations if x.formula]
        texts += [pw.available.condition for _, pw in self.powers if pw.available.condition]
        texts += [o.trigger for _, o in self.obligations if o.trigger]
        texts += [p.while_ for _, p in self.prohibitions if p.while_]
        texts += [g.opens_when for _, g in self.negotiations if g.opens_when]
        for text in texts:
            for atom in ex.atoms(ex.parse(text)):
                self.referenced.update(atom.args)
        for c, o in self.obligations:
            if o.action == "release" and o.category is not None:
                self.referenced.add(c.id)
            if o.window is not None and o.window.after and o.window.after.fulfilled is not None:
                self.referenced.add(o.window.after.fulfilled)  # its outcome sets a deadline
        self.sides: list[Side] = []
        for c in agreement.clauses:
            x = c.exchange
            if x is None:
                continue
            am = self.clause_amended.get(c.id)
            changed = {r.day: r for r in am.amendment.rounds} if am and am.amendment else {}
            for i, rnd in enumerate(x.rounds):
                if rnd.day not in changed:
                    self._round(c, x, i, rnd, "", "")
                    continue
                assert am is not None
                name = self.cid[am.id]
                self._round(c, x, i, rnd, "", f" && !pw_{name}")
                self._round(c, x, i, changed[rnd.day], f"_{name}", f" && pw_{name}")

    def _round(
        self, c: Clause, x: Exchange, i: int, rnd: ExchangeRound, tail: str, guard: str
    ) -> None:
        """The sides of round ``i`` with the contents ``rnd`` (an amendment's: ``guard``)."""
        self.sides.append(
            Side(
                f"xr_{self.cid[c.id]}_{i + 1}{tail}",
                c,
                x,
                i,
                x.releasing,
                dict(rnd.release),
                self.first,
                guard,
            )
        )
        counter = _counter_amounts(x, rnd)
        # a counter-release of zero units is no duty, so no side
        if sum(counter.values()) > 0:
            self.sides.append(
                Side(
                    f"xc_{self.cid[c.id]}_{i + 1}{tail}",
                    c,
                    x,
                    i,
                    x.counterpart,
                    counter,
                    self.first,
                    guard,
                )
            )

    def attack_marks(self, party: str) -> str:
        """The statements that record an attack by ``party`` for each self-defence power
        that answers it (``docs/semantics.md``, Self-defence)."""
        return "".join(
            f"; sa_{self.cid[c]} = 1" for c, by in self.self_defence.items() if party in by
        )

    def latest_started(self, phase: str) -> str:
        """``phase`` is the latest phase started: every phase after it is still pending."""
        ids = [ph.id for ph in self.agreement.phases]
        later = ids[ids.index(phase) + 1 :]
        return all_of_pending(later)

    def sides_of(self, clause_id: str) -> list[Side]:
        """The round sides of an exchange clause."""
        return [s for s in self.sides if s.clause.id == clause_id]

    def when(self, w: When) -> str:
        """The agreement day of a time relative to a phase (valid once the phase started)."""
        if w.day is not None:
            return f"(st_{w.phase} + {w.day - self.first})"
        if w.at == "start":
            return f"st_{w.phase}"
        # "at the end" stays on the scheduled last day, however the phase is extended
        dur = self.phase_duration.get(w.phase)
        if dur is None:
            return str(NONE_DAY)  # an open-ended phase has no last day
        return f"(st_{w.phase} + {dur - 1})"

    def deadline(self, o: Obligation) -> When:
        return deadline(self.agreement, o)

    def anchor_met(self, o: Obligation) -> str:
        """`` && ob_X == FUL`` for a deadline counted from clause X's fulfilment: the duty
        falls due only if X was fulfilled (else nothing)."""
        a = None if o.window is None else o.window.after
        if a is None or a.fulfilled is None:
            return ""
        return f" && ob_{self.cid[a.fulfilled]} == FUL"


def all_of_pending(phases: list[str]) -> str:
    """Every one of ``phases`` is pending (``true`` for none)."""
    return " && ".join(f"ph_{p} == PENDING" for p in phases) or "true"
