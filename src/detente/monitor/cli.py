"""``detente monitor AGREEMENT EVENTS``: a thin client of :func:`detente.monitor.monitor`.

Exit codes: 0 the report was made; 1 the agreement or the log has problems (each
printed as PATH:LINE[:COL]: error: sentence); 2 a path cannot be read or written,
or a bad option.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from detente.errors import EXIT_PROBLEMS, EXIT_UNREADABLE, SpecError, UnreadableError
from detente.language.model import Agreement
from detente.monitor.report import MonitorReport, ObligationStatus

_out = Console(highlight=False)
_err = Console(stderr=True, highlight=False)

STATUS_STYLE = {
    "fulfilled": "green",
    "late": "yellow",
    "violated": "bold red",
    "due": "cyan",
    "pending": "dim",
    "discharged": "magenta",
}
VERIFICATION_STYLE = {"confirmed": "green", "reported": "", "disputed": "bold yellow"}


def _date_option(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    if value == "today":
        return dt.date.today()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        _err.print(
            f"detente monitor: error: {name} must be an ISO 8601 date YYYY-MM-DD, not {value!r}",
            markup=False,
        )
        raise typer.Exit(EXIT_UNREADABLE) from None


def _problems(exc: SpecError) -> None:
    for problem in exc.problems:
        _err.print(str(problem), markup=False, soft_wrap=True)


def monitor_command(
    agreement_path: Annotated[
        Path, typer.Argument(metavar="AGREEMENT", help="The agreement spec.")
    ],
    events_path: Annotated[
        Path, typer.Argument(metavar="EVENTS", help="The event log: CSV, or JSON Lines (.jsonl).")
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Report as of this date (YYYY-MM-DD or 'today'); default: the log's last date.",
        ),
    ] = None,
    entry_into_force: Annotated[
        str | None,
        typer.Option(
            "--entry-into-force", help="Date of entry into force, when the spec gives none."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as one offline HTML page.")
    ] = None,
    export: Annotated[
        str | None,
        typer.Option(
            "--export", help="Write the log as ACLED rows (acled) or PLOVER JSON Lines (plover)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where --export writes; default stdout.")
    ] = None,
) -> None:
    """Each obligation's status, the exchange ledger, violations, the phase and next deadlines."""
    from detente.language.loader import load
    from detente.monitor.events import iter_events
    from detente.monitor.replay import monitor

    if export is not None and export not in ("acled", "plover"):
        _err.print(
            f"detente monitor: error: --export must be acled or plover, not {export!r}",
            markup=False,
        )
        raise typer.Exit(EXIT_UNREADABLE)
    report_date = _date_option(as_of, "--as-of")
    eif = _date_option(entry_into_force, "--entry-into-force")
    try:
        agreement = load(agreement_path)
        if export is not None:
            _export(agreement, events_path, export, output)
            return
        report = monitor(
            agreement, iter_events(events_path, agreement), entry_into_force=eif, as_of=report_date
        )
        if html is not None:
            _write_html(report, agreement, events_path, html)
    except UnreadableError as exc:
        _err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except SpecError as exc:
        _problems(exc)
        raise typer.Exit(EXIT_PROBLEMS) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(report, agreement, _out)
    if html is not None and not as_json:
        _out.print(f"wrote {html}", markup=False)


def _export(agreement: Agreement, events_path: Path, shape: str, output: Path | None) -> None:
    """Stream the export into a temporary file, so a log with problems leaves nothing behind."""
    from detente.monitor.events import iter_events
    from detente.monitor.interop import write_acled, write_plover

    write = write_acled if shape == "acled" else write_plover
    folder = output.parent if output is not None else None
    fd, tmp = tempfile.mkstemp(prefix=".detente-export-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            n = write(agreement, iter_events(events_path, agreement), f)
        if output is None:
            with open(tmp, encoding="utf-8") as f:
                shutil.copyfileobj(f, sys.stdout)
        else:
            os.replace(tmp, output)
            _err.print(f"wrote {n} {shape} records to {output}", markup=False)
    except OSError as exc:
        raise UnreadableError(str(output or "stdout"), exc.strerror or str(exc)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_html(report: MonitorReport, agreement: Agreement, events_path: Path, out: Path) -> None:
    try:
        from detente.reports.monitor_html import render_monitor_html
    except ImportError:
        _err.print("detente monitor: error: the HTML report is not in this build", markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    from detente.monitor.events import iter_events

    # The charts need the releases only; a second streaming pass keeps memory flat.
    releases = [e for e in iter_events(events_path, agreement) if e.action == "release"]
    page = render_monitor_html(report, agreement, releases)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UnreadableError(str(out), exc.strerror or str(exc)) from None


# --------------------------------------------------------------------------- terminal


def _styled(text: Any, style: str) -> str:
    from rich.markup import escape

    value = escape("" if text is None else str(text))
    return f"[{style}]{value}[/]" if style else value


def _cell(value: Any) -> str:
    from rich.markup import escape

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
        status = r["status"] + (f" by {r['late_days']} d" if r["status"] == "late" else "")
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

    obligations = Table(title="Obligations", title_justify="left")
    for col in ("id", "clause", "debtor", "due", "status", "fulfilled on"):
        obligations.add_column(col)
    for first, last in _runs(report.obligations):
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

    _events_table(console, "Violations (prohibited acts)", report.violations, extra="prohibited_by")
    _events_table(console, "Powers exercised", report.powers, extra="reason")
    if report.disputed_events:
        both = Table(title="Disputed events, both ways", title_justify="left")
        for col in ("what", "with disputed events", "without them"):
            both.add_column(col)
        for d in report.disputed:
            both.add_row(_cell(d.get("what") or d["id"]), _cell(d["with"]), _cell(d["without"]))
        console.print(both)
    if not report.violations:
        console.print("No prohibited act recorded.")


def _runs(obligations: list[ObligationStatus]) -> list[tuple[ObligationStatus, ObligationStatus]]:
    """Consecutive instances of one recurring duty with the same status, folded into one row."""
    out: list[tuple[ObligationStatus, ObligationStatus]] = []
    for o in obligations:
        if out:
            first, last = out[-1]
            if (
                "#" in o.id
                and o.clause == last.clause
                and o.kind == last.kind
                and o.status == last.status
                and o.status not in ("late", "due")
                and o.describe() == last.describe()
            ):
                out[-1] = (first, o)
                continue
        out.append((o, o))
    return out


def _events_table(console: Console, title: str, rows: list[dict[str, Any]], *, extra: str) -> None:
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
        table.add_row(
            _cell(r["date"]),
            _cell(r["actor"]),
            _cell(r["action"]),
            _cell(r["clause"]),
            _cell(r.get(extra)),
            _styled(r["verification"], VERIFICATION_STYLE.get(r["verification"], "")),
            _cell(r["source"]),
        )
    console.print(table)
