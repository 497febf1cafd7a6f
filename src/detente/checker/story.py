"""A counterexample told as a story for a mediator: numbered, dated steps in plain
sentences that cite clause numbers and their words, and say who acted and who complied.

The steps are recovered by replaying the run through the model (the same successor
relation the checker explored), so every sentence is a step the semantics allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise

from detente.checker.result import StoryStep
from detente.language.model import Agreement, PowerAction
from detente.semantics.acts import ActDone
from detente.semantics.anchors import shown
from detente.semantics.events import (
    Agreed,
    Committed,
    Completed,
    Endeavoured,
    Exercised,
    Extended,
    Fulfilled,
    HostilitiesResumed,
    Later,
    PerhapsFulfilled,
    PhaseExpired,
    PhaseOver,
    PhaseStarted,
    Reached,
    RefusedToOpen,
    Released,
    SelfDefence,
    Stalled,
    StepEvent,
    TalksOpened,
    Terminated,
    Triggered,
    Violated,
    Withheld,
)
from detente.semantics.system import System
from detente.semantics.tables import State


def clause_words(agreement: Agreement, clause_id: str, limit: int | None = None) -> str:
    """A clause's own ``text``, whitespace folded; shortened at a word boundary (with an
    ellipsis) only when a ``limit`` is given."""
    text = " ".join(agreement.clause(clause_id).text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def quotation(agreement: Agreement, clause_id: str) -> str:
    """The sentence that quotes a clause's ``text`` in a story, marked as the text's own
    words or as the spec's summary of them (the clause's ``words:``). The only quotation
    marks a story prints enclose a clause's ``text``, whole."""
    words = clause_words(agreement, clause_id)
    if agreement.clause(clause_id).words == "quote":
        return f"Clause {clause_id}, in the text's words: “{words}”"
    return f"Clause {clause_id}, as the spec summarises it (not the text's words): “{words}”"


