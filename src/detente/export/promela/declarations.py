"""The model's head and its state: the status constants, one bit per party, and the
global variables (the agreement, then one per phase, negotiation, obligation, round
side, power, prohibition and extension rule), as ``docs/semantics.md`` (State) lists them."""

from __future__ import annotations

from collections.abc import Sequence

from detente.export.promela.ltl import Observer
from detente.export.promela.syntax import comment
from detente.export.promela.tables import NONE_DAY, Side, Tables
from detente.language.model import Clause

#: The status values, shared by every variable of a kind.
_CONSTANTS = [
    "#define PENDING 0",
    "#define ACTIVE 1",
    "#define CONTINUING 2",
    "#define DONE 3",
    "#define CUT_SHORT 4",
    "#define IN_FORCE 0",
    "#define COMPLETED 1",
    "#define TERMINATED 2",
    "#define NOT_STARTED 0",
    "#define OPEN 1",
    "#define AGREED 2",
    "#define FAILED 3",
    "#define UNDEC 0      /* obligation instance created or in effect */",
    "#define FUL 1",
    "#define VIO 2",
    "#define DISCH 3",
    "#define EFF 4        /* a duty of means not achieved, efforts made: no violation */",
    f"#define NONE_DAY {NONE_DAY}",
]


def header(t: Tables) -> list[str]:
    """The opening comment, the status constants and the parties' bits."""
    a = t.agreement
    lines = [
        f"/* Détente export of agreement {a.id!r}: {comment(a.title)} */",
        "/* Generated from the spec's rules (docs/semantics.md); one ltl claim per",
        "   expectation. Check: spin -a model.pml && gcc -O2 -o pan pan.c && ./pan -a -N CLAIM */",
        "",
        *_CONSTANTS,
        "",
        "/* parties */",
    ]
    for p in a.parties:
        lines.append(
            f"#define B_{p.id} {1 << t.party_index[p.id]}   /* {comment(p.name)} ({p.role.value}) */"
        )
    return lines


def _section(title: str, lines: list[str]) -> list[str]:
    """A titled block of declarations; nothing at all when it is empty."""
    return ["", f"/* {title} */", *lines] if lines else []


def _per_clause(t: Tables, declaration: str, clauses: Sequence[tuple[Clause, object]]) -> list[str]:
    """``declaration`` for each clause (``{v}`` is its name in the model), with its words."""
    return [
        f"{declaration.format(v=t.cid[c.id])};   /* clause {c.id}: {comment(c.text)} */"
        for c, _ in clauses
    ]


def state_variables(t: Tables, observers: Sequence[Observer]) -> list[str]:
    """The global variables: the state a claim sees between steps."""
    return [
        *_agreement(t, observers),
        *_phases(t),
        *_section("negotiations", _per_clause(t, "byte ng_{v}", t.negotiations)),
        *_section("obligations", _per_clause(t, "byte ob_{v}", t.obligations)),
        *_section(
            "triggered duties: the day each falls due once created (0: not created)",
            _per_clause(t, "short tr_{v}", t.triggered),
        ),
        *_section(
            "acts deadlines are counted from: done",
            [f"bit {v};   /* {party} {action} */" for (party, action), v in t.acts.items()],
        ),
        *_section("exchange rounds, one instance per side", [_side(s) for s in t.sides]),
        *_section("powers", _powers(t)),
        *_section(
            "prohibitions: suspended, violated",
            _per_clause(t, "bit sus_{v}; bit pv_{v}", t.prohibitions),
        ),
        *_section(
            "extension rules: further releases so far",
            _per_clause(t, "byte xn_{v}", t.extensions),
        ),
    ]


def _side(s: Side) -> str:
    what = ", ".join(f"{n} {k}" for k, n in s.amounts.items())
    return (
        f"byte {s.var};   /* clause {s.clause.id} round {s.index + 1}: {s.party} releases {what} */"
    )


def _agreement(t: Tables, observers: Sequence[Observer]) -> list[str]:
    m = t.mask_type
    lines = [
        "",
        "/* the agreement */",
        "byte agr = IN_FORCE;",
        "short day = 1;        /* days from entry into force; day 1 = entry into force */",
        "bit begun;            /* the first step is day 1 itself */",
        "bit hostile;          /* hostilities going on */",
        "bit bump;             /* a negotiation agreed or failed: the next day is a time point */",
        "bit gap;              /* an unspecified expiry, or an `ends` expiry that started nothing */",
    ]
    if t.judges_consistency:
        lines.append(
            "bit incons;           /* at this step's time point, the text obliged the impossible */"
        )
    lines += [
        f"{m} viol;            /* parties that violated something so far */",
        f"{m} hl_direct;       /* parties whose own act resumed hostilities lawfully */",
        f"{m} hl_power;        /* holders of a resume_hostilities power exercised */",
        f"{m} hl_cons;         /* parties who consented to that power */",
        f"{m} hu;              /* parties who resumed hostilities unlawfully */",
    ]
    for o in observers:
        kind = "has been true" if o.sticky else "holds now"
        lines.append(f"bit {o.var};   /* observer for claim {o.claim}: its predicate {kind} */")
    return lines


def _phases(t: Tables) -> list[str]:
    lines = ["", "/* phases */"]
    for ph in t.agreement.phases:
        init = "ACTIVE" if ph.starts.entry_into_force else "PENDING"
        dur = f"{ph.duration_days} days" if ph.duration_days else "open-ended"
        lines.append(
            f"byte ph_{ph.id} = {init};  short st_{ph.id} = 1;   /* {comment(ph.name)}: {dur} */"
        )
        if ph.id in t.extended_by_power:
            lines.append(f"short ext_{ph.id};   /* days added by extend_phase powers */")
    return lines


def _powers(t: Tables) -> list[str]:
    lines: list[str] = []
    for c, pw in t.powers:
        v = t.cid[c.id]
        lines.append(
            f"bit pw_{v};   /* clause {c.id}: {pw.holder} may {pw.action.value} — exercised */"
        )
        if c.id in t.granted:
            lines.append(f"bit gr_{v};   /* clause {c.id} put in effect by a violation */")
        if c.id in t.amendments:
            lines.append(f"byte rn_{v};   /* clause {c.id}: times the parties agreed it */")
        if c.id in t.self_defence:
            lines.append(
                f"bit sa_{v};   /* clause {c.id}: an attack by {', '.join(t.self_defence[c.id])} not yet answered */"
            )
            lines.append(
                f"bit sv_{v};   /* clause {c.id}: exercised once with no attack to answer */"
            )
    return lines
