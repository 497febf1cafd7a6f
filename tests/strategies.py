"""Hypothesis strategies: small valid agreements, for cross-checking the checker with Spin.

Every generated agreement passes the loader's semantic checks (the test loads
it back through the loader to be sure). They stay small — 1 to 3 phases, a
handful of norms — so that both model checkers answer in well under a second.

Each newer construct comes in with a modest probability (about one agreement in five or
six each), so that the differential, oracle and Spin tests exercise it without every
agreement being about it: deadlines counted ``within`` hours or days ``after`` an anchor,
conditions (``once``, ``while``, ``opens_when``), a ``self_defence`` power, an
``amendment``, duties in parts (``quantity`` + ``unit``), duties of means, duties with no
deadline, and roles (a ``non_signatory`` a party ``answers_for``, a ``monitor``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from detente.language.model import Agreement

PARTIES = ("a", "b")
SOURCE = "gen"
FORMULAS = (
    "G not hostilities",
    "F completed",
    "G (hostilities -> terminated)",
    "G F in_force",
    "F G ceasefire",
    "not hostilities U completed",
)


@st.composite
def agreement_data(draw: st.DrawFn) -> dict[str, Any]:
    """The ``agreement:`` mapping of a small valid spec."""
    n_phases = draw(st.integers(1, 3))
    has_mediator = draw(st.booleans())
    parties: list[dict[str, Any]] = [
        {"id": "a", "name": "Side A"},
        {"id": "b", "name": "Side B"},
    ]
    if has_mediator:
        parties.append({"id": "m", "name": "Mediator", "role": "mediator"})
    # an armed group a party answers for (its acts are that party's), a monitoring team
    group = draw(st.integers(0, 4)) == 0
    if group:
        answerer = draw(st.sampled_from(PARTIES))
        parties[PARTIES.index(answerer)]["answers_for"] = ["g"]
        parties.append({"id": "g", "name": "Armed group", "role": "non_signatory"})
    if draw(st.integers(0, 5)) == 0:
        parties.append({"id": "mon", "name": "Monitoring team", "role": "monitor"})
    #: who a prohibition may name: the parties, and the group through its answerer
    subjects = [["a", "b"], ["a"], ["b"]] + ([["g"], ["a", "g"], ["b", "g"]] if group else [])
    clauses: list[dict[str, Any]] = []

    def clause(cid: str, **norm: Any) -> None:
        clauses.append({"id": cid, "text": f"Generated clause {cid}.", "source": SOURCE, **norm})

    # negotiations first: phases refer to them
    n_negotiations = draw(st.integers(0, 2 if n_phases > 1 else 1))
    negotiations = [f"n{i + 1}" for i in range(n_negotiations)]
    durations: list[int | None] = []
    phases: list[dict[str, Any]] = []
    for i in range(n_phases):
        last = i == n_phases - 1
        duration = (
            draw(st.one_of(st.none(), st.integers(2, 6))) if last else draw(st.integers(2, 6))
        )
        durations.append(duration)
        phase: dict[str, Any] = {"id": f"p{i + 1}", "name": f"Phase {i + 1}"}
        if i == 0:
            phase["starts"] = "entry_into_force"
        else:
            starts: dict[str, Any] = {}
            how = draw(st.sampled_from(["after", "agreement", "both"]))
            if how != "agreement" or not negotiations:
                starts["after"] = f"p{i}"
            if how != "after" and negotiations:
                starts["upon_agreement"] = draw(st.sampled_from(negotiations))
            phase["starts"] = starts
        if duration is not None:
            phase["duration_days"] = duration
            rules = ["ends", "unspecified"] + (["continues_while"] if negotiations else [])
            rule = draw(st.sampled_from(rules))
            if rule == "continues_while":
                phase["at_expiry"] = {
                    "rule": rule,
                    "negotiation": draw(st.sampled_from(negotiations)),
                }
            else:
                phase["at_expiry"] = rule
        phases.append(phase)
    phase_ids = [p["id"] for p in phases]

    def when(draw_phase: str | None = None) -> dict[str, Any]:
        ph = draw_phase or draw(st.sampled_from(phase_ids))
        d = durations[phase_ids.index(ph)]
        if d is None:
            return {"phase": ph, "day": draw(st.integers(1, 3))}
        kind = draw(st.sampled_from(["day", "day", "end", "start"]))
        if kind == "day":
            return {"phase": ph, "day": draw(st.integers(1, d))}
        return {"phase": ph, "at": kind}

    for i, n in enumerate(negotiations):
        neg: dict[str, Any] = {"between": ["a", "b"], "scope": "open"}
        if has_mediator and draw(st.booleans()):
            neg["mediators"] = ["m"]
        if draw(st.booleans()):
            neg["starts_by"] = when("p1")
        clause(n, phase="p1", negotiation=neg)
        del i

    # the ceasefire
    if draw(st.integers(0, 4)) > 0:
        during = draw(st.lists(st.sampled_from(phase_ids), unique=True, max_size=n_phases))
        who = draw(st.sampled_from(subjects))
        clause("cf", prohibition={"parties": who, "act": "hostilities", "during": during})
    if draw(st.integers(0, 5)) == 0:
        clause(
            "nf",
            prohibition={"parties": draw(st.sampled_from(subjects))[-1:], "act": "raids"},
        )

    # an exchange in a phase with days
    timed = [p for p, d in zip(phase_ids, durations, strict=True) if d is not None]
    if timed and draw(st.integers(0, 3)) > 0:
        ph = draw(st.sampled_from(timed))
        d = durations[phase_ids.index(ph)]
        assert d is not None
        days = draw(st.lists(st.integers(1, d), min_size=1, max_size=2, unique=True))
        rounds: list[dict[str, Any]] = []
        for day in sorted(days):
            rnd: dict[str, Any] = {"day": day, "release": {"h": draw(st.integers(1, 3))}}
            if draw(st.integers(0, 3)) == 0:
                rnd["counter_release"] = {"p": draw(st.integers(0, 15))}
            rounds.append(rnd)
        exchange: dict[str, Any] = {
            "phase": ph,
            "releasing": "a",
            "counterpart": "b",
            "rounds": rounds,
        }
        if draw(st.integers(0, 3)) > 0:
            exchange["ratios"] = [
                {"category": "h", "counter_category": "p", "per_unit": draw(st.integers(1, 5))}
            ]
        # `detente validate` refuses rounds that contradict their ratio
        per_unit = exchange["ratios"][0]["per_unit"] if "ratios" in exchange else None
        for rnd in rounds:
            if per_unit is not None and "counter_release" in rnd:
                rnd["counter_release"] = {"p": rnd["release"]["h"] * per_unit}
        clause("x", phase=ph, exchange=exchange)

    # powers
    n_powers = draw(st.integers(0, 2))
    power_ids = [f"w{i + 1}" for i in range(n_powers)]
    # obligations (may grant a power on violation)
    n_obligations = draw(st.integers(0, 2))
    obligation_ids = [f"o{i + 1}" for i in range(n_obligations)]
    for oid in obligation_ids:
        action = draw(st.sampled_from(["withdraw", "aid", "release", "raids"]))
        ob: dict[str, Any] = {
            "debtor": draw(st.sampled_from(PARTIES)),
            "creditor": draw(st.sampled_from(PARTIES)),
            "action": action if action != "raids" else "raids",
            "window": {"by": when()},
        }
        if action == "release":
            ob["debtor"] = "a"
            ob["category"] = "h"
            ob["quantity"] = draw(st.integers(1, 3))
        elif draw(st.integers(0, 4)) == 0:
            by = ob["window"]["by"]
            going_on = [p["id"] for p in phases if isinstance(p.get("at_expiry"), dict)]
            if len(going_on) > 0 and draw(st.booleans()):
                # to the end of a phase that may continue past it (keeps falling due then)
                ob["window"]["by"] = by = {"phase": draw(st.sampled_from(going_on)), "at": "end"}
            if by.get("at") != "start":
                ob["recurrence"] = {"every_days": draw(st.integers(1, 2))}
        if power_ids and draw(st.integers(0, 3)) == 0:
            ob["on_violation"] = {"grants": draw(st.sampled_from(power_ids))}
        if action in ("withdraw", "aid") and draw(st.integers(0, 4)) == 0:
            # a duty done in parts: so many positions, so many convoys
            ob["quantity"] = draw(st.integers(2, 5))
            ob["unit"] = "positions" if action == "withdraw" else "convoys"
        # a duty of means (effort: best), one with no deadline (no window), one whose
        # deadline counts from an anchor, or one that falls due once a condition holds
        shape = draw(st.sampled_from(["fixed"] * 7 + ["means", "open", "anchor", "anchor", "once"]))
        if shape == "means":
            ob["effort"] = "best"
        elif shape == "open" and "recurrence" not in ob:
            del ob["window"]
        elif shape == "anchor" and "recurrence" not in ob:
            anchored = _anchored_window(draw, durations, phase_ids, clauses)
            if anchored is not None:
                ob["window"] = anchored
        elif shape == "once" and "recurrence" not in ob:
            del ob["window"]
            ob["once"] = "pending"  # the condition is drawn once every clause exists
            ob["within_days"] = draw(st.integers(1, 3))
        clause(oid, obligation=ob)

    for pid in power_ids:
        action = draw(
            st.sampled_from(
                ["end_agreement", "resume_hostilities", "suspend_clause", "extend_phase"]
                + (["declare_failed"] if negotiations else [])
                + ["self_defence"]
            )
        )
        pw: dict[str, Any] = {"holder": draw(st.sampled_from(PARTIES)), "action": action}
        if action == "self_defence":
            # each exercise judged on its own: lawful against a logged attack by `against`
            if draw(st.booleans()):
                pw["against"] = [next(p for p in PARTIES if p != pw["holder"])]
            clause(pid, power=pw)
            continue
        if action == "declare_failed":
            pw["target"] = draw(st.sampled_from(negotiations))
        elif action == "suspend_clause":
            targets = [c["id"] for c in clauses if "obligation" in c or "exchange" in c]
            if not targets:
                pw["action"] = "end_agreement"
            else:
                pw["target"] = draw(st.sampled_from(targets))
        elif action == "extend_phase":
            pw["target"] = draw(st.sampled_from(phase_ids))
            pw["days"] = draw(st.integers(1, 3))
        available: dict[str, Any] = {}
        if draw(st.booleans()):
            available["during"] = draw(
                st.lists(st.sampled_from(phase_ids), unique=True, min_size=1, max_size=2)
            )
        if draw(st.integers(0, 2)) == 0:
            available["after"] = when()
        if draw(st.integers(0, 3)) == 0:
            conds = ["hostilities", "not in_force"] + [f"violated({o})" for o in obligation_ids]
            conds += [f"agreed({n})" for n in negotiations] + [f"active({p})" for p in phase_ids]
            available["if"] = draw(st.sampled_from(conds))
        if available:
            pw["available"] = available
        if draw(st.integers(0, 3)) == 0:
            pw["requires_consent"] = [draw(st.sampled_from(PARTIES))]
        clause(pid, power=pw)

    if timed and draw(st.integers(0, 4)) == 0:
        clause(
            "ext",
            extension={
                "phase": draw(st.sampled_from(timed)),
                "releasing": "a",
                "category": "h",
                "units": draw(st.integers(1, 2)),
                "days": 1,
                "max_days": draw(st.integers(1, 2)),
            },
        )

    if timed and draw(st.integers(0, 5)) == 0:
        # the parties agree to extend a phase, once or (a renewable term) more times
        amendment: dict[str, Any] = {
            "parties": ["a", "b"],
            "extends": draw(st.sampled_from(timed)),
            "days": draw(st.integers(1, 3)),
        }
        if draw(st.integers(0, 2)) == 0:
            amendment["times"] = 2
        clause("am", amendment=amendment)

    _conditions(draw, clauses, phase_ids, negotiations)

    expectations: list[dict[str, Any]] = []
    for template in draw(
        st.lists(
            st.sampled_from(
                [
                    "no_unilateral_exit",
                    "no_indefinite_truce",
                    "no_lapse",
                    "completes_if_all_comply",
                    "reciprocity",
                    "consistent",
                    "totals_add_up",
                ]
            ),
            unique=True,
            min_size=1,
            max_size=4,
        )
    ):
        if template in ("no_unilateral_exit", "no_indefinite_truce"):
            for party in draw(st.lists(st.sampled_from(PARTIES), unique=True, min_size=1)):
                expectations.append({"template": template, "protects": party})
        elif template == "reciprocity":
            expectations.append({"template": template, "parties": ["a", "b"]})
        else:
            expectations.append({"template": template})
    if draw(st.integers(0, 2)) == 0:
        formula = draw(st.sampled_from(FORMULAS))
        custom: dict[str, Any] = {"name": "custom", "formula": formula}
        if draw(st.booleans()):
            custom["protects"] = draw(st.sampled_from(PARTIES))
        expectations.append(custom)

    # stocks last: the loader refuses rounds that release more than is held
    released = {"h": 0, "p": 0}
    for c in clauses:
        if "exchange" in c:
            x = c["exchange"]
            ratio = x["ratios"][0]["per_unit"] if x.get("ratios") else 0
            for rnd in x["rounds"]:
                released["h"] += rnd["release"]["h"]
                counter = rnd.get("counter_release")
                released["p"] += counter["p"] if counter else rnd["release"]["h"] * ratio
    stocks = [
        {
            "id": "h",
            "holder": "a",
            "name": "hostages",
            "count": draw(st.integers(released["h"], released["h"] + 3)),
        },
        {
            "id": "p",
            "holder": "b",
            "name": "prisoners",
            "count": draw(st.one_of(st.none(), st.integers(released["p"], released["p"] + 20))),
        },
    ]
    return {
        "id": "generated",
        "title": "A generated agreement",
        "status": "draft",
        "parties": parties,
        "sources": [{"id": SOURCE, "document": "Generated by Hypothesis"}],
        "stocks": stocks,
        "actions": [
            {"id": "raids", "description": "raids"},
            {"id": "approve", "description": "approves"},
        ],
        "phases": phases,
        "clauses": clauses,
        "expectations": expectations,
    }


def _anchored_window(
    draw: st.DrawFn,
    durations: list[int | None],
    phase_ids: list[str],
    clauses: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """A window ``within`` hours or days ``after`` an anchor (entry into force, a phase's
    start, an earlier one-off duty's fulfilment, party a's act ``approve``), its deadline
    inside the anchor's phase (an act's: up to 3 days after it); None when no fixed
    anchor leaves room."""
    options: list[tuple[Any, int]] = []  # (anchor, days left in its phase after it)
    first = durations[0]
    if first is not None and first > 1:
        options.append(("entry_into_force", first - 1))
    for ph, d in zip(phase_ids, durations, strict=True):
        if d is not None and d > 1:
            options.append(({"phase": ph}, d - 1))
    for c in clauses:
        o = c.get("obligation")
        if o is None or "recurrence" in o or "window" not in o:
            continue
        by = o["window"].get("by")
        if not isinstance(by, dict) or "day" not in by:
            continue
        d = durations[phase_ids.index(by["phase"])]
        if d is not None and by["day"] < d:
            options.append(({"fulfilled": c["id"]}, d - by["day"]))
    if not options:
        return None
    # an earlier duty's fulfilment, when there is one, half the time
    if "fulfilled" in options[-1][0] and draw(st.booleans()):
        options = options[-1:]
    # or a party's act recorded in the log (semantics/acts.py): no fixed day, any time
    # fits, so the duty it makes may fall due in a later phase, or after the last one
    options.append(({"act": "approve", "by": "a"}, 3))
    anchor, room = draw(st.sampled_from(options))
    if draw(st.booleans()):
        within = {"hours": draw(st.integers(1, 24 * room))}
    else:
        within = {"days": draw(st.integers(1, room))}
    return {"within": within, "after": anchor}


def _conditions(
    draw: st.DrawFn, clauses: list[dict[str, Any]], phase_ids: list[str], negotiations: list[str]
) -> None:
    """Conditions on norms, drawn once every clause exists: a triggered duty's ``once``,
    sometimes a prohibition's ``while``, sometimes talks' ``opens_when``."""
    duties = [c["id"] for c in clauses if "obligation" in c]

    def condition(own: str) -> str:
        others = [d for d in duties if d != own]
        conds = ["released(h) >= 1", "hostilities", "not compliant(a)", "compliant(b)"]
        conds += [f"fulfilled({d})" for d in others] + [f"violated({d})" for d in others]
        conds += [f"started({p})" for p in phase_ids[1:]]
        conds += [f"agreed({n})" for n in negotiations if n != own]
        conds += [f"open({n})" for n in negotiations if n != own]
        return draw(st.sampled_from(conds))

    for c in clauses:
        if "obligation" in c and c["obligation"].get("once") == "pending":
            c["obligation"]["once"] = condition(c["id"])
        elif "prohibition" in c and draw(st.integers(0, 4)) == 0:
            c["prohibition"]["while"] = condition(c["id"])
        elif (
            "negotiation" in c
            and "starts_by" not in c["negotiation"]
            and draw(st.integers(0, 3)) == 0
        ):
            c["negotiation"]["opens_when"] = condition(c["id"])


def agreements() -> st.SearchStrategy[Agreement]:
    """Small valid agreements, as typed models."""
    return agreement_data().map(Agreement.model_validate)
