"""Step 3: the choices, made simultaneously (``docs/semantics.md``, A step).

Every choice is judged against the state at the time point: which powers are available
is fixed first (``av_``), and a power chosen now (``ex_``) takes effect only in step 4.
Each debtor fulfils or violates what falls due; each exchange round's sides release or not;
each open negotiation agrees or stalls, and one due to open by now opens or is refused;
each available power may be exercised; each party may resume hostilities, or commit
another forbidden act; an extension rule's releasing party may release more.
"""

from __future__ import annotations

from collections.abc import Iterable

from detente.export.promela.conditions import binds, forbidden, inconsistent, ob_due, side_due
from detente.export.promela.syntax import MAY_SKIP, OTHERWISE_SKIP, all_of, any_of
from detente.export.promela.tables import Tables, bit, bound, held, one_off_release, running
from detente.language.calendar import trigger_days
from detente.language.model import Clause, ExtensionRule, Role

#: Most extension-rule releases modelled when the rule gives no bound.
EXTENSION_CAP = 10


def choices(t: Tables) -> list[str]:
    """The lines of step 3."""
    lines = ["    /* 3. choices, simultaneous: what powers are available is fixed first */"]
    lines += [f"    av_{t.cid[c.id]} = AVAIL_{t.cid[c.id]};" for c, _ in t.powers]
    lines += [
        f"    wh_{t.cid[c.id]} = WHILE_{t.cid[c.id]};   /* as the time point arrives */"
        for c, _ in t.guarded
    ]
    if t.judges_consistency:
        lines.append(
            f"    incons = ({inconsistent(t)});   /* for `consistent`, before any choice */"
        )
    # an amendment of a clause first: the text's duty falling due when it is made is void
    lines += _powers(t, clauses=True)
    lines += _obligations(t)
    lines += _acts(t)
    lines += _rounds(t)
    lines += _negotiations(t)
    lines += _powers(t, clauses=False)
    lines += _hostilities(t)
    lines += _other_acts(t)
    lines += _extensions(t)
    lines.append(
        "    if :: !was_hostile && (hl_direct | hu) != 0 -> hostile = 1 :: else -> skip fi;"
    )
    return lines


def _duty(
    what: str,
    due: str,
    debtor: str,
    can: str,
    fulfil: str,
    violate: str,
    then: str = "",
    endeavour: str = "",
) -> list[str]:
    """A duty (``what``) that falls due when ``due``: its debtor carries it out (``fulfil``)
    if it ``can``, or violates it (``violate``; its bit goes into ``viol``; then ``then``),
    or, for a duty of means, makes efforts without achieving it (``endeavour``)."""
    means = f" :: true -> {endeavour}" if endeavour else ""
    return [
        f"    /* {what} */",
        f"    if :: {due} ->",
        f"         if :: {can} -> {fulfil}{means} :: true -> {violate}; viol = viol | {bit(debtor)}{then} fi",
        OTHERWISE_SKIP,
    ]


def _voidable(what: str, due: str, can: str, fulfil: str, violate: str) -> list[str]:
    """A duty whose violation an amendment made in the same step voids."""
    return [
        f"    /* {what} */",
        f"    if :: {due} ->",
        f"         if :: {can} -> {fulfil} :: true -> {violate} fi",
        OTHERWISE_SKIP,
    ]


