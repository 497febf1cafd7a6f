"""The agreement as a reader sees it, built once for every report.

One view of the agreement is built here: its parties, its numbered clauses with
their words, sources and norm in a plain sentence, its phase timeline and its
exchange schedule. The Markdown, HTML and DOCX writers (``detente render``), the
terminal (``detente show``) and the monitor's HTML page only lay that view out, so
they always say the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TypeVar

from detente.language.model import Agreement, Exchange, ExchangeRound, Expectation
from detente.reports.sentences import describe
from detente.semantics.schedule import PhaseSpan, phase_spans

T = TypeVar("T")


# --------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class SourceView:
    label: str
    url: str | None


@dataclass(frozen=True)
class ClauseView:
    number: str
    title: str | None
    text: str
    words: str  # "quote" or "summary"
    kind: str
    sentence: str
    phase: str | None
    sources: list[SourceView]
    note: str | None
    pax_codes: list[str]


@dataclass(frozen=True)
class PhaseView:
    id: str
    name: str
    #: Agreement days (day 1 = entry into force); None where the text makes it conditional.
    start_day: int | None
    end_day: int | None
    starts: str
    duration: str
    at_expiry: str
    conditional: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    #: Most days an extension rule can add to the phase (None: no such rule or no cap).
    extension_days: int | None = None
    #: True when the phase goes on past its days while a negotiation is open.
    continues: bool = False


@dataclass(frozen=True)
class RoundView:
    label: str
    phase_day: int
    agreement_day: int | None
    date: dt.date | None
    release: dict[str, int]
    counter_release: dict[str, int] | None  # None when neither stated nor derivable
    counter_derived: bool


@dataclass(frozen=True)
class ScheduleView:
    clause: str
    phase: str
    releasing: str
    counterpart: str
    ratios: list[str]
    categories: list[str]
    counter_categories: list[str]
    rounds: list[RoundView]
    total_release: dict[str, int]
    total_counter: dict[str, int]
    stated_totals: dict[str, int]
    stated_counter_totals: dict[str, int]


@dataclass(frozen=True)
class PartyView:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class ExpectationView:
    """What a party (or everyone) needs of the text in every future, whom it protects,
    and the position behind it with its sources."""

    name: str
    claim: str  # the property in words
    protects: str | None  # the protected party's name
    description: str | None
    position: str | None
    sources: list[SourceView]


@dataclass(frozen=True)
class DocumentView:
    id: str
    title: str
    status: str
    description: str | None
    dates: list[tuple[str, str]]
    parties: list[PartyView]
    phases: list[PhaseView]
    clauses: list[ClauseView]
    schedules: list[ScheduleView]
    sources: list[SourceView]
    horizon_days: int
    generated: str = field(default="")
    expectations: list[ExpectationView] = field(default_factory=list)


# --------------------------------------------------------------------------- timeline


def planned_spans(agreement: Agreement) -> dict[str, PhaseSpan]:
    """Phase spans from the semantic core, on the plan: every talk agrees on time.

    A negotiation that keeps a phase going, or that a phase waits for, is taken to
    agree on the last day of the phase before it; that is the earliest the text
    allows, and what a drafting team reads as "the schedule".
    """
    agreed: dict[str, int] = {}
    spans = phase_spans(agreement)
    for _ in agreement.phases:
        changed = False
        previous: PhaseSpan | None = None
        for phase in agreement.phases:
            span = spans[phase.id]
            n = phase.at_expiry.negotiation
            if n is not None and n not in agreed and span.expires is not None:
                agreed[n] = span.expires - 1
                changed = True
            wait = phase.starts.upon_agreement
            before = spans.get(phase.starts.after) if phase.starts.after else previous
            if wait is not None and wait not in agreed and before and before.expires:
                agreed[wait] = before.expires - 1
                changed = True
            previous = span
        if not changed:
            break
        spans = phase_spans(agreement, agreed=agreed)
    return spans


def phase_views(agreement: Agreement) -> list[PhaseView]:
    """Phases laid out in agreement days; a start that waits for a negotiation is conditional."""
    eif = agreement.dates.entry_into_force.date if agreement.dates.entry_into_force else None
    spans = planned_spans(agreement)
    conditional_of: dict[str, bool] = {}
    views: list[PhaseView] = []
    extensions: dict[str, int] = {}
    for clause in agreement.clauses_of("extension"):
        ext = clause.extension
        if ext is not None and ext.max_days is not None:
            extensions[ext.phase] = extensions.get(ext.phase, 0) + ext.max_days
    previous: str | None = None
    for phase in agreement.phases:
        span = spans[phase.id]
        how: list[str] = []
        conditional = False
        if phase.starts.entry_into_force:
            how.append("on entry into force")
        if phase.starts.after:
            how.append(f"after {phase.starts.after} ends")
            conditional = conditional_of.get(phase.starts.after, True)
        elif previous is not None:
            conditional = conditional_of.get(previous, True)
        if phase.starts.upon_agreement:
            how.append(f"once negotiation {phase.starts.upon_agreement} agrees")
            conditional = True
        conditional = conditional or span.start is None
        conditional_of[phase.id] = conditional
        previous = phase.id
        start, end = span.start, span.last_day
        rule = phase.at_expiry.rule
        expiry = {
            "ends": "it ends",
            "continues_while": f"it continues while negotiation {phase.at_expiry.negotiation} "
            "is open",
            "unspecified": "the text says nothing",
        }[rule]
        if phase.duration_days is None:
            expiry = "open-ended"
        views.append(
            PhaseView(
                id=phase.id,
                name=phase.name,
                start_day=start,
                end_day=end,
                starts=" and ".join(how),
                duration=_duration(phase.duration_days, extensions.get(phase.id)),
                at_expiry=expiry,
                conditional=conditional,
                start_date=_date(eif, start),
                end_date=_date(eif, end),
                extension_days=extensions.get(phase.id),
                continues=rule == "continues_while" and phase.duration_days is not None,
            )
        )
    return views


def _duration(days: int | None, extension: int | None) -> str:
    if days is None:
        return "open-ended"
    return f"{days} days" + (f" (+ up to {extension} by extension)" if extension else "")


def _date(eif: dt.date | None, day: int | None) -> dt.date | None:
    if eif is None or day is None:
        return None
    return eif + dt.timedelta(days=day - 1)


# --------------------------------------------------------------------------- schedule


def counter_release(exchange: Exchange, rnd: ExchangeRound) -> tuple[dict[str, int] | None, bool]:
    """What the counterpart releases in a round: as stated, else by the ratios (derived)."""
    if rnd.counter_release is not None:
        return dict(rnd.counter_release), False
    out: dict[str, int] = {}
    for ratio in exchange.ratios:
        units = rnd.release.get(ratio.category)
        if units:
            out[ratio.counter_category] = (
                out.get(ratio.counter_category, 0) + units * ratio.per_unit
            )
    return (out, True) if out else (None, True)


def schedule_views(agreement: Agreement, phases: list[PhaseView]) -> list[ScheduleView]:
    by_id = {p.id: p for p in phases}
    eif = agreement.dates.entry_into_force.date if agreement.dates.entry_into_force else None
    out: list[ScheduleView] = []
    for clause in agreement.clauses_of("exchange"):
        ex = clause.exchange
        assert ex is not None
        phase = by_id.get(ex.phase)
        rounds: list[RoundView] = []
        tot: dict[str, int] = {}
        tot_counter: dict[str, int] = {}
        for i, rnd in enumerate(ex.rounds, 1):
            counter, derived = counter_release(ex, rnd)
            aday = (
                phase.start_day + rnd.day - 1
                if phase is not None and phase.start_day is not None
                else None
            )
            rounds.append(
                RoundView(
                    label=rnd.label or f"Round {i}",
                    phase_day=rnd.day,
                    agreement_day=aday,
                    date=_date(eif, aday),
                    release=dict(rnd.release),
                    counter_release=counter,
                    counter_derived=derived,
                )
            )
            for k, v in rnd.release.items():
                tot[k] = tot.get(k, 0) + v
            for k, v in (counter or {}).items():
                tot_counter[k] = tot_counter.get(k, 0) + v
        cats = sorted({k for r in rounds for k in r.release} | set(ex.totals))
        counter_cats = sorted(
            {k for r in rounds for k in (r.counter_release or {})} | set(ex.counter_totals)
        )
        out.append(
            ScheduleView(
                clause=clause.id,
                phase=ex.phase,
                releasing=ex.releasing,
                counterpart=ex.counterpart,
                ratios=[f"{r.per_unit} {r.counter_category} per {r.category}" for r in ex.ratios],
                categories=cats,
                counter_categories=counter_cats,
                rounds=rounds,
                total_release=tot,
                total_counter=tot_counter,
                stated_totals=dict(ex.totals),
                stated_counter_totals=dict(ex.counter_totals),
            )
        )
    return out


# --------------------------------------------------------------------------- the document


def build_view(agreement: Agreement) -> DocumentView:
    sources = {s.id: s for s in agreement.sources}

    def source_view(ref: str) -> SourceView:
        src = sources.get(ref)
        if src is None:
            return SourceView(ref, ref if ref.startswith(("http://", "https://")) else None)
        label = src.title or src.document or src.url or src.id
        if src.publisher:
            label += f" ({src.publisher}"
            label += f", {src.date.isoformat()})" if src.date else ")"
        return SourceView(label, src.url)

    clauses = [
        ClauseView(
            number=c.id,
            title=c.title,
            text=c.text,
            words=c.words,
            kind=c.kind,
            sentence=describe(c, agreement),
            phase=c.phase,
            sources=[source_view(r) for r in c.source],
            note=c.note,
            pax_codes=list(c.pax_codes),
        )
        for c in agreement.clauses
    ]
    phases = phase_views(agreement)
    schedules = schedule_views(agreement, phases)
    expectations = [
        ExpectationView(
            name=e.label,
            claim=expectation_claim(agreement, e),
            protects=agreement.party(e.protects).name if e.protects else None,
            description=e.description,
            position=e.position.text if e.position else None,
            sources=[source_view(r) for r in e.position.source] if e.position else [],
        )
        for e in agreement.expectations
    ]
    dates: list[tuple[str, str]] = []
    for name in ("announced", "signed", "entry_into_force", "ended"):
        fact = getattr(agreement.dates, name)
        if fact is not None:
            when = fact.date.isoformat()
            if fact.time:
                when += f" {fact.time}" + (f" (UTC{fact.utc_offset})" if fact.utc_offset else "")
            dates.append((name.replace("_", " "), when))
    ends = [(p.end_day or p.start_day or 0) + (p.extension_days or 0) for p in phases]
    rounds = [r.agreement_day or 0 for s in schedules for r in s.rounds]
    horizon = max([*ends, *rounds, 1])
    view = DocumentView(
        id=agreement.id,
        title=agreement.title,
        status=agreement.status.value.replace("_", " "),
        description=agreement.description,
        dates=dates,
        parties=[PartyView(p.id, p.name, p.role.value) for p in agreement.parties],
        phases=phases,
        clauses=clauses,
        schedules=schedules,
        sources=[
            SourceView(s.title or s.document or s.url or s.id, s.url) for s in agreement.sources
        ],
        horizon_days=horizon,
        expectations=expectations,
    )
    return clean(view)


def expectation_claim(agreement: Agreement, e: Expectation) -> str:
    """What an expectation asks of the text, in one sentence."""
    p = agreement.party(e.protects).name if e.protects else ""
    a, b = (agreement.party(x).name for x in e.parties) if e.parties else ("", "")
    if e.formula is not None:
        who = f", on every run in which {p} complies" if p else ", on every run"
        return f"The formula {e.formula} holds{who}."
    return {
        "no_unilateral_exit": f"While {p} complies, fighting never resumes lawfully except by "
        f"{p}'s own act or with {p}'s consent.",
        "no_indefinite_truce": f"While {p} complies, the truce never goes on forever short of "
        "the final phase with no lawful way out that it or a mediator can take without "
        "another party's consent.",
        "no_lapse": "The agreement is never in force with no ceasefire binding anyone and "
        "nothing said about what happens.",
        "completes_if_all_comply": "When every party complies and the talks agree, the "
        "agreement completes with every exchange done.",
        "reciprocity": f"Whenever {a} has released a round, {b}'s matching round is due or done.",
        "consistent": "No point of the agreement obliges a party to what another clause "
        "forbids, or to release more than it holds.",
        "totals_add_up": "The rounds add up to the stated totals, and the ratios to the "
        "stated counts.",
    }.get(e.template or "", e.label)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: T) -> T:
    """The view without control characters (a YAML reader's fold marks, stray bytes).

    They are invisible in HTML, break Markdown and make DOCX (XML 1.0) refuse the text.
    """
    if isinstance(value, str):
        return _CONTROL.sub("", value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: clean(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [clean(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(clean(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}  # type: ignore[return-value]
    return value
