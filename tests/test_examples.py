"""The bundled real agreements: every example loads, and a few of its facts read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import detente
from detente.language.model import Agreement

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SPECS = sorted(EXAMPLES.glob("*/*.yaml"))
DRAFTS = sorted(EXAMPLES.glob("gaza-framework-2024/july-2024-*.yaml"))


def _load(relative: str) -> Agreement:
    return detente.load(EXAMPLES / relative)


JAN_2025 = EXAMPLES / "jan-2025-ceasefire" / "agreement.yaml"
needs_jan_2025 = pytest.mark.skipif(not JAN_2025.exists(), reason="being encoded")


@needs_jan_2025
def test_the_three_agreements_are_bundled() -> None:
    folders = {p.parent.name for p in SPECS}
    assert {"nov-2023-truce", "gaza-framework-2024", "jan-2025-ceasefire"} <= folders


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_loads(path: Path) -> None:
    agreement = detente.load(path)
    assert agreement.clauses, "an example without clauses encodes nothing"
    assert agreement.sources, "every example lists its sources"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_clause_carries_a_source(path: Path) -> None:
    for clause in detente.load(path).clauses:
        assert clause.source, f"clause {clause.id} has no source"


def test_nov_2023_schedule_adds_up_to_50_hostages_for_150_prisoners() -> None:
    truce = _load("nov-2023-truce/agreement.yaml")
    exchange = truce.clauses_of("exchange")[0].exchange
    assert exchange is not None
    hostages = sum(sum(r.release.values()) for r in exchange.rounds)
    prisoners = sum(sum((r.counter_release or {}).values()) for r in exchange.rounds)
    assert (hostages, prisoners) == (50, 150)
    assert truce.phases[0].duration_days == 4


def test_nov_2023_extension_is_one_day_per_ten_hostages() -> None:
    truce = _load("nov-2023-truce/agreement.yaml")
    rule = truce.clauses_of("extension")[0].extension
    assert rule is not None
    assert (rule.releasing, rule.units, rule.days) == ("hamas", 10, 1)


def test_framework_phase_one_is_six_weeks_and_continues_while_negotiating() -> None:
    base = _load("gaza-framework-2024/base.yaml")
    phase1 = base.phase("phase1")
    assert phase1.duration_days == 42
    assert phase1.at_expiry.rule == "continues_while"
    assert base.clause(phase1.at_expiry.negotiation or "").kind == "negotiation"


@pytest.mark.parametrize("path", DRAFTS, ids=lambda p: p.name)
def test_each_draft_asks_both_sides_questions(path: Path) -> None:
    draft = detente.load(path)
    assert draft.extends == "base.yaml"
    labels = {e.label for e in draft.expectations}
    assert {"no_unilateral_exit(hamas)", "no_indefinite_truce(israel)"} <= labels
    for e in draft.expectations:
        if e.protects is not None:
            assert e.position is not None, f"{e.label} carries no stated position"


def test_the_two_july_2024_wordings_differ_on_scope_and_exit() -> None:
    hamas = _load("gaza-framework-2024/july-2024-hamas-wording.yaml")
    israel = _load("gaza-framework-2024/july-2024-israel-wording.yaml")
    talks_h, talks_i = hamas.clause("8").negotiation, israel.clause("8").negotiation
    assert talks_h is not None and talks_i is not None
    assert talks_h.scope.topics and not talks_h.scope.open
    assert talks_i.scope.open
    israel_powers = [c.power for c in israel.clauses_of("power")]
    assert any(p is not None and p.holder == "israel" for p in israel_powers)
    assert not [
        c
        for c in hamas.clauses_of("power")
        if c.power and c.power.action.value in ("declare_failed", "resume_hostilities")
    ]


@needs_jan_2025
def test_jan_2025_phase_one_is_42_days_with_33_hostages() -> None:
    deal = _load("jan-2025-ceasefire/agreement.yaml")
    assert deal.pax_id == 2801
    assert deal.phase("phase1").duration_days == 42
    exchange = deal.clauses_of("exchange")[0].exchange
    assert exchange is not None
    assert sum(sum(r.release.values()) for r in exchange.rounds) == 33
    talks = deal.clauses_of("negotiation")[0].negotiation
    assert talks is not None and talks.starts_by is not None
    assert (talks.starts_by.phase, talks.starts_by.day) == ("phase1", 16)


def test_the_language_guide_shows_every_construct() -> None:
    from detente.language.expressions import PREDICATES, WORDS
    from detente.language.model import BUILTIN_ACTIONS, NORM_KINDS, TEMPLATES, PowerAction

    guide = (EXAMPLES.parent / "docs" / "language.md").read_text(encoding="utf-8")
    names = [
        *NORM_KINDS,
        *TEMPLATES,
        *(a.value for a in PowerAction),
        *BUILTIN_ACTIONS,
        *PREDICATES,
        *WORDS,
        "extends",
        "continues_while",
        "unspecified",
        "position",
    ]
    missing = [n for n in names if n not in guide]
    assert not missing, f"docs/language.md does not show {missing}"


# ------------------------------------------------------------- other conflicts, other shapes
# Each of these examples validates, checks and replays; the verdicts are the ones its
# README explains (a changed verdict means the README is wrong, or the spec is).

OTHER_SHAPES: dict[str, dict[str, str]] = {
    "nagorno-karabakh-2020": {
        "no_lapse": "holds",
        "consistent": "holds",
        "no_unilateral_exit(armenia)": "holds",
        "no_unilateral_exit(azerbaijan)": "holds",
    },
    "pretoria-2022": {
        "no_lapse": "holds",
        "consistent": "holds",
        "no_unilateral_exit(tplf)": "holds",
        "no_unilateral_exit(ethiopia)": "holds",
    },
    "stockholm-2018": {
        "no_lapse": "holds",
        "consistent": "holds",
        "no_unilateral_exit(houthis)": "holds",
        "no_unilateral_exit(government)": "holds",
    },
}


def _folder(name: str) -> Path:
    folder = EXAMPLES / name
    if not (folder / "agreement.yaml").exists():
        pytest.skip(f"{name} is being encoded")
    return folder


@pytest.mark.parametrize("name", sorted(OTHER_SHAPES))
def test_other_shapes_check_as_their_readme_says(name: str) -> None:
    import detente.checker as checker

    result = checker.check(_folder(name) / "agreement.yaml")
    verdicts = {e.name: e.verdict for e in result.expectations}
    assert verdicts == OTHER_SHAPES[name]


@pytest.mark.parametrize("name", sorted(OTHER_SHAPES))
def test_other_shapes_replay_their_whole_log(name: str) -> None:
    folder = _folder(name)
    agreement = detente.load(folder / "agreement.yaml")
    events = list(detente.iter_events(folder / "events.csv", agreement))
    assert events, "an example's log is not empty"
    assert all(e.source for e in events), "every event row names its source"
    report = detente.monitor(agreement, iter(events))
    assert report.as_of == max(e.date for e in events)


def test_nagorno_karabakh_withdrawals_read_against_the_signed_dates() -> None:
    folder = _folder("nagorno-karabakh-2020")
    deal = detente.load(folder / "agreement.yaml")
    assert deal.pax_id == 2324
    report = detente.monitor(deal, detente.iter_events(folder / "events.csv", deal))
    assert report.obligation("2").describe() == "fulfilled on time"  # Aghdam, 20 Nov
    assert report.obligation("6.2").describe() == "fulfilled on time"  # Lachin, 1 Dec
    # Kalbajar: the text's 15 Nov, moved to 25 Nov by the parties' agreement of 15 Nov (an
    # amendment of clause 6.1, logged that day, the deadline day itself): handed over on
    # the new date, so on time; without the logged amendment, ten days late.
    assert report.obligation("6.1").describe() == (
        "fulfilled on time (due by day 16 as amended on 15 November 2020 by clause "
        "6.1-extension, per JAMnews)"
    )
    events = [e for e in detente.iter_events(folder / "events.csv", deal) if e.action != "amend"]
    assert detente.monitor(deal, iter(events)).obligation("6.1").describe() == "late by 10 days"


@needs_jan_2025
def test_jan_2025_day_14_as_the_text_has_it_then_as_the_mediators_settled_it() -> None:
    import datetime as dt

    deal = _load("jan-2025-ceasefire/agreement.yaml")
    events = list(detente.iter_events(JAN_2025.parent / "events.csv", deal))

    def day_14(as_of: dt.date | None, log: list[detente.Event]) -> dict[str, int | None]:
        report = detente.monitor(deal, iter(log), as_of=as_of)
        return {
            o.id.split("/", 2)[2]: o.quantity
            for o in report.obligations
            if o.id.startswith("exchange/r3/")
        }

    # before the settlement of 26 January the text's three (and 110 prisoners) are due
    assert day_14(dt.date(2025, 1, 25), events) == {
        "release/civilian_women_children": 1,
        "release/female_soldiers": 1,
        "release/other_phase_one_hostages": 1,
        "counter/prisoners": 110,
    }
    # from it, six (and 200)
    assert day_14(dt.date(2025, 1, 27), events) == {
        "release/civilian_women_children": 1,
        "release/female_soldiers": 1,
        "release/other_phase_one_hostages": 4,
        "counter/prisoners": 200,
    }
    report = detente.monitor(deal, iter(events))
    week_six = report.obligation("exchange/r7/release/other_phase_one_hostages")
    assert (week_six.quantity, week_six.status) == (11, "fulfilled")
    assert week_six.amended is not None and "26 January 2025" in week_six.amended
    # the 22 February hold-back shows: round 6's prisoners five days late; under the
    # text's terms alone (no settlement logged) the same releases read on time
    assert report.obligation("exchange/r6/counter/prisoners").describe() == "late by 5 days"
    text = detente.monitor(deal, iter([e for e in events if e.action != "amend"]))
    assert text.obligation("exchange/r6/counter/prisoners").describe() == "fulfilled on time"


def test_pretoria_disarmament_stages_read_against_the_pretoria_dates() -> None:
    folder = _folder("pretoria-2022")
    deal = detente.load(folder / "agreement.yaml")
    assert deal.pax_id == 2443
    report = detente.monitor(deal, detente.iter_events(folder / "events.csv", deal))
    # "Within 5 days from the signing" (day 0 = signing, counting: day_zero): 7 November 2022.
    assert report.obligation("6a.1").describe() == "fulfilled on time"
    assert report.obligation("6a.2").describe() == "fulfilled on time"
    # Heavy weapons: ten days after the Nairobi meeting (22 Nov); handed over 10 Jan 2023.
    assert report.obligation("6b").describe() == "late by 49 days"
    # Nothing logged either way for the overall disarmament: never a violation on silence.
    assert report.obligation("6c").status == "not_recorded"


def test_pretoria_services_are_an_open_duty_and_the_au_mission_verifies() -> None:
    folder = _folder("pretoria-2022")
    deal = detente.load(folder / "agreement.yaml")
    services = deal.clause("services").obligation
    assert services is not None and services.window is None  # "within agreed timelines"
    events = list(detente.iter_events(folder / "events.csv", deal))
    # Before the first restoration logged (electricity, 6 Dec 2022): open, never late.
    before = detente.monitor(deal, iter(events), as_of=dt.date(2022, 12, 5))
    assert before.obligation("services").status == "open"
    after = detente.monitor(deal, iter(events))
    assert after.obligation("services").status == "fulfilled"
    assert after.obligation("services").fulfilled_on == dt.date(2022, 12, 6)
    # The AU mission is the monitor; its one reported verification: the heavy weapons.
    assert deal.party("au_mvcm").role.value == "monitor"
    assert [(r["actor"], r["clause"], r["date"]) for r in after.verified] == [
        ("au_mvcm", "6b", "2023-01-10")
    ]


def test_stockholm_redeployment_reads_both_ways_and_releases_stay_apart() -> None:
    folder = _folder("stockholm-2018")
    deal = detente.load(folder / "agreement.yaml")
    assert deal.pax_id == 2121
    report = detente.monitor(deal, detente.iter_events(folder / "events.csv", deal))
    # The ports: due 31 Dec 2018; the disputed redeployment of 11 May 2019.
    assert report.obligation("H2.1").describe() == "late by 131 days"
    # The city: nothing logged either way.
    assert report.obligation("H2.2").status == "not_recorded"
    assert report.obligation("H2.3").status == "not_recorded"
    # The committee (role: monitor) verified the ports' redeployment on 14 May 2019, which
    # the Government disputes: the verification is listed as the committee's.
    assert deal.party("rcc").role.value == "monitor"
    assert [(r["actor"], r["action"], r["clause"]) for r in report.verified] == [
        ("rcc", "verify", "H2.1")
    ]


def test_stockholm_prisoner_exchange_is_two_open_duties() -> None:
    folder = _folder("stockholm-2018")
    deal = detente.load(folder / "agreement.yaml")
    for cid in ("P.1", "P.2"):
        duty = deal.clause(cid).obligation
        assert duty is not None and duty.window is None and duty.quantity is None
    events = list(detente.iter_events(folder / "events.csv", deal))
    # No deadline: open for the 22 months before the first exchange, never violated.
    before = detente.monitor(deal, iter(events), as_of=dt.date(2020, 10, 15))
    assert before.obligation("P.1").status == "open"
    assert before.obligation("P.2").status == "open"
    # With no count on the lists per side, the first exchange logged (16 Oct 2020) is what
    # the monitor reads as the duty done; the totals keep every release (the README).
    after = detente.monitor(deal, iter(events))
    assert after.obligation("P.1").fulfilled_on == dt.date(2020, 10, 16)
    assert after.totals["government"]["detainees_held_by_government"] == 681 + 706
    assert after.totals["houthis"]["detainees_held_by_houthis"] == 400 + 181


def test_pretoria_counts_from_day_zero_as_the_text_does() -> None:
    deal = detente.load(_folder("pretoria-2022") / "agreement.yaml")
    assert deal.counting == "day_zero"
    meeting = deal.clause("6a.1").obligation
    assert meeting is not None and meeting.window is not None
    # "within 5 days from the signing"
    assert meeting.window.by is not None and meeting.window.by.day == 5
