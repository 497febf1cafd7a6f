"""The derived facts: macros for what the state implies — each phase's days of extension
and expiry day, what each stock has released and still holds, whether a ceasefire norm is
in effect, which powers are available, and whether any was exercised."""

from __future__ import annotations

from detente.export.promela import clause_amendments
from detente.export.promela.conditions import ceasefire
from detente.export.promela.formulas import formula
from detente.export.promela.syntax import all_of, any_of, comment, sum_of
from detente.export.promela.tables import Tables, one_off_release, running, started
from detente.language import expressions as ex
from detente.language.model import Clause, PowerAction

#: Stand-in for a stock whose count the text does not give: never runs out.
UNLIMITED = 1_000_000_000


def power_available(t: Tables, c: Clause) -> str:
    """Power ``c`` may be exercised now (the body of its ``AVAIL_`` macro)."""
    pw = next(p for k, p in t.powers if k.id == c.id)  # an amendment's joint act too
    v = t.cid[c.id]
    # self-defence may be used again and again (each exercise judged in step 4)
    conds = ["agr != TERMINATED"] if c.id in t.self_defence else ["agr != TERMINATED", f"!pw_{v}"]
    if c.id in t.granted:
        conds.append(f"gr_{v}")
    if pw.available.during:
        conds.append(any_of(running(p) for p in pw.available.during))
    if pw.available.after is not None:
        conds.append(started(pw.available.after.phase))
        conds.append(f"day >= {t.when(pw.available.after)}")
    if pw.available.condition is not None:
        conds.append(formula(t, ex.parse(pw.available.condition, temporal=False)))
    # not offered when it could change nothing (docs/semantics.md, Powers)
    if c.id in t.amendments and pw.target is not None:
        # an agreed extension: before expiry, or after it while the phase is the latest
        # started and its new expiry still lies ahead (docs/semantics.md, Amendments)
        q = pw.target
        conds[0] = "agr == IN_FORCE"
        conds[1] = f"rn_{v} < {t.amendment_times[c.id]}"
        # (a done phase: only on the day its days ran out; the next day is a later one)
        conds.append(
            f"(ph_{q} == PENDING || ph_{q} == ACTIVE || ((ph_{q} == CONTINUING || (ph_{q} == DONE && xq_{q}))"
            f" && {t.latest_started(q)} && day < EXP_{q} + {pw.days}))"
        )
    elif c.id in t.amendments:  # an amendment of a clause (clause_amendments.py)
        conds += clause_amendments.available(t, c)
    elif pw.action == PowerAction.resume_hostilities:
        conds.append("!hostile")
    elif pw.action in (PowerAction.declare_failed, PowerAction.arbitrate) and pw.target is not None:
        n = f"ng_{t.cid[pw.target]}"
        conds.append(f"{n} != AGREED && {n} != FAILED")
    elif pw.action == PowerAction.extend_phase and pw.target is not None:
        conds.append(f"(ph_{pw.target} == PENDING || ph_{pw.target} == ACTIVE)")
    return all_of(conds)


def derived_facts(t: Tables) -> list[str]:
    """The ``#define`` lines of the derived facts."""
    a = t.agreement
    lines = ["", "/* derived facts */"]
    for ph in a.phases:
        ext = [f"ext_{ph.id}"] if ph.id in t.extended_by_power else []
        for c, e in t.extensions:
            if e.phase == ph.id:
                ext.append(f"xn_{t.cid[c.id]} * {e.days}")
        lines.append(f"#define EXT_{ph.id} ({sum_of(ext)})")
        if ph.duration_days is not None:
            lines.append(
                f"#define EXP_{ph.id} (st_{ph.id} + {t.phase_duration[ph.id]} + EXT_{ph.id})"
            )
    for s in a.stocks:
        parts: list[str] = []
        for side in t.sides:
            if s.id in side.amounts:
                parts.append(f"({side.var} == FUL) * {side.amounts[s.id]}")
        for c, o in t.obligations:
            release = one_off_release(o)
            if release is not None and release[0] == s.id:
                parts.append(f"(ob_{t.cid[c.id]} == FUL) * {release[1]}")
        for c, e in t.extensions:
            if e.category == s.id:
                parts.append(f"xn_{t.cid[c.id]} * {e.units}")
        lines.append(f"#define REL_{s.id} ({sum_of(parts)})   /* released of {comment(s.name)} */")
        start = UNLIMITED if s.count is None else s.count
        lines.append(f"#define HELD_{s.id} ({start} - REL_{s.id})")
    for c, p in t.guarded:
        assert p.while_ is not None
        cond = formula(t, ex.parse(p.while_, temporal=False))
        lines.append(f"#define WHILE_{t.cid[c.id]} ({cond})   /* clause {c.id} binds only while */")
    lines.append(f"#define CEASEFIRE ({ceasefire(t)})")
    for c, _ in t.powers:
        lines.append(f"#define AVAIL_{t.cid[c.id]} ({power_available(t, c)})")
    exer = [f"pw_{t.cid[c.id]}" for c, _ in t.powers]
    lines.append(f"#define EXERCISED ({any_of(exer)})")
    return lines
