"""Conditions on the model's state that several stages share: which prohibitions bind,
what falls due at this time point, what is in effect, and whether the text obliges the
impossible (for ``consistent``)."""

from __future__ import annotations

from detente.export.promela.clause_amendments import amended_obligation, guard
from detente.export.promela.syntax import any_of
from detente.export.promela.tables import (
    Side,
    Tables,
    bound,
    continuing_phase,
    held,
    one_off_release,
    recurrence_until,
    running,
    started,
    window_from,
)
from detente.language.model import Clause


def binds(t: Tables, c: Clause, *, now: bool = False) -> str:
    """Prohibition ``c`` binds its parties now. A conditional one (``while``) also needs its
    condition: as it held when this step's time point arrived (``now``: the ``wh_`` bit
    step 3 takes before any choice), else on the current state (between steps)."""
    p = c.prohibition
    assert p is not None
    if p.while_ is not None:
        cond = f"wh_{t.cid[c.id]}" if now else f"WHILE_{t.cid[c.id]}"
        plain = binds(
            t, c.model_copy(update={"prohibition": p.model_copy(update={"while_": None})})
        )
        return f"({plain} && {cond})"
    # "while in force" (no `during`): until the agreement is terminated; completing
    # the agreement does not lift its ceasefire
    if not p.during:
        return f"(!sus_{t.cid[c.id]} && agr != TERMINATED)"
    where = any_of(running(ph) for ph in p.during)
    return f"(!sus_{t.cid[c.id]} && agr != TERMINATED && ({where}))"


def forbidden(t: Tables, act: str, party: str, *, now: bool = False) -> str:
    """Some prohibition of ``act`` binds ``party`` now."""
    return any_of(
        binds(t, c, now=now)
        for c, p in t.prohibitions
        if p.act == act and party in bound(t.agreement, p.parties)
    )


def ceasefire(t: Tables) -> str:
    """A ceasefire norm is in effect: some prohibition of hostilities binds."""
    return any_of(binds(t, c) for c, p in t.prohibitions if p.act == "hostilities")


def ob_in_effect(t: Tables, c: Clause) -> str:
    """Obligation ``c``'s window is open and it is not decided (a recurring one: not discharged)."""
    o = c.obligation
    assert o is not None
    v = f"ob_{t.cid[c.id]}"
    if o.triggered:  # created and not decided
        return f"(agr != TERMINATED && tr_{t.cid[c.id]} != 0 && {v} == UNDEC)"
    if o.window is None:
        # no deadline: in effect while its phase lasts (and until suspended)
        home = c.phase or t.agreement.phases[0].id
        return f"(agr != TERMINATED && {running(home)} && {v} != DISCH)"
    f = window_from(t.agreement, o)
    base = f"agr != TERMINATED && {started(f.phase)} && {started(t.deadline(o).phase)} && day >= {t.when(f)}"
    if o.recurrence is not None:
        within = f"({base} && {v} != DISCH && day <= {t.when(recurrence_until(t.agreement, o))})"
        goes_on = _continuing(t, c, due=False)
        return f"({within} || {goes_on})" if goes_on else within
    return f"({base} && {v} == UNDEC)"


def _continuing(t: Tables, c: Clause, *, due: bool) -> str:
    """A recurring obligation running to the end of a phase that continues past its
    planned end (``continues_while``) stays in effect while the phase continues, and falls
    due at each time point then with a recurrence day since the last one (past the planned
    end), and at every repeating "later" point (the day stays); "" for any other."""
    o = c.obligation
    assert o is not None and o.recurrence is not None
    ph = continuing_phase(t.agreement, o)
    if ph is None:
        return ""
    going = f"agr != TERMINATED && ph_{ph} == CONTINUING && ob_{t.cid[c.id]} != DISCH"
    k = o.recurrence.every_days
    if not due or k == 1:
        return f"({going})"
    f, u = t.when(window_from(t.agreement, o)), t.when(t.deadline(o))
    last = f"{f} + ((day - {f}) / {k}) * {k}"  # the last recurrence day at or before today
    return f"({going} && (day == prev || {last} > (prev > {u} -> prev : {u})))"