def _join(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class Teller:
    """Turns runs of one model into story steps."""

    def __init__(self, model: System, *, forbid: int = 0, powers: bool = True) -> None:
        self.m = model
        self.a = model.agreement
        self.ids = {p.id for p in self.a.parties}
        self.forbid = forbid
        self.powers = powers
        eif = self.a.dates.entry_into_force
        self.eif: dt.date | None = eif.date if eif is not None else None
        self.quoted: set[str] = set()  # clauses whose words the story has quoted
        self.to_quote: list[str] = []  # cited in the step being told, not yet quoted

    # ---------------------------------------------------------------- names

    def party(self, i: int) -> str:
        return self.a.parties[i].name

    def actor(self, i: int) -> str:
        """A party as the author of a forbidden act: with the non-signatories it answers
        for, whose acts count as its own (``docs/semantics.md``, answering for others)."""
        p = self.a.parties[i]
        if not p.answers_for:
            return p.name
        groups = _join([self.a.party(g).name for g in p.answers_for if g in self.ids])
        return f"{p.name} (or {groups}, which it answers for)" if groups else p.name

    def phase(self, q: int) -> str:
        return self.a.phases[q].name

    def cite(self, clause: str) -> str:
        """``clause N``; the step then quotes the clause's words, the first time it is cited."""
        if clause not in self.quoted:
            self.quoted.add(clause)
            self.to_quote.append(clause)
        return f"clause {clause}"

    def day_text(self, day: int | None, after: int | None) -> str:
        if day is None:
            return f"Later (some day after day {shown(self.a, after)})" if after else "Later"
        if self.eif is None:
            return f"Day {shown(self.a, day)}"
        date = self.eif + dt.timedelta(days=day - 1)
        return (
            f"Day {shown(self.a, day)} (if entry into force was {self.eif.day} {self.eif:%b %Y}: "
            f"{date.day} {date:%b %Y})"
        )

    # ---------------------------------------------------------------- replay

    def events(self, s: State, t: State) -> tuple[StepEvent, ...]:
        """The events of one step from ``s`` to ``t`` (the first way the model gets there)."""
        for evs, u in self.m.steps(s, forbid=self.forbid, powers=self.powers):
            if u == t:
                return evs
        raise ValueError("not a step of the model")

    def tell(self, path: Sequence[State], loop: Sequence[State] | None = None) -> list[StoryStep]:
        """The story of ``path`` (states from the initial one) and, for a lasso, of the
        loop that starts and ends at the path's last state."""
        starts: dict[int, int | None] = {0: 1}
        clock: dict[str, int | None] = {"today": 0, "known": 0}
        steps: list[StoryStep] = []
        for s, t in pairwise(path):
            steps.append(self._step(s, t, starts, clock))
        if loop:
            first = True
            for s, t in pairwise(loop):
                step = self._step(s, t, starts, clock)
                if first:
                    step = StoryStep(
                        step.day,
                        "From then on, this can repeat forever: " + step.text,
                        step.clauses,
                        loop=True,
                    )
                    first = False
                else:
                    step = StoryStep(step.day, step.text, step.clauses, loop=True)
                steps.append(step)
        return steps

    def _step(
        self,
        s: State,
        t: State,
        starts: dict[int, int | None],
        clock: dict[str, int | None],
    ) -> StoryStep:
        evs = self.events(s, t)
        sentences: list[str] = []
        clauses: list[str] = []
        complied: dict[int, list[str]] = {}
        previous = clock["today"]
        for e in evs:
            if isinstance(e, Later):
                if clock["today"] is not None:
                    clock["known"] = clock["today"]
                clock["today"] = None
            elif isinstance(e, Reached):
                start = starts.get(e.phase)
                if start is None and e.phase not in starts:
                    start = None if previous is None else previous + 1
                    starts[e.phase] = start
                clock["today"] = None if start is None else start + e.day - 1
                if clock["today"] is not None:
                    clock["known"] = clock["today"]
            elif isinstance(e, PhaseStarted):
                starts[e.phase] = clock["today"]
                sentences.append(f"{self.phase(e.phase)} begins.")
            else:
                self._sentence(e, sentences, clauses, complied)
        for who, what in complied.items():
            if what:
                sentences.append(f"{self.party(who)} complies with {_join(what)}.")
        if not sentences:
            sentences.append("Nothing changes: the talks neither agree nor fail.")
        sentences.extend(quotation(self.a, c) for c in self.to_quote)
        self.to_quote = []
        header = self.day_text(clock["today"], clock["known"])
        span = max(
            (e.last - e.first for e in evs if isinstance(e, Fulfilled | Violated)),
            default=0,
        )
        today = None if clock["today"] is None else shown(self.a, clock["today"])
        if span and today is not None:
            header = f"Days {today}–{today + span}" + header[len(f"Day {today}") :]
        text = f"{header}: " + " ".join(sentences)
        return StoryStep(today, text, list(dict.fromkeys(clauses)))

    def _sentence(
        self,
        e: StepEvent,
        out: list[str],
        clauses: list[str],
        complied: dict[int, list[str]],
    ) -> None:
        m, a = self.m, self.a
        match e:
            case PhaseExpired(q, how):
                ph = a.phases[q]
                said = ph.at_expiry.clause
                if said:
                    clauses.append(said)
                if how == "continuing":
                    n = ph.at_expiry.negotiation or ""
                    via = f", as {self.cite(said)} provides" if said else ""
                    out.append(
                        f"The {ph.duration_days} days of {self.phase(q)} run out and it continues"
                        f"{via}, because the talks of clause {n} have neither agreed nor failed."
                    )
                    clauses.append(n)
                elif how == "cut_short":
                    out.append(
                        f"{self.phase(q)}'s days run out and it is cut short: its talks failed."
                    )
                elif how == "unspecified":
                    out.append(
                        f"{self.phase(q)}'s days run out, and the text says nothing about what happens next."
                    )
                else:
                    out.append(f"{self.phase(q)} ends.")
            case PhaseOver(q, how):
                out.append(
                    f"With the talks agreed, {self.phase(q)} is over."
                    if how == "done"
                    else f"With the talks failed, {self.phase(q)} is cut short."
                )
            case Fulfilled(who, clause, _, _):
                complied.setdefault(who, []).append(f"clause {clause}")
                clauses.append(clause)
            case PerhapsFulfilled(_, clause, _, _):
                clauses.append(clause)
            case Endeavoured(who, clause, _, _):
                out.append(
                    f"{self.party(who)} does not achieve what {self.cite(clause)} asks, but makes "
                    "the efforts it owes (a duty of means): no violation."
                )
                clauses.append(clause)
            case Violated(who, clause, _, _):
                out.append(
                    f"{self.party(who)} does not do what {self.cite(clause)} requires: a violation."
                )
                clauses.append(clause)
            case Committed(who, act, cl):
                out.append(
                    f"{self.actor(who)} does what {_join([self.cite(c) for c in cl])} forbids "
                    f"({act.replace('_', ' ')}): a violation."
                )
                clauses.extend(cl)
            case Released(k) | Withheld(k):
                side = m.sides[k]
                what = _join([f"{q} {cat.replace('_', ' ')}" for _, cat, q in side.items])
                rnd = f"round {side.round + 1} of clause {side.clause}"
                if isinstance(e, Released):
                    complied.setdefault(side.debtor, []).append(
                        f"clause {side.clause} (it releases {what}, {rnd})"
                    )
                else:
                    out.append(
                        f"{self.party(side.debtor)} does not release {what} due in round "
                        f"{side.round + 1} of {self.cite(side.clause)}: a violation."
                    )
                clauses.append(side.clause)
            case Triggered(clause):
                o = a.clause(clause).obligation
                assert o is not None
                within = o.within if o.trigger is not None else o.window and o.window.within
                if within is not None:
                    days = str(within)
                else:
                    days = "1 day" if o.within_days == 1 else f"{o.within_days} days"
                if o.for_each is not None:
                    out.append(
                        f"The release {self.cite(o.for_each.clause)} is done: the counter-"
                        f"release per instalment of {self.cite(clause)} falls due within {days}."
                    )
                elif o.once is not None:
                    out.append(
                        f"The condition of {self.cite(clause)} now holds ({o.once}): "
                        f"it falls due within {days}."
                    )
                else:
                    out.append(
                        f"What {self.cite(clause)} requires now falls due, within {days} of "
                        "that act."
                    )
                clauses.append(clause)
            case ActDone(who, action):
                name = next((x.description for x in a.actions if x.id == action), action)
                out.append(f"{self.party(who)} does the act {action!r} ({name}).")
            case TalksOpened(k):
                neg = m.negotiations[k]
                out.append(
                    f"{_join([self.party(i) for i in neg.between])} open the talks of "
                    f"clause {neg.clause}."
                )
                clauses.append(neg.clause)
            case RefusedToOpen(k, mask):
                neg = m.negotiations[k]
                names = [self.party(i) for i in range(len(m.parties)) if mask >> i & 1]
                out.append(
                    f"{_join(names)} refuse{'s' if len(names) == 1 else ''} to open the talks that "
                    f"{self.cite(neg.clause)} requires: a violation."
                )
                clauses.append(neg.clause)
            case Agreed(k):
                neg = m.negotiations[k]
                out.append(
                    f"{_join([self.party(i) for i in neg.between])} reach agreement in the talks of "
                    f"clause {neg.clause}."
                )
                clauses.append(neg.clause)
            case Stalled(k):
                out.append(
                    f"The talks of clause {m.negotiations[k].clause} neither agree nor fail."
                )
            case HostilitiesResumed(who, cl):
                if cl:
                    out.append(
                        f"{self.actor(who)} resumes hostilities, which "
                        f"{_join([self.cite(c) for c in cl])} forbid{'s' if len(cl) == 1 else ''}: "
                        "a violation."
                    )
                    clauses.extend(cl)
                else:
                    out.append(
                        f"{self.party(who)} resumes hostilities; no clause forbids it any more, "
                        "so this is lawful."
                    )
            case Exercised(k):
                self._exercise(k, out, clauses)
            case Terminated(k):
                out.append(
                    f"By {self.party(m.powers[k].holder)}'s act, the agreement is terminated; "
                    "every open obligation is discharged."
                )
            case Completed():
                out.append("The agreement is complete: every exchange round has been carried out.")
            case SelfDefence(k, founded):
                w = m.powers[k]
                if founded:
                    out.append("It answers an attack by the other side: lawful.")
                else:
                    out.append(
                        f"No attack by the other side preceded it: {self.party(w.holder)} "
                        f"violates the ceasefire ({self.cite(w.clause)} reserves self-defence, "
                        "not a free hand)."
                    )
                    clauses.append(w.clause)
            case Extended(k):
                x = m.extensions[k]
                out.append(
                    f"{self.party(x.releasing)} releases {x.units} more, so {self.phase(x.phase)} "
                    f"lasts {x.days} more day{'s' if x.days != 1 else ''}, as {self.cite(x.clause)} provides."
                )
                clauses.append(x.clause)

    def _exercise(self, k: int, out: list[str], clauses: list[str]) -> None:
        m = self.m
        w = m.powers[k]
        holder = self.party(w.holder)
        allows = f"as {self.cite(w.clause)} allows"
        if w.action == PowerAction.resume_hostilities:
            out.append(f"{holder} resumes fighting, {allows}.")
        elif w.action == PowerAction.self_defence:
            out.append(f"{holder} acts in self-defence under {self.cite(w.clause)}.")
        elif w.action == PowerAction.declare_failed:
            out.append(
                f"{holder} declares the talks of clause {m.negotiations[w.target].clause} "
                f"failed, {allows}."
            )
        elif w.action == PowerAction.arbitrate:
            out.append(
                f"{holder} decides the talks of clause {m.negotiations[w.target].clause}: they "
                f"count as agreed, {allows}."
            )
        elif w.action == PowerAction.end_agreement:
            out.append(f"{holder} ends the agreement, {allows}.")
        elif w.action == PowerAction.suspend_clause:
            out.append(f"{holder} suspends clause {m.suspendable[w.target]}, {allows}.")
        elif w.amendment and k in m.clause_amendments:
            out.append(
                f"{holder} and the other parties agree to change clause "
                f"{m.clause_amendments[k].amends} ({self.cite(w.clause)})."
            )
            clauses.append(w.clause)
            return
        elif w.amendment:
            out.append(
                f"{holder} and the other parties agree to extend {self.phase(w.target)} by "
                f"{w.days} days ({self.cite(w.clause)})."
            )
            clauses.append(w.clause)
            return
        else:
            out.append(f"{holder} extends {self.phase(w.target)} by {w.days} days, {allows}.")
        if w.consent:
            who_consents = [self.party(i) for i in range(len(m.parties)) if w.consent >> i & 1]
            out.append(f"{_join(who_consents)} consent{'s' if len(who_consents) == 1 else ''}.")
        clauses.append(w.clause)


def tell(
    model: System,
    path: Sequence[State],
    loop: Sequence[State] | None = None,
    *,
    forbid: int = 0,
    powers: bool = True,
) -> list[StoryStep]:
    """The numbered, dated steps of a run (and of its loop, for a lasso)."""
    return Teller(model, forbid=forbid, powers=powers).tell(path, loop)
