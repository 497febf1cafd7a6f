"""Steps 1 and 2: phases expire by their ``at_expiry`` rule, then pending phases start
(and negotiations without ``starts_by`` open with their phase)."""

from __future__ import annotations

from detente.export.promela.syntax import OTHERWISE_SKIP
from detente.export.promela.tables import Tables, closed_by_agreement, started


def expiry(t: Tables) -> list[str]:
    """Step 1 (and ``was_hostile``, the hostilities before this step's choices)."""
    lines = ["    /* 1. expiry */", "    was_hostile = hostile;"]
    closing = closed_by_agreement(t.agreement)
    for ph in t.agreement.phases:
        if ph.duration_days is None:
            if ph.id in closing:
                n = f"ng_{t.cid[closing[ph.id]]}"
                lines += [
                    f"    /* open-ended {ph.id} ends when negotiation {closing[ph.id]} agrees */",
                    f"    if :: agr != TERMINATED && ph_{ph.id} == ACTIVE && {n} == AGREED -> ph_{ph.id} = DONE",
                    OTHERWISE_SKIP,
                ]
            continue
        rule = ph.at_expiry
        cite = f" (clause {rule.clause})" if rule.clause else ""
        expires = f"agr != TERMINATED && ph_{ph.id} == ACTIVE && day >= EXP_{ph.id}"
        mark = f"; xq_{ph.id} = 1" if ph.id in t.amended_phases else ""
        if rule.rule == "ends":
            lines += [
                f"    if :: {expires} -> ph_{ph.id} = DONE; ends_expired = 1{mark}   /* {ph.id} ends{cite} */",
                OTHERWISE_SKIP,
            ]
        elif rule.rule == "unspecified":
            lines += [
                f"    if :: {expires} -> ph_{ph.id} = DONE; gap = 1{mark}   /* nothing said at {ph.id}'s expiry: a gap */",
                OTHERWISE_SKIP,
            ]
        else:
            assert rule.negotiation is not None
            n = f"ng_{t.cid[rule.negotiation]}"
            continuing = f"agr != TERMINATED && ph_{ph.id} == CONTINUING"
            lines += [
                f"    /* {ph.id} continues while negotiation {rule.negotiation} is open{cite} */",
                f"    if :: {expires} -> ph_{ph.id} = CONTINUING{mark}",
                OTHERWISE_SKIP,
                f"    if :: {continuing} && {n} == AGREED -> ph_{ph.id} = DONE",
                f"       :: {continuing} && {n} == FAILED -> ph_{ph.id} = CUT_SHORT",
                OTHERWISE_SKIP,
            ]
    return lines


def starts(t: Tables) -> list[str]:
    """Step 2: a pending phase starts once its conditions hold and every earlier phase is over."""
    lines = ["    /* 2. phase starts */"]
    phases = t.agreement.phases
    for i, ph in enumerate(phases):
        if ph.starts.entry_into_force:
            continue
        conds = ["agr != TERMINATED", f"ph_{ph.id} == PENDING"]
        if ph.starts.after is not None:
            conds.append(f"ph_{ph.starts.after} == DONE")
        if ph.starts.upon_agreement is not None:
            conds.append(f"ng_{t.cid[ph.starts.upon_agreement]} == AGREED")
        # phases run one after another: every earlier phase is over
        for before in phases[:i]:
            if before.id != ph.starts.after:
                conds.append(f"(ph_{before.id} == DONE || ph_{before.id} == CUT_SHORT)")
        lines += [
            f"    if :: {' && '.join(conds)} -> ph_{ph.id} = ACTIVE; st_{ph.id} = day; started_any = 1; gap = 0   /* a start closes a gap */",
            OTHERWISE_SKIP,
        ]
    for c, g in t.negotiations:
        if g.starts_by is None and g.opens_when is None:
            v = f"ng_{t.cid[c.id]}"
            when = started(c.phase) if c.phase else "true"
            lines += [
                f"    if :: agr != TERMINATED && {v} == NOT_STARTED && {when} -> {v} = OPEN   /* clause {c.id} opens with its phase */",
                OTHERWISE_SKIP,
            ]
    return lines
