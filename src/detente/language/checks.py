"""Semantic checks of a loaded agreement: what the shape alone cannot say.

Each check is a function taking the :class:`Loaded` agreement and yielding
problems; :data:`CHECKS` lists them in order. Adding a check touches this file
and one line of that tuple.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from detente.errors import Problem
from detente.language.expressions import ExpressionError, atoms, parse, reference_problems
from detente.language.located import Loaded
from detente.language.model import (
    CLAUSE_ID_PATTERN,
    Agreement,
    Amendment,
    Clause,
    Party,
    PowerAction,
    Role,
    When,
)

Check = Callable[[Loaded], Iterator[Problem]]


def _p(
    loaded: Loaded, loc: tuple[str | int, ...], message: str, severity: str = "error"
) -> Problem:
    path, line, col = loaded.where(loc)
    return Problem(path, line, col, message, severity)


def names(agreement: Agreement) -> dict[str, set[str]]:
    """The identifiers a spec defines, by kind (what expressions may refer to)."""
    return {
        "phase": {p.id for p in agreement.phases},
        "clause": {c.id for c in agreement.clauses},
        "negotiation": {c.id for c in agreement.clauses if c.negotiation is not None},
        "stock": {s.id for s in agreement.stocks},
        "party": {p.id for p in agreement.parties},
    }


_IDENT = re.compile(r"[a-z][a-z0-9_]*")
_CLAUSE_ID = re.compile(CLAUSE_ID_PATTERN.strip("^$"))


def _unreadable(loaded: Loaded, key: str) -> bool:
    """Whether some entry under ``key`` has no usable id (missing, or not a valid id): a
    reference to an unknown id may then be to that entry, so it is not reported again
    (one root cause, one error; the rest shows once the entry is mended). An entry whose
    id is fine but whose shape is not still counts as known (:func:`_known`)."""
    raw = loaded.data.get(key) if isinstance(loaded.data, dict) else None
    if not isinstance(raw, list):
        return False
    pattern = _CLAUSE_ID if key == "clauses" else _IDENT
    return any(not isinstance(i, dict) or not pattern.fullmatch(str(i.get("id", ""))) for i in raw)


def _known(loaded: Loaded, key: str) -> set[str]:
    """Ids declared under ``key``: in the model, and in the file even where an entry
    failed its shape check (so one bad phase does not make every reference to it unknown).
    """
    declared = {str(item.id) for item in getattr(loaded.agreement, key)}
    raw = loaded.data.get(key) if isinstance(loaded.data, dict) else None
    if isinstance(raw, list):
        declared |= {str(i["id"]) for i in raw if isinstance(i, dict) and "id" in i}
    return declared


def unknown(noun: str, name: str, known: Iterable[str], otherwise: str = "") -> str:
    """ "no party 'isreal' in this agreement; did you mean 'israel'?" (or ``otherwise``)."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    tail = f"; did you mean {close[0]!r}?" if close else (f" ({otherwise})" if otherwise else "")
    return f"no {noun} {name!r} in this agreement{tail}"


# --------------------------------------------------------------------------- uniqueness


def unique_ids(loaded: Loaded) -> Iterator[Problem]:
    a = loaded.agreement
    groups: dict[str, list[Any]] = {
        "parties": a.parties,
        "sources": a.sources,
        "stocks": a.stocks,
        "actions": a.actions,
        "phases": a.phases,
        "clauses": a.clauses,
    }
    for key, items in groups.items():
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                noun = "party" if key == "parties" else key[:-1]
                yield _p(loaded, (key, i, "id"), f"{noun} id {item.id!r} is used twice")
            seen.add(item.id)
    labels = Counter(e.label for e in a.expectations)
    for i, e in enumerate(a.expectations):
        if labels[e.label] > 1:
            yield _p(loaded, ("expectations", i), f"expectation {e.label!r} is listed twice")


# --------------------------------------------------------------------------- references


def _party_ref(
    loaded: Loaded, loc: tuple[str | int, ...], party: str, *, roles: tuple[Role, ...] = ()
) -> Iterator[Problem]:
    a = loaded.agreement
    found = next((p for p in a.parties if p.id == party), None)
    if found is None:
        known = _known(loaded, "parties")
        if party not in known and not _unreadable(loaded, "parties"):
            yield _p(loaded, loc, unknown("party", party, known))
    elif roles and found.role not in roles:
        wanted = " or ".join(r.value for r in roles)
        yield _p(loaded, loc, f"{party!r} is a {found.role.value}, but this must be a {wanted}")


def _phase_ref(loaded: Loaded, loc: tuple[str | int, ...], phase: str) -> Iterator[Problem]:
    known = _known(loaded, "phases")
    if phase not in known and not _unreadable(loaded, "phases"):
        yield _p(loaded, loc, unknown("phase", phase, known))


def _stock_ref(loaded: Loaded, loc: tuple[str | int, ...], stock: str) -> Iterator[Problem]:
    known = _known(loaded, "stocks")
    if stock not in known and not _unreadable(loaded, "stocks"):
        yield _p(loaded, loc, unknown("stock", stock, known, "declare it under `stocks`"))


def _clause_ref(
    loaded: Loaded, loc: tuple[str | int, ...], clause: str, kind: str | None = None
) -> Iterator[Problem]:
    a = loaded.agreement
    found = next((c for c in a.clauses if c.id == clause), None)
    if found is None:
        known = _known(loaded, "clauses")
        if clause not in known and not _unreadable(loaded, "clauses"):
            yield _p(loaded, loc, unknown("clause", clause, known))
    elif kind is not None and found.kind != kind:
        yield _p(loaded, loc, f"clause {clause!r} is a {found.kind}, not a {kind}")