def ob_due(t: Tables, c: Clause) -> str:
    """Obligation ``c`` falls due at this time point (its debtor must choose now).

    A recurring one falls due when some recurrence point lies in ``prev+1 .. day``
    (consecutive points collapse into one step), and, if it runs to the end of a phase
    that continues past its planned end, at every time point while that phase continues."""
    o = c.obligation
    assert o is not None
    v = f"ob_{t.cid[c.id]}"
    if o.triggered:  # created, and its day has come
        tr = f"tr_{t.cid[c.id]}"
        return f"agr != TERMINATED && {v} == UNDEC && {tr} != 0 && {tr} <= day"
    if o.window is None:
        return "false"  # a duty with no deadline never falls due
    if o.recurrence is None:
        by = t.deadline(o)
        due = f"agr != TERMINATED && {v} == UNDEC && {started(by.phase)} && {t.when(by)} <= day{t.anchor_met(o)}"
        new = amended_obligation(t, c)
        if new is None:
            return due
        # the text's deadline until the amendment is made, the amended one after
        nb = t.deadline(new)
        then = f"agr != TERMINATED && {v} == UNDEC && {started(nb.phase)} && {t.when(nb)} <= day"
        return f"(({due}{guard(t, c.id, False)}) || ({then}{guard(t, c.id, True)}))"
    fw, uw = window_from(t.agreement, o), recurrence_until(t.agreement, o)
    f, u, k = t.when(fw), t.when(uw), o.recurrence.every_days
    within = (
        f"agr != TERMINATED && {v} != DISCH && {started(fw.phase)} && {started(uw.phase)}"
        f" && (prev + 1 > {f} -> prev + 1 : {f}) <= (day < {u} -> day : {u})"
        f" && {f} + (((day < {u} -> day : {u}) - {f}) / {k}) * {k} >= (prev + 1 > {f} -> prev + 1 : {f})"
    )
    goes_on = _continuing(t, c, due=True)
    return f"(({within}) || {goes_on})" if goes_on else within


def side_due(s: Side) -> str:
    """Round side ``s`` falls due at this time point."""
    return f"agr != TERMINATED && {s.var} == UNDEC && {started(s.exchange.phase)} && {s.day} <= day{s.guard}"


def side_in_effect(s: Side) -> str:
    return f"(agr != TERMINATED && {started(s.exchange.phase)} && {s.var} == UNDEC{s.guard})"


def side_done(s: Side) -> str:
    """Round side ``s`` is released, or is not a term in effect (an amendment's guard)."""
    if not s.guard:
        return f"{s.var} == FUL"
    return f"({s.var} == FUL || !(true{s.guard}))"


def inconsistent(t: Tables) -> str:
    """At this time point, before anyone chooses: something falling due now is forbidden
    to its debtor, or what falls due from a stock adds up to more than is held."""
    bad: list[str] = []
    need: dict[str, list[str]] = {}
    for c, o in t.obligations:
        if o.no_deadline:
            continue  # never falls due
        due = ob_due(t, c)
        forbid = forbidden(t, o.action, o.debtor)
        if forbid != "false":
            bad.append(f"({due} && ({forbid}))")
        release = one_off_release(o)
        if release is not None and release[0] in t.limited:
            stock, units = release
            need.setdefault(stock, []).append(f"(({due}) -> {units} : 0)")
    for s in t.sides:
        due = side_due(s)
        forbid = forbidden(t, "release", s.party)
        if forbid != "false":
            bad.append(f"({due} && ({forbid}))")
        for k, n in s.amounts.items():
            if k in t.limited:
                need.setdefault(k, []).append(f"(({due}) -> {n} : 0)")
    bad.extend(f"({' + '.join(parts)}) > {held(k)}" for k, parts in need.items())
    return any_of(bad)
