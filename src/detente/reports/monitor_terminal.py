"""The monitor's report as terminal tables (``detente monitor``), in the order a
monitoring cell reads it each morning.

The reading of absence comes first; *not recorded* has a style of its own (blue italic,
never red), apart from *late* (yellow) and *violated* (bold red); the legend of the
statuses present follows the obligations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente.language.model import Agreement
from detente.monitor.report import MonitorReport
from detente.reports import statuses
from detente.reports.cells import sourced

STATUS_STYLE = {
    "fulfilled": "green",
    "late": "yellow",
    "violated": "bold red",
    "not_recorded": "italic blue",
    "under_way": "yellow",
    "open": "cyan",
    "due": "cyan",
    "pending": "dim",
    "discharged": "magenta",
}
VERIFICATION_STYLE = {"confirmed": "green", "reported": "", "disputed": "bold yellow"}


def _styled(text: Any, style: str) -> str:
    value = escape("" if text is None else str(text))
    return f"[{style}]{value}[/]" if style else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return escape(", ".join(f"{k} {v}" for k, v in value.items()))
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def print_report(report: MonitorReport, agreement: Agreement, console: Console) -> None:
    """The report as Rich tables, in the order a monitoring cell reads it each morning."""
    names = {p.id: p.name for p in agreement.parties}
    phase = report.phase
    where = (
        f"{phase['name']} ({phase['status']}, day {phase['day_in_phase']})"
        if phase
        else "no phase in effect"
    )
    console.print(
        f"[bold]{_cell(report.title)}[/]\nas of {report.as_of.isoformat()} "
        f"(agreement day {report.day}; in force since {report.entry_into_force.isoformat()}): "
        f"{_cell(where)}; agreement {report.agreement_status.replace('_', ' ')}; "
        f"{report.events_read} events read"
    )
    console.print(_styled(report.reading, "italic"))
    # Violated counts the violated only, and is said even when none is: never the not recorded.
    tally = {"violated": 0} | statuses.counts(o.status for o in report.obligations)
    if report.obligations:
        console.print(
            "Obligations: "
            + ", ".join(
                _styled(f"{n} {statuses.label(s)}", STATUS_STYLE.get(s, ""))
                for s, n in tally.items()
            )
        )

    deadlines = Table(title="Next deadlines", title_justify="left")
    for col in ("due", "in", "what", "debtor", "delivered"):
        deadlines.add_column(col)
    for d in report.next_deadlines:
        deadlines.add_row(
            _cell(d["due"]),
            f"{d['due_in_days']} d",
            _cell(d.get("what") or d["id"]),
            _cell(names.get(d.get("debtor") or "", d.get("debtor"))),
            "" if d.get("quantity") is None else f"{d.get('delivered', 0)} of {d['quantity']}",
        )
    if report.next_deadlines:
        console.print(deadlines)

    ledger = Table(title="Exchange ledger", title_justify="left")
    for col in ("round", "due", "released", "in return", "ratio", "status", "delivered on"):
        ledger.add_column(col)
    for r in report.ledger:
        rel = ", ".join(f"{r['release_delivered'][c]}/{n} {c}" for c, n in r["release_due"].items())
        ctr = ", ".join(f"{r['counter_delivered'][c]}/{n} {c}" for c, n in r["counter_due"].items())
        ratio = f"{r['ratio_achieved'] if r['ratio_achieved'] is not None else '-'} (agreed {r['ratio_agreed']})"
        status = statuses.label(r["status"]) + (
            f" by {r['late_days']} d" if r["status"] == "late" else ""
        )
        ledger.add_row(
            _cell(f"{r['clause']} r{r['round']}"),
            _cell(r["due"]),
            _cell(f"{r['releasing']}: {rel}"),
            _cell(f"{r['counterpart']}: {ctr}"),
            _cell(ratio),
            _styled(status, STATUS_STYLE.get(r["status"], "")),
            _cell(r["delivered_on"]),
        )
    if report.ledger:
        console.print(ledger)

    totals = Table(title="Released in total", title_justify="left")
    for col in ("party", "category", "count"):
        totals.add_column(col)
    for party, cats in report.totals.items():
        for cat, n in cats.items():
            totals.add_row(_cell(names.get(party, party)), _cell(cat), str(n))
    if report.totals:
        console.print(totals)
    if report.surplus:
        surplus = Table(
            title="Released beyond the schedule (no round due to go to)", title_justify="left"
        )
        for col in ("party", "category", "count"):
            surplus.add_column(col)
        for party, cats in report.surplus.items():
            for cat, n in cats.items():
                surplus.add_row(_cell(names.get(party, party)), _cell(cat), str(n))
        console.print(surplus)

    if report.outside_agreement:
        outside = Table(
            title="Released outside the agreement (not in the totals above)",
            title_justify="left",
        )
        for col in ("party", "category", "count"):
            outside.add_column(col)
        for party, cats in report.outside_agreement.items():
            for cat, n in cats.items():
                outside.add_row(_cell(names.get(party, party)), _cell(cat), str(n))
        console.print(outside)
        together = Table(title="Released, reconciled to the public total", title_justify="left")
        for col in ("party", "under the agreement", "outside it", "in all"):
            together.add_column(col)
        for party, under, out, total in report.reconciliation():
            together.add_row(_cell(names.get(party, party)), str(under), str(out), str(total))
        console.print(together)
        sources = Table(title="Releases outside the agreement, with sources", title_justify="left")
        for col in ("date", "party", "count", "category", "source"):
            sources.add_column(col)
        for e in report.outside_agreement_events:
            sources.add_row(
                _cell(e["date"]),
                _cell(names.get(e["actor"], e["actor"])),
                _cell(e.get("quantity")),
                _cell(e.get("category")),
                _cell(sourced(e)),
            )
        console.print(sources)

    obligations = Table(title="Obligations", title_justify="left")
    for col in ("id", "clause", "debtor", "due", "status", "fulfilled on"):
        obligations.add_column(col)
    for first, last in statuses.runs(report.obligations):
        o = first
        span = o.id if last is first else f"{o.id} … {last.id.rsplit('#', 1)[-1]}"
        due = _cell(o.due) if last is first else f"{_cell(o.due)} … {_cell(last.due)}"
        obligations.add_row(
            _cell(span),
            _cell(o.clause),
            _cell(o.debtor),
            due,
            _styled(o.describe(), STATUS_STYLE.get(o.status, "")),
            _cell(o.fulfilled_on) if last is first else "",
        )
    console.print(obligations)
    _legend(console, report)

    _events_table(console, "Violations (prohibited acts)", report.violations, extra="prohibited_by")
    _events_table(console, "Powers exercised", report.powers, extra="reason")
    if report.disputed_events:
        both = Table(title="Disputed events, both ways", title_justify="left")
        for col in ("what", "with disputed events", "without them"):
            both.add_column(col)
        for diff in report.disputed:
            both.add_row(
                _cell(diff.get("what") or diff["id"]), _cell(diff["with"]), _cell(diff["without"])
            )
        console.print(both)
    if not report.violations:
        console.print("No prohibited act recorded.")
    _events_table(console, "Verified by the monitoring mechanism", report.verified, extra="notes")
    for source, rows in report.tallies.items():  # one table per source: never summed
        _events_table(
            console,
            f"Tallies reported by {source} (not added to any other source's)",
            rows,
            extra="quantity",
        )


def _legend(console: Console, report: MonitorReport) -> None:
    """What each status present in the report means (``LEGEND``), and the other reading."""
    entries = statuses.legend(o.status for o in report.obligations)
    if not entries:
        return
    table = Table(title="Legend", title_justify="left", show_header=False, box=None)
    table.add_column("status", no_wrap=True)
    table.add_column("meaning")
    for e in entries:
        table.add_row(_styled(e.label, STATUS_STYLE.get(e.status, "")), _cell(e.meaning))
    console.print(table)
    code = statuses.ABSENCE_IS_VIOLATION if report.absence_is_violation else statuses.RECORDED_ONLY
    if "not_recorded" in {e.status for e in entries} or report.absence_is_violation:
        console.print(_styled(statuses.OTHER_READING[code], "dim"))


def _events_table(
    console: Console, title: str, rows: Sequence[Mapping[str, object]], *, extra: str
) -> None:
    if not rows:
        return
    table = Table(title=title, title_justify="left")
    for col in (
        "date",
        "actor",
        "action",
        "clause",
        extra.replace("_", " "),
        "verification",
        "source",
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        actor, answerer = r["actor"], r.get("attributed_to")
        table.add_row(
            _cell(r["date"]),
            # a non-signatory's act, under its own name, and whose breach it is
            _cell(actor if answerer in (None, actor) else f"{actor} (counts against {answerer})"),
            _cell(r["action"]),
            _cell(r["clause"]),
            _cell(r.get(extra)),
            _styled(str(r["verification"]), VERIFICATION_STYLE.get(str(r["verification"]), "")),
            _cell(sourced(r)),
        )
    console.print(table)