_DAY_ZERO = (
    "day 0: this agreement counts its first day as day 1; if the text calls it day 0, "
    "write `counting: day_zero`"
)


def _when_ref(loaded: Loaded, loc: tuple[str | int, ...], when: When | None) -> Iterator[Problem]:
    if when is None:
        return
    a = loaded.agreement
    if when.phase not in {p.id for p in a.phases}:
        known = _known(loaded, "phases")
        if when.phase not in known and not _unreadable(loaded, "phases"):
            yield _p(loaded, (*loc, "phase"), unknown("phase", when.phase, known))
        return
    phase = a.phase(when.phase)
    if when.day == 0 and a.counting != "day_zero":
        yield _p(loaded, (*loc, "day"), _DAY_ZERO)
    if when.day is not None and phase.duration_days is not None and when.day > phase.duration_days:
        yield _p(
            loaded,
            (*loc, "day"),
            f"day {when.day} is outside {phase.id!r}, which lasts {phase.duration_days} days",
        )
    if when.at == "end" and phase.duration_days is None:
        yield _p(loaded, loc, f"{phase.id!r} is open-ended: it has no end to count from")


def references(loaded: Loaded) -> Iterator[Problem]:
    a = loaded.agreement
    for i, s in enumerate(a.stocks):
        yield from _party_ref(loaded, ("stocks", i, "holder"), s.holder)
    for i, ph in enumerate(a.phases):
        if ph.starts.after is not None:
            yield from _phase_ref(loaded, ("phases", i, "starts", "after"), ph.starts.after)
        if ph.starts.upon_agreement is not None:
            yield from _clause_ref(
                loaded,
                ("phases", i, "starts", "upon_agreement"),
                ph.starts.upon_agreement,
                "negotiation",
            )
        if ph.at_expiry.negotiation is not None:
            yield from _clause_ref(
                loaded,
                ("phases", i, "at_expiry", "negotiation"),
                ph.at_expiry.negotiation,
                "negotiation",
            )
        if ph.at_expiry.clause is not None:
            yield from _clause_ref(
                loaded, ("phases", i, "at_expiry", "clause"), ph.at_expiry.clause
            )
    for i, c in enumerate(a.clauses):
        yield from _clause_references(loaded, ("clauses", i), c)
    for i, e in enumerate(a.expectations):
        loc: tuple[str | int, ...] = ("expectations", i)
        if e.protects is not None:
            yield from _party_ref(loaded, (*loc, "protects"), e.protects, roles=(Role.party,))
        for j, party in enumerate(e.parties or []):
            yield from _party_ref(loaded, (*loc, "parties", j), party, roles=(Role.party,))
        if e.formula is not None:
            yield from _formula(loaded, (*loc, "formula"), e.formula, temporal=True)


#: What a condition on a norm (`once`, `while`, `opens_when`) may not read: whether norms
#: bind or powers are available, which such conditions themselves decide.
_NOT_ON_NORMS = {"ceasefire", "in_effect", "available"}


def _formula(
    loaded: Loaded,
    loc: tuple[str | int, ...],
    text: str,
    *,
    temporal: bool,
    on_norm: bool = False,
) -> Iterator[Problem]:
    try:
        f = parse(text, temporal=temporal)
    except ExpressionError as exc:
        where = f" (at character {exc.column})" if exc.column else ""
        yield _p(loaded, loc, f"cannot read {text!r}: {exc}{where}")
        return
    if on_norm:
        for name in sorted({a.name for a in atoms(f)} & _NOT_ON_NORMS):
            yield _p(
                loaded,
                loc,
                f"a condition on a norm cannot use {name!r}: it would read what such "
                "conditions decide (use fulfilled, violated, released, compliant, phases, "
                "talks or hostilities)",
            )
            return
    known = names(loaded.agreement)
    # a clause whose shape failed is still declared: one root cause, one error
    known["clause"] = known["clause"] | _known(loaded, "clauses")
    for sentence in reference_problems(f, known):
        yield _p(loaded, loc, sentence)


def _for_each(loaded: Loaded, n: tuple[str | int, ...], c: Clause) -> Iterator[Problem]:
    """A counter-release per instalment answers a release of a quantity of a stock, made
    once (no recurrence), through no cycle; a `quantity` it states is `per_unit` x that."""
    a = loaded.agreement
    o = c.obligation
    assert o is not None and o.for_each is not None
    loc = (*n, "for_each", "clause")
    target = o.for_each.clause
    by_id = {x.id: x for x in a.clauses}
    if target not in by_id:
        yield from _clause_ref(loaded, loc, target)
        return
    chain, cur = [c.id], target
    while cur in by_id:
        if cur in chain:
            path = " -> ".join([*chain[chain.index(cur) :], cur])
            yield _p(
                loaded,
                loc,
                f"clause {c.id}: counter-releases per instalment answer each other in a "
                f"cycle ({path}); each must answer a release with a stated quantity",
            )
            return
        chain.append(cur)
        nxt = by_id[cur].obligation
        if nxt is None or nxt.for_each is None:
            break
        cur = nxt.for_each.clause
    x = by_id[target].obligation
    if x is None or x.action != "release" or x.quantity is None or x.category is None:
        what = "has no obligation" if x is None else f"is a duty to {x.action.replace('_', ' ')}"
        if x is not None and x.action == "release":
            what = "is a release with no `quantity`" if x.quantity is None else "names no stock"
        yield _p(
            loaded,
            loc,
            f"clause {target!r} {what}; `for_each` answers a release of a stock (an "
            "obligation with `action: release`, `category` and `quantity`)",
        )
        return
    if x.recurrence is not None:
        yield _p(
            loaded,
            loc,
            f"clause {target!r} recurs; `for_each` answers a release made once, in instalments",
        )
    if "quantity" in o.model_fields_set and o.quantity != o.for_each.per_unit * x.quantity:
        yield _p(
            loaded,
            (*n, "quantity"),
            f"clause {c.id}: {o.for_each.per_unit} for each of the {x.quantity} of clause "
            f"{target} is {o.for_each.per_unit * x.quantity}, not {o.quantity}; drop "
            "`quantity` (it follows from `for_each`) or correct it",
        )


