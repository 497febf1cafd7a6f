"""The agreement for a reader, in the terminal (``detente show``).

Reads the same document view as the Markdown, HTML and DOCX renderings
(:func:`detente.reports.render.build_view`), so every format lays phases out
the same way and says each clause in the same sentence
(:mod:`detente.reports.sentences`). Text from the spec is never read as Rich
markup.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from detente.language.model import Agreement
from detente.reports.sentences import party_name, phase_name, stock_name
from detente.reports.view import DocumentView, PhaseView, ScheduleView, build_view

#: Widest timeline bar, in characters.
BAR_WIDTH = 48
_ROLE_ORDER = {"party": 0, "mediator": 1, "guarantor": 2, "observer": 3}


def show_agreement(agreement: Agreement, console: Console) -> None:
    """Print the whole agreement: header, parties, timeline, clauses, schedule, expectations."""
    view = build_view(agreement)
    console.print(header(agreement, view))
    console.print(parties_table(view))
    console.print(
        timeline(view, width=max(12, min(BAR_WIDTH, console.width - 100)), agreement=agreement)
    )
    console.print(clauses_by_phase(agreement, view))
    for schedule in view.schedules:
        console.print(schedule_table(agreement, schedule))
    if agreement.expectations:
        console.print(expectations_table(agreement))


# --------------------------------------------------------------------------- header


def header(agreement: Agreement, view: DocumentView) -> Panel:
    lines = [Text(view.title, style="bold")]
    facts = [f"id {view.id}", view.status]
    if agreement.pax_id is not None:
        facts.append(f"PA-X {agreement.pax_id}")
    if agreement.extends:
        facts.append(f"a draft extending {agreement.extends}")
    lines.append(Text(" · ".join(facts), style="dim"))
    for name, when in view.dates:
        lines.append(Text(f"{name}: {when}"))
    if view.description:
        lines.append(Text(view.description))
    return Panel(Group(*lines), expand=False)


def parties_table(view: DocumentView) -> Table:
    table = Table(title="Parties", title_justify="left")
    table.add_column("name")
    table.add_column("role")
    table.add_column("id", style="dim")
    for p in sorted(view.parties, key=lambda p: _ROLE_ORDER.get(p.role, 9)):
        table.add_row(Text(p.name), Text(p.role), Text(p.id))
    return table


# --------------------------------------------------------------------------- timeline


def _days(p: PhaseView) -> str:
    if p.start_day is None:
        return "not scheduled"
    if p.end_day is None:
        return f"from day {p.start_day}, open-ended"
    return f"days {p.start_day}–{p.end_day}"


def _phase_words(agreement: Agreement, phase_id: str) -> tuple[str, str]:
    """How a phase starts and what happens at its expiry, with names rather than ids."""
    phase = agreement.phase(phase_id)
    s = phase.starts
    how: list[str] = []
    if s.entry_into_force:
        how.append("on entry into force")
    if s.after:
        how.append(f"after {phase_name(agreement, s.after)} ends")
    if s.upon_agreement:
        how.append(f"once the negotiation of clause {s.upon_agreement} agrees")
    rule = phase.at_expiry
    if phase.duration_days is None:
        expiry = "open-ended"
    elif rule.rule == "ends":
        expiry = "it ends"
    elif rule.rule == "continues_while":
        expiry = f"it continues while the negotiation of clause {rule.negotiation} is open"
    else:
        expiry = "the text says nothing (a gap)"
    return " and ".join(how), expiry


def timeline(
    view: DocumentView, width: int = BAR_WIDTH, agreement: Agreement | None = None
) -> Table:
    """Phases as a bar chart in agreement days (day 1 = entry into force).

    ``█`` is a phase's own days; ``░`` the days it may run on (an extension rule, or
    talks that keep it going); ``→`` an open-ended phase. A start that waits for
    talks is shown where it would fall if they agree on time.
    """
    horizon = max(view.horizon_days, 1)
    for p in view.phases:
        if p.continues and p.end_day is not None:
            horizon = max(horizon, p.end_day + max(3, horizon // 10))
    scale = width / horizon

    def col(day: int) -> int:
        return min(width, max(0, round((day - 1) * scale)))

    table = Table(
        title=f"Timeline in days from entry into force (day 1), {horizon} days shown",
        title_justify="left",
    )
    table.add_column("phase", min_width=10)
    table.add_column("days", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("starts / at expiry", min_width=24)
    for p in view.phases:
        bar = Text(" " * width)
        if p.start_day is not None:
            start = col(p.start_day)
            end = col(p.end_day + 1) if p.end_day is not None else width
            end = max(end, start + 1)
            style = "yellow" if p.conditional else "green"
            bar = Text(" " * start)
            bar.append("█" * (end - start), style=style)
            tail = 0
            if p.end_day is None:
                bar.append("→", style=style)
                tail = 1
            elif p.continues or p.extension_days:
                extra = (p.extension_days or 0) if not p.continues else max(3, horizon // 10)
                tail = max(1, col(p.end_day + 1 + extra) - end)
                bar.append("░" * tail, style=style)
            bar.append(" " * max(0, width - end - tail))
        starts, expiry = (
            _phase_words(agreement, p.id) if agreement is not None else (p.starts, p.at_expiry)
        )
        words = f"starts {starts}" if starts else ""
        if p.extension_days:
            expiry += f"; an extension rule can add up to {p.extension_days} days"
        if p.conditional and p.start_day is not None:
            words += " (shown as if the talks agree on time)"
        table.add_row(
            Text(p.name),
            Text(_days(p)),
            bar,
            Text(f"{words}\nat expiry: {expiry}" if words else f"at expiry: {expiry}"),
        )
    return table


# --------------------------------------------------------------------------- clauses


def clauses_by_phase(agreement: Agreement, view: DocumentView) -> Group:
    """Each phase's clauses, each as one sentence; clauses tied to no phase come last."""
    phase_ids = [p.id for p in view.phases]
    blocks: list[Text | Table] = [Text("Clauses by phase", style="bold")]
    groups: list[tuple[str, list[str]]] = []
    for p in view.phases:
        groups.append((p.name, [c.sentence for c in view.clauses if c.phase == p.id]))
    rest = [c.sentence for c in view.clauses if c.phase not in phase_ids]
    if rest:
        groups.append(("Throughout the agreement", rest))
    for name, sentences in groups:
        blocks.append(Text(name, style="bold cyan"))
        if not sentences:
            blocks.append(Text("  (no clauses)", style="dim"))
        for sentence in sentences:
            line = Text("  • ")
            line.append(sentence)
            blocks.append(line)
    return Group(*blocks)


