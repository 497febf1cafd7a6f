"""Step 4: the effects of the powers exercised in step 3 (``docs/semantics.md``, A step)."""

from __future__ import annotations

from detente.export.promela.syntax import OTHERWISE_SKIP
from detente.export.promela.tables import Tables, bit
from detente.language.model import Clause, Power, PowerAction


def effects(t: Tables) -> list[str]:
    """The lines of step 4."""
    lines = ["    /* 4. effects of the powers exercised */"]
    for c, pw in t.powers:
        v = t.cid[c.id]
        body = "; ".join([f"pw_{v} = 1", *_effect(t, pw)])
        lines += [f"    if :: ex_{v} -> {body}   /* clause {c.id} */", OTHERWISE_SKIP]
    return lines


def _effect(t: Tables, pw: Power) -> list[str]:
    """The statements that carry out power ``pw``, beyond marking it exercised."""
    if pw.action == PowerAction.end_agreement:
        return ["agr = TERMINATED"]
    if pw.action == PowerAction.self_defence:
        # answers an attack not yet answered, or is itself a violation
        v = t.cid[c_id(t, pw)]
        return [
            f"if :: sa_{v} -> sa_{v} = 0 :: else -> viol = viol | {bit(pw.holder)}; sv_{v} = 1 fi"
        ]
    if pw.action == PowerAction.resume_hostilities:
        cons = " | ".join(bit(p) for p in pw.requires_consent) or "0"
        return [
            f"if :: !hostile -> hostile = 1; hl_power = hl_power | {bit(pw.holder)}; hl_cons = hl_cons | {cons} :: else -> skip fi"
        ]
    if pw.target is None:
        return []
    if pw.action == PowerAction.declare_failed:
        n = f"ng_{t.cid[pw.target]}"
        # a phase continuing while n is open is cut short from the next day (step 1)
        return [
            f"if :: {n} == NOT_STARTED || {n} == OPEN -> {n} = FAILED; bump = 1 :: else -> skip fi"
        ]
    if pw.action == PowerAction.arbitrate:
        n = f"ng_{t.cid[pw.target]}"
        # the arbiter's decision counts as the talks' agreement (phases follow in step 1)
        return [
            f"if :: {n} == NOT_STARTED || {n} == OPEN -> {n} = AGREED; bump = 1 :: else -> skip fi"
        ]
    if pw.action == PowerAction.suspend_clause:
        return _suspend(t, t.agreement.clause(pw.target))
    if pw.action == PowerAction.extend_phase and pw.days and c_id(t, pw) in t.amendments:
        # an agreed extension; a phase past its days is active again (and no gap is left)
        q = pw.target
        return [
            f"rn_{t.cid[c_id(t, pw)]} = rn_{t.cid[c_id(t, pw)]} + 1",
            f"ext_{q} = ext_{q} + {pw.days}",
            f"if :: ph_{q} == CONTINUING || ph_{q} == DONE -> ph_{q} = ACTIVE; gap = 0; ends_expired = 0 :: else -> skip fi",
        ]
    if pw.action == PowerAction.extend_phase and pw.days:
        # offered only before the phase expires (AVAIL), so this only moves the expiry
        return [f"ext_{pw.target} = ext_{pw.target} + {pw.days}"]
    return []


def c_id(t: Tables, pw: Power) -> str:
    """The id of the clause whose power is ``pw``."""
    return next(c.id for c, p in t.powers if p is pw)


def _suspend(t: Tables, target: Clause) -> list[str]:
    """Suspending a clause discharges its open instances; a prohibition stops binding."""
    tv = t.cid[target.id]
    if target.obligation is not None:
        open_ = f"ob_{tv} == UNDEC"
        if target.obligation.recurrence is not None:
            open_ = f"ob_{tv} != DISCH"
        return [f"if :: {open_} -> ob_{tv} = DISCH :: else -> skip fi"]
    if target.exchange is not None:
        return [
            f"if :: {s.var} == UNDEC -> {s.var} = DISCH :: else -> skip fi"
            for s in t.sides_of(target.id)
        ]
    if target.prohibition is not None:
        return [f"sus_{tv} = 1"]
    return []