def _clause_references(loaded: Loaded, loc: tuple[str | int, ...], c: Clause) -> Iterator[Problem]:
    a = loaded.agreement
    if c.phase is not None:
        yield from _phase_ref(loaded, (*loc, "phase"), c.phase)
    if c.obligation is not None:
        o, n = c.obligation, (*loc, "obligation")
        yield from _party_ref(loaded, (*n, "debtor"), o.debtor)
        yield from _party_ref(loaded, (*n, "creditor"), o.creditor)
        if o.action not in a.action_ids:
            yield _p(
                loaded,
                (*n, "action"),
                unknown("action", o.action, a.action_ids, "declare it under `actions`"),
            )
        if o.category is not None:
            yield from _stock_ref(loaded, (*n, "category"), o.category)
        if o.window is not None:
            yield from _when_ref(loaded, (*n, "window", "from"), o.window.from_)
            yield from _when_ref(loaded, (*n, "window", "by"), o.window.by)
        if o.once is not None:
            yield from _formula(loaded, (*n, "once"), o.once, temporal=False, on_norm=True)
        if o.for_each is not None:
            yield from _for_each(loaded, n, c)
        if o.recurrence is not None:
            yield from _when_ref(loaded, (*n, "recurrence", "until"), o.recurrence.until)
        if o.on_violation is not None:
            yield from _clause_ref(
                loaded, (*n, "on_violation", "grants"), o.on_violation.grants, "power"
            )
    elif c.prohibition is not None:
        p, n = c.prohibition, (*loc, "prohibition")
        for j, party in enumerate(p.parties):
            yield from _party_ref(loaded, (*n, "parties", j), party)
        if p.act not in a.action_ids:
            yield _p(
                loaded,
                (*n, "act"),
                unknown("action", p.act, a.action_ids, "declare it under `actions`"),
            )
        for j, phase in enumerate(p.during):
            yield from _phase_ref(loaded, (*n, "during", j), phase)
        if p.while_ is not None:
            yield from _formula(loaded, (*n, "while"), p.while_, temporal=False, on_norm=True)
    elif c.exchange is not None:
        x, n = c.exchange, (*loc, "exchange")
        yield from _phase_ref(loaded, (*n, "phase"), x.phase)
        yield from _party_ref(loaded, (*n, "releasing"), x.releasing)
        yield from _party_ref(loaded, (*n, "counterpart"), x.counterpart)
        for j, r in enumerate(x.ratios):
            yield from _stock_ref(loaded, (*n, "ratios", j, "category"), r.category)
            yield from _stock_ref(loaded, (*n, "ratios", j, "counter_category"), r.counter_category)
        for j, rnd in enumerate(x.rounds):
            for stock in rnd.release:
                yield from _stock_ref(loaded, (*n, "rounds", j, "release", stock), stock)
            for stock in rnd.counter_release or {}:
                yield from _stock_ref(loaded, (*n, "rounds", j, "counter_release", stock), stock)
        for stock in [*x.totals, *x.counter_totals]:
            yield from _stock_ref(loaded, n, stock)
    elif c.power is not None:
        pw, n = c.power, (*loc, "power")
        yield from _party_ref(loaded, (*n, "holder"), pw.holder)
        for j, party in enumerate(pw.requires_consent):
            yield from _party_ref(loaded, (*n, "requires_consent", j), party)
        for j, phase in enumerate(pw.available.during):
            yield from _phase_ref(loaded, (*n, "available", "during", j), phase)
        yield from _when_ref(loaded, (*n, "available", "after"), pw.available.after)
        if pw.available.condition is not None:
            yield from _formula(
                loaded, (*n, "available", "if"), pw.available.condition, temporal=False
            )
        yield from _power_target(loaded, n, pw.action, pw.target, pw.days)
        yield from _self_defence(loaded, n, pw.holder, pw.action, pw.against)
    elif c.amendment is not None:
        am, n = c.amendment, (*loc, "amendment")
        for j, party in enumerate(am.parties):
            yield from _party_ref(loaded, (*n, "parties", j), party)
        if am.amends is not None:
            yield from _clause_amendment(loaded, n, am)
        else:
            yield from _phase_ref(loaded, (*n, "extends"), am.target)
        found = next((p for p in loaded.agreement.phases if p.id == am.extends), None)
        if found is not None and found.duration_days is None:
            yield _p(
                loaded,
                (*n, "extends"),
                f"phase {am.extends!r} is open-ended: an amendment extends a phase with "
                "`duration_days`",
            )
        for j, phase_id in enumerate(am.available.during):
            yield from _phase_ref(loaded, (*n, "available", "during", j), phase_id)
        yield from _when_ref(loaded, (*n, "available", "after"), am.available.after)
        if am.available.condition is not None:
            yield from _formula(
                loaded, (*n, "available", "if"), am.available.condition, temporal=False
            )
    elif c.negotiation is not None:
        g, n = c.negotiation, (*loc, "negotiation")
        for j, party in enumerate(g.between):
            yield from _party_ref(loaded, (*n, "between", j), party)
        for j, party in enumerate(g.mediators):
            yield from _party_ref(
                loaded, (*n, "mediators", j), party, roles=(Role.mediator, Role.guarantor)
            )
        yield from _when_ref(loaded, (*n, "starts_by"), g.starts_by)
        if g.opens_when is not None:
            yield from _formula(
                loaded, (*n, "opens_when"), g.opens_when, temporal=False, on_norm=True
            )
        if g.on_agreed is not None:
            yield from _phase_ref(loaded, (*n, "on_agreed"), g.on_agreed)
    elif c.extension is not None:
        e, n = c.extension, (*loc, "extension")
        yield from _phase_ref(loaded, (*n, "phase"), e.phase)
        yield from _party_ref(loaded, (*n, "releasing"), e.releasing)
        yield from _stock_ref(loaded, (*n, "category"), e.category)