def _obligations(t: Tables) -> list[str]:
    """What falls due is fulfilled (if it can be) or violated; a violation may grant a power."""
    lines: list[str] = []
    for c, o in t.obligations:
        if o.no_deadline:
            continue  # a duty with no deadline never falls due (semantics/means.py)
        v = f"ob_{t.cid[c.id]}"
        release = one_off_release(o)
        can = "true" if release is None else f"{held(release[0])} >= {release[1]}"
        kept = c.id in t.referenced
        if o.recurrence is None:
            # an outcome nothing reads is kept only as "decided" (FUL); the violation
            # itself is in `viol`, so no claim can tell the difference
            fulfil, violate = f"{v} = FUL", (f"{v} = VIO" if kept else f"{v} = FUL")
        else:
            fulfil = f"if :: {v} == UNDEC -> {v} = FUL :: else -> skip fi" if kept else "skip"
            violate = f"{v} = VIO" if kept else "skip"
        grant = ""
        if o.on_violation is not None:
            grant = f"; gr_{t.cid[o.on_violation.grants]} = 1"
        due = (
            f"within {trigger_days(o)} days of its trigger"
            if o.triggered
            else f"by {t.deadline(o)}"
        )
        what = f"clause {c.id}: {o.debtor} {o.action}{' ' + o.object if o.object else ''} {due}"
        # a duty of means: not achieved, efforts made (semantics/means.py); no violation
        endeavour = "" if o.effort != "best" else (f"{v} = EFF" if o.recurrence is None else "skip")
        found = t.clause_amended.get(c.id)
        if found is not None:  # made in this very step: no violation of the text's day
            violate = f"if :: !ex_{t.cid[found.id]} -> {violate}; viol = viol | {bit(o.debtor)}{grant} :: else -> skip fi"
            if endeavour:
                violate += (
                    f" :: true -> if :: !ex_{t.cid[found.id]} -> {endeavour} :: else -> skip fi"
                )
            lines += _voidable(what, ob_due(t, c), can, fulfil, violate)
            continue
        lines += _duty(what, ob_due(t, c), o.debtor, can, fulfil, violate, grant, endeavour)
    return lines


def _acts(t: Tables) -> list[str]:
    """Each act some deadline is counted from, not done yet, may be done now by its party
    (once: it stays done)."""
    lines: list[str] = []
    for (party, action), v in t.acts.items():
        lines += [
            f"    if :: agr != TERMINATED && !{v} -> if :: {v} = 1 :: true -> skip fi   "
            f"/* {party} may {action} */",
            OTHERWISE_SKIP,
        ]
    return lines


def _rounds(t: Tables) -> list[str]:
    """Each side of a round due now releases (if it holds enough) or violates."""
    lines: list[str] = []
    for s in t.sides:
        can = all_of(f"{held(k)} >= {n}" for k, n in s.amounts.items() if k in t.stock_ids)
        what = f"clause {s.clause.id} round {s.index + 1}: {s.party} releases"
        lines += _duty(what, side_due(s), s.party, can, f"{s.var} = FUL", f"{s.var} = VIO")
    return lines


def _negotiations(t: Tables) -> list[str]:
    """Open talks may agree (agreement first: only talks open before this step can); talks
    due to open by now open, or each non-empty set of refusing parties violates."""
    lines: list[str] = []
    for c, g in t.negotiations:
        v = f"ng_{t.cid[c.id]}"
        lines += [
            f"    /* clause {c.id}: negotiation between {', '.join(g.between)} */",
            f"    if :: {v} == OPEN && agr != TERMINATED -> if :: {v} = AGREED; bump = 1 :: true -> skip fi",
        ]
        if g.starts_by is not None:
            lines += [
                f"       :: {v} == NOT_STARTED && agr != TERMINATED && {running(g.starts_by.phase)} && {t.when(g.starts_by)} <= day ->",
                f"         if :: {v} = OPEN",
            ]
            parties = list(dict.fromkeys(g.between))
            for mask in range(1, 1 << len(parties)):
                refusers = [p for i, p in enumerate(parties) if mask >> i & 1]
                bits = " | ".join(bit(p) for p in refusers)
                lines.append(
                    f"            :: viol = viol | {bits}   /* {', '.join(refusers)} refuse(s) to open it */"
                )
            lines.append("         fi")
        lines.append(OTHERWISE_SKIP)
    return lines


