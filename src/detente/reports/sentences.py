"""Each clause's norm as one plain English sentence, for every report that shows a clause.

``describe(clause, agreement)`` gives, for example::

    Israel must withdraw forces out of the Netzarim axis by day 22 of phase one
    (clause withdraw-netzarim).

The terminal view, the stories, Markdown and DOCX all use these sentences, so a
reader meets one wording of each clause everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from detente.language.model import (
    Agreement,
    Amendment,
    Anchor,
    Clause,
    Exchange,
    ExtensionRule,
    Negotiation,
    Obligation,
    Power,
    PowerAction,
    Prohibition,
    When,
)
from detente.language.totals import sums

#: Obligations with a built-in action: the verb that goes before the object.
_VERBS = {
    "release": "release",
    "withdraw": "withdraw",
    "aid": "let in",
    "negotiations_start": "start negotiations on",
    "negotiations_agree": "agree on",
    "exercise": "exercise",
    "announce": "announce",
    "hostilities": "carry out hostilities:",
}
#: An object that starts with one of these is itself what the debtor must do.
_OWN_VERB = {"begin", "start", "complete", "finish", "allow", "let", "admit", "hand", "open"}
#: Acts a prohibition forbids, as what the party must not do.
_ACTS = {
    "hostilities": "engage in hostilities",
    "release": "release anyone",
    "withdraw": "withdraw",
    "aid": "let in aid",
    "negotiations_start": "start negotiations",
    "negotiations_agree": "agree in negotiations",
    "exercise": "exercise a power",
    "announce": "announce",
}
#: First words of stock names that are ordinary words, written lower-case mid-sentence.
_COMMON = {
    "all",
    "children",
    "civilian",
    "civilians",
    "deceased",
    "elderly",
    "female",
    "fuel",
    "hostages",
    "litres",
    "living",
    "male",
    "other",
    "people",
    "persons",
    "prisoners",
    "remains",
    "soldiers",
    "the",
    "trucks",
    "women",
    "wounded",
}


# --------------------------------------------------------------------------- words


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _plain(name: str) -> str:
    """A name without its parenthetical asides."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.lower() in _COMMON or first.lower() == "phase":
        return text[:1].lower() + text[1:]
    return text


def party_name(agreement: Agreement, party_id: str) -> str:
    """A party's name as a sentence needs it ("the United States")."""
    party = next((p for p in agreement.parties if p.id == party_id), None)
    if party is None:
        return party_id
    name = party.name
    if re.match(r"(United|Republic|Kingdom|State of|European|Palestinian Authority)\b", name):
        return f"the {name}"
    return name


def parties(agreement: Agreement, ids: Sequence[str]) -> str:
    return join([party_name(agreement, p) for p in ids])


def phase_name(agreement: Agreement, phase_id: str) -> str:
    """ "Phase one (temporary ceasefire)" -> "phase one"; "Humanitarian pause" -> "the
    humanitarian pause"."""
    phase = next((p for p in agreement.phases if p.id == phase_id), None)
    if phase is None:
        return phase_id
    name = _plain(phase.name)
    if re.match(r"(?i)the\s", name):  # "The humanitarian pause": the article is added below
        name = name[4:].lstrip()
    if name.lower().startswith("phase"):
        return name[:1].lower() + name[1:]
    second = name[1:2]
    return "the " + (name[:1].lower() + name[1:] if second.islower() else name)


def stock_name(agreement: Agreement, stock_id: str) -> str:
    stock = next((s for s in agreement.stocks if s.id == stock_id), None)
    if stock is None:
        return stock_id.replace("_", " ")
    return _lower_first(_plain(stock.name))


def count_of(agreement: Agreement, stock_id: str, n: int) -> str:
    """``13 Israeli women and children held in Gaza`` (no article after a number)."""
    return f"{n:,} {_bare(stock_name(agreement, stock_id))}"


def _bare(name: str) -> str:
    return name[4:] if name.startswith("the ") else name