#: Norms a power can suspend: the ones that bind someone to do or not do something.
SUSPENDABLE = ("obligation", "prohibition", "exchange")


def _power_target(
    loaded: Loaded,
    n: tuple[str | int, ...],
    action: PowerAction,
    target: str | None,
    days: int | None,
) -> Iterator[Problem]:
    needs = {
        PowerAction.declare_failed: "negotiation",
        PowerAction.arbitrate: "negotiation",
        PowerAction.suspend_clause: "clause",
        PowerAction.extend_phase: "phase",
    }
    kind = needs.get(action)
    if kind is None:
        if target is not None:
            yield _p(loaded, (*n, "target"), f"{action.value} takes no `target`")
    elif target is None:
        yield _p(loaded, n, f"{action.value} needs a `target`: the {kind} it acts on")
    elif kind == "phase":
        yield from _phase_ref(loaded, (*n, "target"), target)
    elif kind == "negotiation":
        yield from _clause_ref(loaded, (*n, "target"), target, "negotiation")
    else:
        found = next((c for c in loaded.agreement.clauses if c.id == target), None)
        if found is None:
            yield from _clause_ref(loaded, (*n, "target"), target)
        elif found.kind not in SUSPENDABLE:
            yield _p(
                loaded,
                (*n, "target"),
                f"clause {target!r} is a {found.kind}: suspend_clause suspends an obligation, "
                "a prohibition or an exchange",
            )
    if action == PowerAction.extend_phase and days is None:
        yield _p(loaded, n, "extend_phase needs `days`: by how many days")


def _self_defence(
    loaded: Loaded,
    n: tuple[str | int, ...],
    holder: str,
    action: PowerAction,
    against: list[str],
) -> Iterator[Problem]:
    """`against` names the parties whose attacks a self-defence power answers."""
    if against and action != PowerAction.self_defence:
        yield _p(loaded, (*n, "against"), f"only self_defence takes `against`, not {action.value}")
        return
    for j, party in enumerate(against):
        if party == holder:
            yield _p(
                loaded,
                (*n, "against", j),
                f"{party!r} holds this power: self-defence answers another party's attacks",
            )
        else:
            yield from _party_ref(loaded, (*n, "against", j), party, roles=(Role.party,))


# --------------------------------------------------------------------------- sources