def _powers(t: Tables, *, clauses: bool) -> list[str]:
    """The powers' choices: the amendments of a clause (``clauses``), or the others."""
    lines: list[str] = []
    for c, pw in t.powers:
        amends = c.amendment is not None and c.amendment.amends is not None
        if amends != clauses:
            continue
        v = t.cid[c.id]
        consent = (
            f" with the consent of {', '.join(pw.requires_consent)}" if pw.requires_consent else ""
        )
        lines += [
            f"    if :: av_{v} -> ex_{v} = 1   /* clause {c.id}: {pw.holder} exercises {pw.action.value}{consent} */",
            MAY_SKIP,
        ]
    return lines


def _marks(t: Tables, prohibitions: Iterable[Clause]) -> str:
    """Record as violated each of ``prohibitions`` that binds now (for ``violated(c)``)."""
    return "".join(
        f"; if :: {binds(t, c, now=True)} -> pv_{t.cid[c.id]} = 1 :: else -> skip fi"
        for c in prohibitions
    )


def _hostilities(t: Tables) -> list[str]:
    """Each party (not a mediator, guarantor...) may resume hostilities: unlawfully while a
    prohibition binds it, lawfully otherwise."""
    lines: list[str] = []
    for p in t.agreement.parties:
        if p.role != Role.party:
            continue
        b = bit(p.id)
        binding = [
            c
            for c, pr in t.prohibitions
            if pr.act == "hostilities" and p.id in bound(t.agreement, pr.parties)
        ]
        marks = t.attack_marks(p.id)
        # once fighting is on, an attack a self-defence power answers still counts
        when = "true" if marks else "!was_hostile"
        lines += [
            f"    /* {p.id} may resume hostilities */",
            f"    if :: {when} ->",
            f"         if :: {forbidden(t, 'hostilities', p.id, now=True)} -> hu = hu | {b}; viol = viol | {b}{_marks(t, binding)}{marks}",
            f"            :: else -> hl_direct = hl_direct | {b} fi",
            MAY_SKIP,
        ]
    return lines


def _other_acts(t: Tables) -> list[str]:
    """Each party may do any other act some prohibition names, a violation while one binds.
    Only a party acts (docs/semantics.md, "Who can break a prohibition")."""
    acts: dict[tuple[str, str], list[Clause]] = {}
    for c, pr in t.prohibitions:
        if pr.act == "hostilities":
            continue
        for party in bound(t.agreement, pr.parties):  # a group's acts: its answerer's
            if t.agreement.party(party).role != Role.party:
                continue  # a group nobody answers for: its acts count against nobody
            acts.setdefault((party, pr.act), []).append(c)
    lines: list[str] = []
    for (party, act), clauses in acts.items():
        lines += [
            f"    if :: {any_of(binds(t, c, now=True) for c in clauses)} -> viol = viol | {bit(party)}{_marks(t, clauses)}{t.attack_marks(party)}   /* {party} does the forbidden act {act} */",
            MAY_SKIP,
        ]
    return lines


def _extension_cap(t: Tables, e: ExtensionRule) -> int:
    """How many further releases extension rule ``c`` may count: its ``max_days`` (else
    :data:`EXTENSION_CAP`), no more than the stock holds, and never more than 200."""
    cap = e.max_days // e.days if e.max_days is not None else EXTENSION_CAP
    stock = next((s for s in t.agreement.stocks if s.id == e.category), None)
    if stock is not None and stock.count is not None:
        cap = min(cap, stock.count // e.units)
    return max(0, min(cap, 200))


def _extensions(t: Tables) -> list[str]:
    """On the phase's last day (as extended so far), the releasing party may release more."""
    lines: list[str] = []
    for c, rule in t.extensions:
        v = f"xn_{t.cid[c.id]}"
        cap = _extension_cap(t, rule)
        enough = (
            f" && {held(rule.category)} >= {rule.units}" if rule.category in t.stock_ids else ""
        )
        lines += [
            f"    /* clause {c.id}: {rule.releasing} may release {rule.units} more {rule.category} for {rule.days} more day(s) of {rule.phase} */",
            f"    if :: agr != TERMINATED && ph_{rule.phase} == ACTIVE && day == EXP_{rule.phase} - 1 && {v} < {cap}{enough} -> {v}++",
            MAY_SKIP,
        ]
    return lines
