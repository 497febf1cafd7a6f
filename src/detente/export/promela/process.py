"""The one process: every loop iteration is one time point, executed as one ``atomic`` step
(0 the next time point, 1 expiry, 2 phase starts, 3 choices, 4 effects, 5 completion).

Spin evaluates claims only between atomic steps, so the states a claim sees are exactly
the states after each time point, as in the semantics. The step's scratch variables are
zeroed at its end, so that they add no states.
"""

from __future__ import annotations

from collections.abc import Sequence

from detente.export.promela.choices import choices
from detente.export.promela.conditions import side_done
from detente.export.promela.effects import effects
from detente.export.promela.formulas import formula
from detente.export.promela.ltl import Observer
from detente.export.promela.phases import expiry, starts
from detente.export.promela.syntax import OTHERWISE_SKIP, all_of, comment
from detente.export.promela.tables import Tables
from detente.export.promela.timepoints import next_time_point
from detente.language import expressions as ex
from detente.language.calendar import trigger_days

#: Scratch variables of every step, by type.
_SHORTS = ("prev", "nxt", "rl", "lo", "hi")
_BITS = ("was_hostile", "started_any", "ends_expired", "lat")


def proctype(t: Tables, observers: Sequence[Observer], opening: Sequence[str] = ()) -> list[str]:
    """The process ``agreement``: its scratch declarations and its step loop; ``opening``
    are the statements that begin each step (the past values claims with ``X`` read)."""
    powers = [t.cid[c.id] for c, _ in t.powers]
    lines = [
        "",
        "active proctype agreement()",
        "{",
        "  /* scratch, zero between steps */",
        f"  short {', '.join(_SHORTS)};",
        f"  bit {', '.join(_BITS)};",
        *(f"  bit av_{v}, ex_{v};" for v in powers),
        *(f"  bit wh_{t.cid[c.id]};" for c, _ in t.guarded),
        *(f"  bit xq_{q};   /* {q}'s days ran out in this step */" for q in t.amended_phases),
        "  do",
        "  :: atomic {",
        *opening,
        *next_time_point(t, observers),
        *expiry(t),
        *starts(t),
        *choices(t),
        *effects(t),
        *_completion(t, observers),
    ]
    scratch = [*_SHORTS, *_BITS]
    if t.judges_consistency:
        scratch.append("incons")
    for v in powers:
        scratch += [f"av_{v}", f"ex_{v}"]
    scratch += [f"wh_{t.cid[c.id]}" for c, _ in t.guarded]
    scratch += [f"xq_{q}" for q in t.amended_phases]
    lines += [
        "    " + " ".join(f"{v} = 0;" for v in scratch),
        "    }",
        "  od",
        "}",
    ]
    return lines


def _completion(t: Tables, observers: Sequence[Observer]) -> list[str]:
    """Step 5: completion, the gap an ``ends`` expiry leaves, and the claims' observers."""
    last = t.agreement.phase(t.last_phase)
    final_ok = f"ph_{last.id} == DONE" + (
        f" || ph_{last.id} == ACTIVE" if last.duration_days is None else ""
    )
    rounds_ok = all_of(side_done(s) for s in t.sides)
    return [
        "    /* 5. completion */",
        f"    if :: agr == IN_FORCE && ({final_ok}) && {rounds_ok} -> agr = COMPLETED; gap = 0 :: else -> skip fi;",
        "    if :: ends_expired && !started_any && agr == IN_FORCE -> gap = 1 :: else -> skip fi;",
        *_conditions(t),
        *(f"    {o.update}" for o in observers),
    ]


def _conditions(t: Tables) -> list[str]:
    """End of step 5: triggered duties whose condition now holds are created (due N days
    from this step's day, counted on in a phase that starts after it), and talks whose
    condition now holds open."""
    lines: list[str] = []
    for c, o in t.triggered:
        v = t.cid[c.id]
        a = o.act_anchor
        if o.trigger is not None:
            cond, why = formula(t, ex.parse(o.trigger, temporal=False)), comment(o.trigger)
        else:
            assert a is not None and a.by is not None and a.act is not None
            cond, why = t.acts[(a.by, a.act)], f"{a.by} does {a.act}"
        lines += [
            f"    /* clause {c.id} is created once {why} */",
            f"    if :: agr != TERMINATED && tr_{v} == 0 && {cond} ->",
            f"         tr_{v} = day + {trigger_days(o)}",
            OTHERWISE_SKIP,
        ]
    for c, g in t.negotiations:
        if g.opens_when is None:
            continue
        v = f"ng_{t.cid[c.id]}"
        cond = formula(t, ex.parse(g.opens_when, temporal=False))
        lines += [
            f"    if :: agr != TERMINATED && {v} == NOT_STARTED && {cond} -> {v} = OPEN"
            f"   /* clause {c.id} opens once {comment(g.opens_when)} */",
            OTHERWISE_SKIP,
        ]
    return lines