def span(agreement: Agreement, first: When, last: When, *, words: tuple[str, str]) -> str:
    """ "from day 1 to the end of phase one": the phase named once when both are in it."""
    start, end = words
    if first.phase == last.phase:
        short = f"day {first.day}" if first.day is not None else f"the {first.at}"
        return f"{start} {short} {end} {when(agreement, last)}"
    return f"{start} {when(agreement, first)} {end} {when(agreement, last)}"


def when(agreement: Agreement, w: When) -> str:
    """``phase1 day 22`` -> "day 22 of phase one"; ``phase1 end`` -> "the end of phase one"."""
    phase = phase_name(agreement, w.phase)
    if w.day is not None:
        return f"day {w.day} of {phase}"
    return f"the {w.at} of {phase}"


def _anchor(agreement: Agreement, a: Anchor) -> str:
    """ "entry into force", "the start of phase two", "the fulfilment of clause 3"."""
    if a.phase is not None:
        return f"the start of {phase_name(agreement, a.phase)}"
    if a.act is not None and a.by is not None:
        return f"{party_name(agreement, a.by)}'s act '{a.act}'"
    return str(a)


def _sentence(text: str, clause: Clause) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return f"{text[:1].upper()}{text[1:]} (clause {clause.id})."


# --------------------------------------------------------------------------- norms


def _action_words(agreement: Agreement, o: Obligation) -> str:
    amount = f"{o.quantity:,} " if o.quantity is not None else ""
    if o.action == "release":
        if o.category is not None:
            what = stock_name(agreement, o.category)
            if o.object:
                what = f"{what} ({o.object})"
        else:
            what = o.object or "those it holds"
        return f"release {amount}{what}"
    if o.object and o.object.split(" ", 1)[0].lower() in _OWN_VERB:
        return f"{o.object[:1].lower()}{o.object[1:]}"
    if o.action in _VERBS:
        verb = _VERBS[o.action]
        what = o.object or ("aid" if o.action == "aid" else "")
        return f"{verb} {amount}{what}".strip()
    action = next((a for a in agreement.actions if a.id == o.action), None)
    described = action.description if action is not None else o.action.replace("_", " ")
    detail = f"{amount}{o.object}" if o.object else amount.strip()
    return f"see to {described}" + (f" ({detail})" if detail else "")


def _window(agreement: Agreement, o: Obligation) -> str:
    if o.window is None:
        days = "1 day" if o.within_days == 1 else f"{o.within_days} days"
        if o.for_each is not None:
            return (
                f"at {o.for_each.per_unit} for each one released under clause "
                f"{o.for_each.clause}, each share within {days} of its instalment"
            )
        if o.once is None:
            return "with no deadline"
        if o.within is not None:
            days = str(o.within)
        return f"within {days} once {o.once}"
    if o.window.by is None:
        assert o.window.after is not None and o.window.within is not None
        return f"within {o.window.within} after {_anchor(agreement, o.window.after)}"
    by = when(agreement, o.window.by)
    start = o.window.from_
    if o.recurrence is not None:
        every = (
            "every day" if o.recurrence.every_days == 1 else f"every {o.recurrence.every_days} days"
        )
        until = o.recurrence.until or o.window.by
        if start is None:
            return f"{every} until {when(agreement, until)}"
        return f"{every} {span(agreement, start, until, words=('from', 'to'))}"
    if start is None:
        return f"by {by}"
    if start == o.window.by:
        return f"on {by}"
    return span(agreement, start, o.window.by, words=("between", "and"))


def obligation(agreement: Agreement, clause: Clause, o: Obligation) -> str:
    who = party_name(agreement, o.debtor)
    text = f"{who} must {_action_words(agreement, o)} {_window(agreement, o)}"
    if o.effort == "best":
        text += ", to the best of its ability (a duty of means)"
    if o.on_violation is not None:
        creditor = party_name(agreement, o.creditor)
        text += f"; if it does not, {creditor} gains the power of clause {o.on_violation.grants}"
    return _sentence(text, clause)