def source_refs(loaded: Loaded) -> Iterator[Problem]:
    """A source reference that is a bare word must name an entry of `sources`."""
    declared = {s.id for s in loaded.agreement.sources}

    def visit(value: Any, loc: tuple[str | int, ...]) -> Iterator[Problem]:
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "source":
                    refs = [v] if isinstance(v, str) else v if isinstance(v, list) else []
                    for j, ref in enumerate(refs):
                        if isinstance(ref, str) and _is_source_id(ref) and ref not in declared:
                            at = (*loc, k) if isinstance(v, str) else (*loc, k, j)
                            yield _p(loaded, at, f"no source {ref!r} under `sources`")
                else:
                    yield from visit(v, (*loc, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from visit(v, (*loc, i))

    yield from visit(loaded.data, ())


def _is_source_id(ref: str) -> bool:
    return ref.replace("_", "a").isalnum() and ref[:1].isalpha() and ref.islower()


# --------------------------------------------------------------------------- phases


def phase_order(loaded: Loaded) -> Iterator[Problem]:
    """Exactly one phase starts on entry into force, and phases start after earlier ones."""
    a = loaded.agreement
    first = [i for i, p in enumerate(a.phases) if p.starts.entry_into_force]
    if len(first) != 1 and not (loaded.partial and len(first) == 0):
        yield _p(
            loaded,
            ("phases",),
            f"exactly one phase starts on entry_into_force; {len(first)} do",
        )
    index = {p.id: i for i, p in enumerate(a.phases)}
    for i, p in enumerate(a.phases):
        if p.starts.after is not None and p.starts.after in index and index[p.starts.after] >= i:
            yield _p(
                loaded,
                ("phases", i, "starts", "after"),
                f"{p.id!r} starts after {p.starts.after!r}, which is not an earlier phase",
            )
    # Phases run one after another: one after an open-ended phase starts only upon an
    # agreement (which ends the open-ended phase); otherwise it could never start.
    for i, p in enumerate(a.phases[1:], 1):
        before = a.phases[i - 1]
        if (
            before.duration_days is None
            and not p.starts.entry_into_force
            and p.starts.upon_agreement is None
        ):
            yield _p(
                loaded,
                ("phases", i, "starts"),
                f"{p.id!r} can never start: {before.id!r} before it is open-ended and never "
                f"over, and a phase starts only once the one before it is over (start "
                f"{p.id!r} `upon_agreement` of a negotiation, whose agreement ends "
                f"{before.id!r}; or give {before.id!r} `duration_days` and an `at_expiry` rule)",
            )
    # A phase waiting for talks that open only once it (or a later phase) has started.
    for i, p in enumerate(a.phases):
        n = p.starts.upon_agreement
        neg = next((c for c in a.clauses if c.id == n and c.negotiation is not None), None)
        if neg is None or neg.negotiation is None:
            continue
        g = neg.negotiation
        home = g.starts_by.phase if g.starts_by is not None else (neg.phase or a.phases[0].id)
        if home in index and index[home] >= i:
            yield _p(
                loaded,
                ("phases", i, "starts", "upon_agreement"),
                f"{p.id!r} can never start: it waits for the agreement of {n!r}, whose talks "
                f"open only in {home!r}, which {'is' if home == p.id else 'comes after'} "
                f"{p.id!r} (put clause {n} in an earlier phase)",
            )


def publishers(loaded: Loaded) -> Iterator[Problem]:
    """A source read on the web names who reported it (a warning: the fact still stands)."""
    for i, s in enumerate(loaded.agreement.sources):
        if s.url is not None and s.publisher is None:
            yield _p(
                loaded,
                ("sources", i),
                f"source {s.id!r} names no publisher: say who did the reporting (the outlet "
                "or the official body) beside the address, e.g. `publisher: AP, via whio.com`",
                "warning",
            )


# --------------------------------------------------------------------------- time


def _position(a: Agreement, when: When) -> tuple[int, float] | None:
    """Where a time falls: (phase index, day inside it); None if it cannot be placed."""
    index = {p.id: i for i, p in enumerate(a.phases)}
    if when.phase not in index:
        return None
    phase = a.phases[index[when.phase]]
    if when.day is not None:
        return (index[when.phase], when.day)
    if when.at == "start":
        return (index[when.phase], 1)
    if phase.duration_days is None:
        return None
    return (index[when.phase], phase.duration_days)


def windows(loaded: Loaded) -> Iterator[Problem]:
    """An obligation's window opens no later than its deadline."""
    a = loaded.agreement
    for i, c in enumerate(a.clauses):
        o = c.obligation
        if o is None or o.window is None or o.window.from_ is None or o.window.by is None:
            continue
        start, end = _position(a, o.window.from_), _position(a, o.window.by)
        if start is not None and end is not None and start > end:
            yield _p(
                loaded,
                ("clauses", i, "obligation", "window", "from"),
                f"the window opens at {o.window.from_}, after its deadline {o.window.by}",
            )
        if o.recurrence is not None and o.recurrence.until is not None:
            until = _position(a, o.recurrence.until)
            if start is not None and until is not None and until < start:
                yield _p(
                    loaded,
                    ("clauses", i, "obligation", "recurrence", "until"),
                    f"the recurrence stops at {o.recurrence.until}, before the window opens "
                    f"at {o.window.from_}",
                )


def round_days(loaded: Loaded) -> Iterator[Problem]:
    """Every exchange round falls on a day of the exchange's phase."""
    a = loaded.agreement
    phases = {p.id: p for p in a.phases}
    for i, c in enumerate(a.clauses):
        x = c.exchange
        if x is None or x.phase not in phases:
            continue
        length = phases[x.phase].duration_days
        for j, rnd in enumerate(x.rounds):
            if rnd.day == 0 and a.counting != "day_zero":
                yield _p(loaded, ("clauses", i, "exchange", "rounds", j, "day"), _DAY_ZERO)
            if length is not None and rnd.day > length:
                yield _p(
                    loaded,
                    ("clauses", i, "exchange", "rounds", j, "day"),
                    f"round {j + 1} falls on day {rnd.day}, outside {x.phase!r}, "
                    f"which lasts {length} days",
                )


# --------------------------------------------------------------------------- exchanges


def releases_within_stock(loaded: Loaded) -> Iterator[Problem]:
    """Rounds never release, in all, more of a stock than its holder has (when counted)."""
    from detente.language.totals import counter_release

    a = loaded.agreement
    stocks = {s.id: s for s in a.stocks}
    released: dict[str, int] = {}
    reported: set[str] = set()

    def take(stock: str, n: int, loc: tuple[str | int, ...], who: str) -> Iterator[Problem]:
        s = stocks.get(stock)
        if s is None or s.count is None:
            return
        released[stock] = released.get(stock, 0) + n
        if released[stock] > s.count and stock not in reported:
            reported.add(stock)
            if s.approximate:
                # an approximate count is read as its lower bound: more may be held
                yield _p(
                    loaded,
                    loc,
                    f"by this round {who} has released {released[stock]:,} {stock}, more "
                    f"than the {s.count:,} the checker reads from the figures "
                    f"({'; '.join(str(f) for f in s.figures)}): its verdicts assume no more "
                    "is held",
                    "warning",
                )
                return
            yield _p(
                loaded,
                loc,
                f"by this round {who} has released {released[stock]:,} {stock}, "
                f"but {s.holder} holds only {s.count:,}",
            )

    for i, c in enumerate(a.clauses):
        x = c.exchange
        if x is None:
            continue
        n = ("clauses", i, "exchange", "rounds")
        for j, rnd in enumerate(x.rounds):
            for stock, count in rnd.release.items():
                yield from take(stock, count, (*n, j, "release", stock), x.releasing)
            stated = rnd.counter_release is not None
            for stock, count in counter_release(x, rnd).items():
                at = (*n, j, "counter_release", stock) if stated else (*n, j)
                yield from take(stock, count, at, x.counterpart)
    for i, c in enumerate(a.clauses):
        x = c.exchange
        if x is None:
            continue
        for who, part in ((x.releasing, "releasing"), (x.counterpart, "counterpart")):
            cats = (
                [s for r in x.rounds for s in r.release]
                if part == "releasing"
                else [s for r in x.rounds for s in counter_release(x, r)]
            )
            for stock in dict.fromkeys(cats):
                s = stocks.get(stock)
                # a holder that is no party is reported once, where the stock names it
                if s is not None and s.holder != who and s.holder in _known(loaded, "parties"):
                    yield _p(
                        loaded,
                        ("clauses", i, "exchange", part),
                        f"{who} releases {stock}, but {stock} is held by {s.holder}",
                    )


def totals_add_up(loaded: Loaded) -> Iterator[Problem]:
    """Rounds sum to the stated totals, and ratios give the stated counts (static)."""
    from detente.language.totals import exchange_findings

    for i, c in enumerate(loaded.agreement.clauses):
        if c.exchange is None:
            continue
        n: tuple[str | int, ...] = ("clauses", i, "exchange")
        for f in exchange_findings(c.id, c.exchange):
            if f.round is not None:
                loc: tuple[str | int, ...] = (*n, "rounds", f.round - 1, f.part)
            else:
                loc = (*n, f.part)
            yield _p(loaded, (*loc, f.category) if f.category else loc, f.message)


# --------------------------------------------------------------------------- negotiations


def negotiation_phases(loaded: Loaded) -> Iterator[Problem]:
    """A negotiation's `on_agreed` phase starts upon it, and a phase that continues while a
    negotiation is open can see it open.
    """
    a = loaded.agreement
    phases = {p.id: (i, p) for i, p in enumerate(a.phases)}
    for i, c in enumerate(a.clauses):
        g = c.negotiation
        if g is None or g.on_agreed is None or g.on_agreed not in phases:
            continue
        _, phase = phases[g.on_agreed]
        if phase.starts.upon_agreement != c.id:
            how = (
                f"starts upon the agreement of {phase.starts.upon_agreement!r}"
                if phase.starts.upon_agreement
                else "does not start upon an agreement"
            )
            yield _p(
                loaded,
                ("clauses", i, "negotiation", "on_agreed"),
                f"agreeing here starts {g.on_agreed!r}, but that phase {how}; "
                f'give it `starts: {{upon_agreement: "{c.id}"}}`',
            )
    for i, ph in enumerate(a.phases):
        n = ph.at_expiry.negotiation
        if n is None:
            continue
        neg = next((c for c in a.clauses if c.id == n and c.negotiation is not None), None)
        if neg is None or neg.negotiation is None:
            continue
        target = neg.negotiation.on_agreed
        if target in phases and phases[target][0] <= i:
            yield _p(
                loaded,
                ("phases", i, "at_expiry", "negotiation"),
                f"{ph.id!r} continues while negotiation {n!r} is open, but that negotiation "
                f"is agreed before {ph.id!r} starts (its agreement starts {target!r})",
            )


def anchored_windows(loaded: Loaded) -> Iterator[Problem]:
    """Deadlines counted `after` an anchor: the anchor exists, is no cycle, has a day the
    text fixes, and the deadline falls inside the anchor's phase."""
    from detente.language import calendar as anchors

    a = loaded.agreement
    for i, c in enumerate(a.clauses):
        o = c.obligation
        if o is None or o.window is None or o.window.after is None:
            continue
        loc: tuple[str | int, ...] = ("clauses", i, "obligation", "window", "after")
        anchor = o.window.after
        if anchor.phase is not None:
            before = len(list(_phase_ref(loaded, (*loc, "phase"), anchor.phase)))
            yield from _phase_ref(loaded, (*loc, "phase"), anchor.phase)
            if before:
                continue
        if anchor.act is not None and anchor.by is not None:
            yield from _act_anchor(loaded, loc, anchor.act, anchor.by)
            if o.recurrence is not None:
                yield _p(
                    loaded,
                    ("clauses", i, "obligation", "recurrence"),
                    "a duty counted from a party's act falls due once, when the act is "
                    "done; it takes no `recurrence`",
                )
            continue
        if anchor.fulfilled is not None:
            target = next((t for t in a.clauses if t.id == anchor.fulfilled), None)
            if target is None or target.obligation is None:
                yield from _clause_ref(loaded, (*loc, "fulfilled"), anchor.fulfilled, "obligation")
                continue
            if target.id == c.id:
                yield _p(loaded, (*loc, "fulfilled"), "a deadline cannot count from its own clause")
                continue
            if target.obligation.recurrence is not None:
                yield _p(
                    loaded,
                    (*loc, "fulfilled"),
                    f"clause {target.id!r} recurs: count from a one-off duty's fulfilment",
                )
                continue
        if o.recurrence is not None:
            yield _p(
                loaded,
                ("clauses", i, "obligation", "recurrence"),
                "a recurring duty is counted in days of its phase: write its window with `by`",
            )
            continue
        at = anchors.due_point(a, o)
        if at is None:
            yield _p(
                loaded,
                (*loc, "fulfilled"),
                f"clause {anchor.fulfilled!r} has no fixed deadline (a cycle of anchors, or the "
                "end of an open-ended phase), so nothing can be counted from it",
            )
            continue
        phase = next((p for p in a.phases if p.id == at[0]), None)
        if phase is not None and phase.duration_days is not None:
            length = anchors.span(a, phase.duration_days)
            if at[1] > length:
                yield _p(
                    loaded,
                    ("clauses", i, "obligation", "window", "within"),
                    f"{o.window.within} after {anchor} falls after the last day of "
                    f"{phase.id!r}; place the duty in the phase where it falls, with `by`",
                )


def _act_anchor(loaded: Loaded, loc: tuple[str | int, ...], act: str, by: str) -> Iterator[Problem]:
    """An act a deadline is counted from: a declared action, done by a declared party
    that may act in the agreement's name (not an observer, nor a non-signatory: the
    party answering for it holds its acts)."""
    a = loaded.agreement
    known = _known(loaded, "actions")
    if act not in known and not _unreadable(loaded, "actions"):
        yield _p(loaded, (*loc, "act"), unknown("action", act, known, "declare it under `actions`"))
    party = next((p for p in a.parties if p.id == by), None)
    if party is None:
        yield from _party_ref(loaded, (*loc, "by"), by)
    elif party.role in (Role.observer, Role.non_signatory):
        holder = next((p.id for p in a.parties if by in p.answers_for), None)
        hint = f"; name {holder!r}, which answers for it" if holder else ""
        yield _p(
            loaded,
            (*loc, "by"),
            f"{by!r} is a {party.role.value}: it holds no act a deadline can count from{hint}",
        )


def parts_and_means(loaded: Loaded) -> Iterator[Problem]:
    """A duty's `unit` counts its `quantity`; a duty of means says what its efforts are for."""
    for i, c in enumerate(loaded.agreement.clauses):
        o = c.obligation
        if o is None:
            continue
        if o.no_deadline and o.recurrence is not None:
            yield _p(
                loaded,
                ("clauses", i, "obligation", "recurrence"),
                f"clause {c.id}: a recurring duty needs a `window` to recur in; a duty with no "
                "deadline has none",
            )
        if o.unit is not None and o.quantity is None:
            yield _p(
                loaded,
                ("clauses", i, "obligation", "unit"),
                f"clause {c.id}: `unit` says what `quantity` counts, but the duty has no quantity",
            )


# --------------------------------------------------------------------------- roles


def roles(loaded: Loaded) -> Iterator[Problem]:
    """Who answers for whom (``answers_for`` names a non-signatory, once), and who may hold
    a power or owe a duty (a party, a mediator or a guarantor; not an observer, a
    monitoring mechanism or a non-signatory)."""
    a = loaded.agreement
    by_id = {p.id: p for p in a.parties}
    answered: dict[str, str] = {}
    for i, p in enumerate(a.parties):
        for j, group in enumerate(p.answers_for):
            loc: tuple[str | int, ...] = ("parties", i, "answers_for", j)
            found = by_id.get(group)
            if found is None:
                yield from _party_ref(loaded, loc, group)
            elif found.role != Role.non_signatory:
                yield _p(
                    loaded,
                    loc,
                    f"{p.id!r} answers for {group!r}, which is a {found.role.value}: only a "
                    f"non-signatory is answered for (give {group!r} `role: non_signatory`)",
                )
            elif group in answered:
                yield _p(
                    loaded,
                    loc,
                    f"{group!r} is already answered for by {answered[group]!r}; one party "
                    "answers for a non-signatory",
                )
            else:
                answered[group] = p.id
        if p.answers_for and p.role != Role.party:
            yield _p(
                loaded,
                ("parties", i, "answers_for"),
                f"{p.id!r} is a {p.role.value}: only a party answers for a non-signatory",
            )
    for i, p in enumerate(a.parties):
        if p.role == Role.non_signatory and p.id not in answered:
            yield _p(
                loaded,
                ("parties", i, "role"),
                f"non-signatory {p.id!r} is answered for by no party: its acts count against "
                "nobody (add it to a party's `answers_for`)",
                "warning",
            )

    def owes(loc: tuple[str | int, ...], who: str, what: str) -> Iterator[Problem]:
        found = by_id.get(who)
        if found is None:
            return
        if found.role == Role.non_signatory:
            instead = (
                f"name {answered[who]!r}, which answers for it"
                if who in answered
                else ("name the party that answers for it")
            )
            yield _p(loaded, loc, f"{who!r} is a non-signatory and {what}: {instead}")
        elif found.role in (Role.observer, Role.monitor):
            yield _p(
                loaded,
                loc,
                f"{who!r} is a{'n' if found.role == Role.observer else ''} "
                f"{found.role.value} and {what}: a party, a mediator or a guarantor may",
            )

    for i, c in enumerate(a.clauses):
        if c.power is not None:
            yield from owes(("clauses", i, "power", "holder"), c.power.holder, "holds no power")
        elif c.obligation is not None:
            yield from owes(
                ("clauses", i, "obligation", "debtor"), c.obligation.debtor, "owes no duty"
            )
        elif c.prohibition is not None:
            for j, who in enumerate(c.prohibition.parties):
                yield from _acts(loaded, ("clauses", i, "prohibition", "parties", j), by_id, who)


#: Roles whose members commit no act a prohibition could forbid (docs/semantics.md,
#: "Who can break a prohibition"): only a party acts, and a non-signatory through the
#: party that answers for it.
_NO_ACTS = (Role.mediator, Role.guarantor, Role.observer, Role.monitor)


def _acts(
    loaded: Loaded, loc: tuple[str | int, ...], by_id: dict[str, Party], who: str
) -> Iterator[Problem]:
    """A prohibition binds those who can break it: a party (a non-signatory through the
    party answering for it). A mediator, guarantor, observer or monitor has no such act."""
    found = by_id.get(who)
    if found is not None and found.role in _NO_ACTS:
        article = "an" if found.role == Role.observer else "a"
        yield _p(
            loaded,
            loc,
            f"{who!r} is {article} {found.role.value} and can break no prohibition: name a "
            "party (or a non-signatory a party answers for), or give it `role: party` if the "
            "text binds its own forces",
        )


CHECKS: tuple[Check, ...] = (
    unique_ids,
    references,
    anchored_windows,
    source_refs,
    phase_order,
    publishers,
    windows,
    round_days,
    releases_within_stock,
    totals_add_up,
    negotiation_phases,
    roles,
    parts_and_means,
)


def check_agreement(loaded: Loaded) -> list[Problem]:
    """Every semantic problem of an agreement, in file order."""
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(loaded))
    return problems


# --------------------------------------------------------------------------- clause amendments

#: Roles that sign a text (and so may agree to change it).
_SIGNING = (Role.party, Role.mediator, Role.guarantor)


def _clause_amendment(loaded: Loaded, n: tuple[str | int, ...], am: Amendment) -> Iterator[Problem]:
    """An amendment of one clause: the clause exists, the change fits its kind, and its
    parties are the clause's parties or the text's signatories."""
    a = loaded.agreement
    assert am.amends is not None
    target = next((c for c in a.clauses if c.id == am.amends), None)
    if target is None:
        yield from _clause_ref(loaded, (*n, "amends"), am.amends)
        return
    own: set[str] = set()
    if (o := target.obligation) is not None:
        own = {o.debtor, o.creditor}
        if am.rounds:
            yield _p(
                loaded,
                (*n, "rounds"),
                f"clause {am.amends!r} is an obligation: change its deadline (`by`, `days`) "
                "or `quantity`, not `rounds`",
            )
        if o.window is None or o.window.by is None or o.recurrence is not None:
            why = (
                "it has no dated deadline"
                if o.window is None or o.window.by is None
                else "it recurs"
            )
            yield _p(
                loaded,
                (*n, "amends"),
                f"clause {am.amends!r} cannot be amended: {why} (an amendment changes a duty "
                "due once, `by: <phase> day N`)",
            )
        if am.quantity is not None and o.action == "release" and o.category is not None:
            yield _p(
                loaded,
                (*n, "quantity"),
                f"clause {am.amends!r} releases from a stock: write the releases as an "
                "`exchange` and amend its `rounds`",
            )
        yield from _when_ref(loaded, (*n, "by"), am.by)
    elif (x := target.exchange) is not None:
        own = {x.releasing, x.counterpart}
        for key, given in (("by", am.by), ("days", am.days), ("quantity", am.quantity)):
            if given is not None:
                yield _p(
                    loaded,
                    (*n, key),
                    f"clause {am.amends!r} is an exchange: an amendment changes its "
                    f"`rounds`, not `{key}`",
                )
        days = [r.day for r in x.rounds]
        for j, rnd in enumerate(am.rounds):
            if rnd.day not in days:
                listed = ", ".join(str(d) for d in days)
                yield _p(
                    loaded,
                    (*n, "rounds", j, "day"),
                    f"clause {am.amends!r} has no round on day {rnd.day} (its rounds fall on "
                    f"days {listed})",
                )
            for stock in rnd.release:
                yield from _stock_ref(loaded, (*n, "rounds", j, "release", stock), stock)
            for stock in rnd.counter_release or {}:
                yield from _stock_ref(loaded, (*n, "rounds", j, "counter_release", stock), stock)
    else:
        yield _p(
            loaded,
            (*n, "amends"),
            f"clause {am.amends!r} is a {target.kind}: an amendment changes an obligation's "
            "deadline or quantity, or an exchange's rounds",
        )
    for j, party in enumerate(am.parties):
        found = next((p for p in a.parties if p.id == party), None)
        if found is not None and party not in own and found.role not in _SIGNING:
            role = found.role.value
            yield _p(
                loaded,
                (*n, "parties", j),
                f"{party!r} is {'an' if role[0] in 'aeiou' else 'a'} {role}: an amendment of "
                f"clause {am.amends!r} is agreed by the clause's parties or the text's "
                "signatories",
            )
    first = next(
        c.id for c in a.clauses if c.amendment is not None and c.amendment.amends == am.amends
    )
    mine = next(
        (c.id for c in a.clauses if c.amendment is am),
        first,
    )
    if mine != first:
        yield _p(
            loaded,
            (*n, "amends"),
            f"clause {am.amends!r} is already amended by clause {first!r}: write one "
            "amendment per clause, with every change it makes",
        )