# --------------------------------------------------------------------------- schedule


def schedule_table(agreement: Agreement, s: ScheduleView) -> Table:
    """One exchange's rounds: each side's count per round and in total."""
    releasing = party_name(agreement, s.releasing)
    counterpart = party_name(agreement, s.counterpart)
    table = Table(
        title=f"Exchange schedule (clause {s.clause}): {releasing} ⇄ {counterpart}",
        title_justify="left",
        caption=("ratios: " + "; ".join(s.ratios)) if s.ratios else None,
        caption_justify="left",
        show_footer=True,
    )
    table.add_column("round", footer="total")
    table.add_column("day", justify="right", footer="")
    cats, counter_cats = s.categories, s.counter_categories
    for cat in cats:
        table.add_column(
            Text(f"{releasing}: {_short(agreement, cat)}"),
            justify="right",
            footer=_total(s.total_release.get(cat, 0), s.stated_totals.get(cat)),
        )
    for cat in counter_cats:
        table.add_column(
            Text(f"{counterpart}: {_short(agreement, cat)}"),
            justify="right",
            footer=_total(s.total_counter.get(cat, 0), s.stated_counter_totals.get(cat)),
        )
    for r in s.rounds:
        day = f"{r.phase_day}"
        if r.agreement_day is not None and r.agreement_day != r.phase_day:
            day += f" (day {r.agreement_day})"
        if r.date is not None:
            day += f"\n{r.date.isoformat()}"
        row = [Text(r.label), Text(day)]
        row += [Text(f"{r.release[c]:,}" if c in r.release else "") for c in cats]
        for c in counter_cats:
            n = (r.counter_release or {}).get(c)
            mark = " *" if r.counter_derived and n is not None else ""
            row.append(Text(f"{n:,}{mark}" if n is not None else "?"))
        table.add_row(*row)
    if any(r.counter_derived and r.counter_release for r in s.rounds):
        note = "* by the ratio (the text states no count for the round)"
        table.caption = f"{table.caption}\n{note}" if table.caption else note
    return table


def _short(agreement: Agreement, stock: str) -> str:
    name = stock_name(agreement, stock)
    return name if len(name) <= 40 else stock.replace("_", " ")


def _total(got: int, stated: int | None) -> str:
    if stated is None or stated == got:
        return f"{got:,}" + (" (as stated)" if stated is not None else "")
    return f"{got:,} (stated: {stated:,})"


# --------------------------------------------------------------------------- expectations


def expectations_table(agreement: Agreement) -> Table:
    table = Table(title="Expectations", title_justify="left")
    table.add_column("expectation")
    table.add_column("protects")
    table.add_column("what it asks")
    for e in agreement.expectations:
        if e.protects is not None:
            who = party_name(agreement, e.protects)
        elif e.parties:
            who = " and ".join(party_name(agreement, p) for p in e.parties)
        else:
            who = "everyone"
        asks = e.description or (
            f"formula: {e.formula}" if e.formula else _TEMPLATE_WORDS.get(e.template or "", "")
        )
        if e.position is not None:
            asks += f"\nposition: {e.position.text}"
        table.add_row(Text(e.label), Text(who), Text(asks))
    return table


_TEMPLATE_WORDS = {
    "no_unilateral_exit": "while it complies, no other party can lawfully end the truce",
    "no_indefinite_truce": "while it complies, the truce cannot drag on forever short of "
    "the final phase",
    "no_lapse": "the agreement never leaves a gap with no ceasefire and nothing said",
    "completes_if_all_comply": "if all comply and talks agree, the agreement completes",
    "reciprocity": "each release round is matched by the other side's",
    "consistent": "no norm obliges what another forbids, or a release beyond what is held",
    "totals_add_up": "the rounds and ratios add up to the stated totals",
}