def _phases(agreement: Agreement, ids: Sequence[str]) -> str:
    return join([phase_name(agreement, p) for p in ids])


def prohibition(agreement: Agreement, clause: Clause, p: Prohibition) -> str:
    who = parties(agreement, p.parties)
    if p.act in _ACTS:
        act = _ACTS[p.act]
    else:
        action = next((a for a in agreement.actions if a.id == p.act), None)
        act = f"refrain from {action.description if action else p.act.replace('_', ' ')}"
    verb = "must" if act.startswith("refrain") else "must not"
    during = (
        f"during {_phases(agreement, p.during)}" if p.during else "while the agreement is in force"
    )
    hours = f" ({p.hours})" if p.hours else ""
    cond = f", as long as {p.while_}" if p.while_ else ""
    return _sentence(f"{who} {verb} {act}{hours} {during}{cond}", clause)


def _round_days(agreement: Agreement, x: Exchange) -> str:
    days = sorted({r.day for r in x.rounds})
    phase = phase_name(agreement, x.phase)
    if len(days) == 1:
        return f"on day {days[0]} of {phase}"
    if len(days) <= 4:
        return f"on days {join([str(d) for d in days])} of {phase}"
    return f"between day {days[0]} and day {days[-1]} of {phase}"


def exchange(agreement: Agreement, clause: Clause, x: Exchange) -> str:
    totals = sums(x)
    released = join([count_of(agreement, s, n) for s, n in totals.released.items()])
    rounds = "one round" if len(x.rounds) == 1 else f"{len(x.rounds)} rounds"
    text = (
        f"{party_name(agreement, x.releasing)} must release {released} "
        f"in {rounds} {_round_days(agreement, x)}"
    )
    counterpart = party_name(agreement, x.counterpart)
    if totals.returned:
        returned = join([count_of(agreement, s, n) for s, n in totals.returned.items()])
        text += f", and {counterpart} {returned} in return"
        if x.ratios:
            per = [
                f"{r.per_unit:,} for each of the {_bare(stock_name(agreement, r.category))}"
                if len(x.ratios) > 1
                else f"{r.per_unit:,} for each one"
                for r in x.ratios
            ]
            text += f" ({join(per)})"
    else:
        text += f"; what {counterpart} releases in return is not stated"
    return _sentence(text, clause)


def _power_act(agreement: Agreement, p: Power) -> str:
    target = p.target or "?"
    if p.action == PowerAction.end_agreement:
        return "end the agreement"
    if p.action == PowerAction.resume_hostilities:
        return "resume hostilities"
    if p.action == PowerAction.self_defence:
        against = f" against attacks by {', '.join(p.against)}" if p.against else ""
        return f"act in self-defence{against}, each time an attack precedes it"
    if p.action == PowerAction.suspend_clause:
        return f"suspend clause {target}"
    if p.action == PowerAction.declare_failed:
        return f"declare the negotiations of clause {target} failed"
    if p.action == PowerAction.arbitrate:
        return f"decide the negotiations of clause {target}, which then count as agreed"
    days = f" by {p.days} day{'s' if p.days != 1 else ''}" if p.days else ""
    return f"extend {phase_name(agreement, target)}{days}"


def power(agreement: Agreement, clause: Clause, p: Power) -> str:
    text = f"{party_name(agreement, p.holder)} may {_power_act(agreement, p)}"
    a = p.available
    if a.during:
        text += f" during {_phases(agreement, a.during)}"
    if a.after is not None:
        text += f" from {when(agreement, a.after)}"
    if a.condition is not None:
        text += f" if {a.condition}"
    if p.requires_consent:
        text += f", with the consent of {parties(agreement, p.requires_consent)}"
    return _sentence(text, clause)


