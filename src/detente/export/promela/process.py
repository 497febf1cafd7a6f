"""The one process: every loop iteration is one time point, executed as one ``atomic`` step
(0 the next time point, 1 expiry, 2 phase starts, 3 choices, 4 effects, 5 completion).

Spin evaluates claims only between atomic steps, so the states a claim sees are exactly
the states after each time point, as in the semantics. The step's scratch variables are
zeroed at its end, so that they add no states.
"""

from __future__ import annotations

from collections.abc import Sequence

from detente.export.promela.choices import choices
from detente.export.promela.effects import effects
from detente.export.promela.ltl import Observer
from detente.export.promela.phases import expiry, starts
from detente.export.promela.syntax import all_of
from detente.export.promela.tables import Tables
from detente.export.promela.timepoints import next_time_point

#: Scratch variables of every step, by type.
_SHORTS = ("prev", "nxt", "rl", "lo", "hi")
_BITS = ("was_hostile", "started_any", "ends_expired")


def proctype(t: Tables, observers: Sequence[Observer]) -> list[str]:
    """The process ``agreement``: its scratch declarations and its step loop."""
    powers = [t.cid[c.id] for c, _ in t.powers]
    lines = [
        "",
        "active proctype agreement()",
        "{",
        "  /* scratch, zero between steps */",
        f"  short {', '.join(_SHORTS)};",
        f"  bit {', '.join(_BITS)};",
        *(f"  bit av_{v}, ex_{v};" for v in powers),
        *(f"  bit xq_{q};   /* {q}'s days ran out in this step */" for q in t.amended_phases),
        "  do",
        "  :: atomic {",
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
    rounds_ok = all_of(f"{s.var} == FUL" for s in t.sides)
    return [
        "    /* 5. completion */",
        f"    if :: agr == IN_FORCE && ({final_ok}) && {rounds_ok} -> agr = COMPLETED; gap = 0 :: else -> skip fi;",
        "    if :: ends_expired && !started_any && agr == IN_FORCE -> gap = 1 :: else -> skip fi;",
        *(f"    {o.update}" for o in observers),
    ]
