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


def window_from(o: Obligation) -> When:
    """When an obligation's window opens: its ``from``, else its deadline phase's start."""
    return o.window.from_ or When(phase=o.window.by.phase, at="start")


def recurrence_until(o: Obligation) -> When:
    """The last point of a recurring obligation: its recurrence's ``until``, else its deadline."""
    assert o.recurrence is not None
    return o.recurrence.until or o.window.by


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

    @property
    def day(self) -> str:
        """The agreement day the round falls due (valid once the exchange's phase started)."""
        return f"(st_{self.exchange.phase} + {self.exchange.rounds[self.index].day - 1})"


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
        self.powers = [(c, c.power) for c in agreement.clauses if c.power is not None]
        self.prohibitions = [
            (c, c.prohibition) for c in agreement.clauses if c.prohibition is not None
        ]
        self.extensions = [(c, c.extension) for c in agreement.clauses if c.extension is not None]
        self.phase_duration = {ph.id: ph.duration_days for ph in agreement.phases}
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
        #: clauses whose outcome some formula or condition reads, or that count in a stock
        self.referenced: set[str] = set()
        texts = [x.formula for x in agreement.expectations if x.formula]
        texts += [pw.available.condition for _, pw in self.powers if pw.available.condition]
        for text in texts:
            for atom in ex.atoms(ex.parse(text)):
                self.referenced.update(atom.args)
        for c, o in self.obligations:
            if o.action == "release" and o.category is not None:
                self.referenced.add(c.id)
        self.sides: list[Side] = []
        for c in agreement.clauses:
            x = c.exchange
            if x is None:
                continue
            for i, rnd in enumerate(x.rounds):
                self.sides.append(
                    Side(f"xr_{self.cid[c.id]}_{i + 1}", c, x, i, x.releasing, dict(rnd.release))
                )
                counter = _counter_amounts(x, rnd)
                # a counter-release of zero units is no duty, so no side
                if sum(counter.values()) > 0:
                    self.sides.append(
                        Side(f"xc_{self.cid[c.id]}_{i + 1}", c, x, i, x.counterpart, counter)
                    )

    def sides_of(self, clause_id: str) -> list[Side]:
        """The round sides of an exchange clause."""
        return [s for s in self.sides if s.clause.id == clause_id]

    def when(self, w: When) -> str:
        """The agreement day of a time relative to a phase (valid once the phase started)."""
        if w.day is not None:
            return f"(st_{w.phase} + {w.day - 1})"
        if w.at == "start":
            return f"st_{w.phase}"
        # "at the end" stays on the scheduled last day, however the phase is extended
        dur = self.phase_duration.get(w.phase)
        if dur is None:
            return str(NONE_DAY)  # an open-ended phase has no last day
        return f"(st_{w.phase} + {dur - 1})"