def negotiation(agreement: Agreement, clause: Clause, g: Negotiation) -> str:
    text = parties(agreement, g.between)
    if g.mediators:
        text += f", with {parties(agreement, g.mediators)} mediating,"
    text += " must start negotiating" if g.starts_by else " negotiate"
    if g.starts_by is not None:
        text += f" by {when(agreement, g.starts_by)}"
    if g.opens_when is not None:
        text += f" once {g.opens_when}"
    if g.scope.open:
        text += " with no limit on what they discuss"
    elif any("," in t for t in g.scope.topics):
        text += f" on these topics: {'; '.join(g.scope.topics)}"
    else:
        text += f" on {join(g.scope.topics)}"
    if g.on_agreed is not None:
        text += f"; their agreement starts {phase_name(agreement, g.on_agreed)}"
    return _sentence(text, clause)


def extension(agreement: Agreement, clause: Clause, e: ExtensionRule) -> str:
    days = "one more day" if e.days == 1 else f"{e.days} more days"
    text = (
        f"{phase_name(agreement, e.phase)} gets {days} for each further "
        f"{count_of(agreement, e.category, e.units)} that {party_name(agreement, e.releasing)} "
        "releases"
    )
    if e.max_days is not None:
        text += f", up to {e.max_days} day{'s' if e.max_days != 1 else ''} in all"
    return _sentence(text, clause)


def describe(clause: Clause, agreement: Agreement) -> str:
    """The clause's norm in one plain sentence, ending with the clause number."""
    if clause.obligation is not None:
        return obligation(agreement, clause, clause.obligation)
    if clause.prohibition is not None:
        return prohibition(agreement, clause, clause.prohibition)
    if clause.exchange is not None:
        return exchange(agreement, clause, clause.exchange)
    if clause.power is not None:
        return power(agreement, clause, clause.power)
    if clause.negotiation is not None:
        return negotiation(agreement, clause, clause.negotiation)
    if clause.extension is not None:
        return extension(agreement, clause, clause.extension)
    if clause.amendment is not None:
        return amendment(agreement, clause, clause.amendment)
    return statement(clause)


def amendment(agreement: Agreement, clause: Clause, x: Amendment) -> str:
    if x.amends is not None:
        return _sentence(_clause_amendment(agreement, x), clause)
    days = f"{x.days} day{'s' if x.days != 1 else ''}"
    text = (
        f"{parties(agreement, x.parties)} together extend {phase_name(agreement, x.target)} "
        f"by {days}, on the day they agree it, even once its days have run out"
    )
    if x.times > 1:
        text += f", up to {x.times} times (a renewable term)"
    return _sentence(text, clause)


def _clause_amendment(agreement: Agreement, x: Amendment) -> str:
    """'Israel and Hamas together change clause exchange: the round of day 14 releases 6
    ... from the day they agree it, before those terms fall due'."""
    changes: list[str] = []
    if x.by is not None:
        changes.append(
            f"its deadline to {phase_name(agreement, x.by.phase)} day {x.by.day}"
            if x.by.day is not None
            else f"its deadline to the {x.by.at} of {phase_name(agreement, x.by.phase)}"
        )
    if x.days is not None:
        changes.append(f"its deadline {x.days} day{'s' if x.days != 1 else ''} later")
    if x.quantity is not None:
        changes.append(f"its quantity to {x.quantity}")
    for r in x.rounds:
        what = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in r.release.items())
        changes.append(f"the round of day {r.day} to {what}")
    return (
        f"{parties(agreement, x.parties)} together change clause {x.amends}: "
        f"{'; '.join(changes)}, from the day they agree it, before those terms fall due"
    )


def statement(clause: Clause) -> str:
    """A clause with no norm: what it is, then its words (quoted when they are the text's)."""
    text = re.sub(r"\s+", " ", clause.text).strip().rstrip(".,;:")
    words = f"“{text}”" if clause.words == "quote" else text
    what = {"reporting": "A reporting commitment"}.get(
        str(clause.statement), f"A {clause.statement}"
    )
    return f"{what}: {words} (clause {clause.id})."
