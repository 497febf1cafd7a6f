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
from typing import Annotated

import typer

from detente.cli.common import err, load_spec, out, reporting, usage_error
from detente.errors import Problem, UnreadableError
from detente.language.model import Agreement
from detente.monitor import MonitorReport, iter_events, monitor


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
        usage_error("monitor", f"{name} must be an ISO 8601 date YYYY-MM-DD, not {value!r}")


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
    absence_is_violation: Annotated[
        bool,
        typer.Option(
            "--absence-is-violation",
            help="Read a duty whose deadline passed with nothing logged as violated. Default: "
            "it is 'not recorded', and only a logged breach event makes a duty violated.",
        ),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the report as an offline HTML page, which loads plotly.js from "
            "one bundle written beside it (shared by every page in that folder).",
        ),
    ] = None,
    self_contained: Annotated[
        bool,
        typer.Option(
            "--self-contained",
            help="With --html: carry plotly.js inside the page (one 4.8 MB file, e.g. to "
            "attach to an e-mail) instead of beside it.",
        ),
    ] = False,
    docx_out: Annotated[
        Path | None,
        typer.Option("--docx", help="Also write the report as a Word document."),
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
    from detente.reports.monitor_terminal import print_report

    if export is not None and export not in ("acled", "plover"):
        usage_error("monitor", f"--export must be acled or plover, not {export!r}")
    report_date = _date_option(as_of, "--as-of")
    eif = _date_option(entry_into_force, "--entry-into-force")
    agreement = load_spec(agreement_path)
    with reporting():
        if export is not None:
            _export(agreement, events_path, export, output)
            return
        warnings: list[Problem] = []
        report = monitor(
            agreement,
            iter_events(events_path, agreement, warnings=warnings),
            entry_into_force=eif,
            as_of=report_date,
            absence_is_violation=absence_is_violation,
        )
        for warning in warnings:  # a row worth a look (a web source with no publisher)
            err.print(str(warning), markup=False, soft_wrap=True)
        if html is not None:
            _write_html(report, agreement, events_path, html, self_contained=self_contained)
        if docx_out is not None:
            _write_docx(report, agreement, docx_out)
    for w in report.warnings:  # what the log says that the replay cannot use
        where = f"{events_path}:{w['line']}" if w["line"] is not None else str(events_path)
        err.print(f"{where}: warning: {w['message']}", markup=False, soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(report, agreement, out)
    for written in (html, docx_out):
        if written is not None and not as_json:
            out.print(f"wrote {written}", markup=False)


def _export(agreement: Agreement, events_path: Path, shape: str, output: Path | None) -> None:
    """Stream the export into a temporary file, so a log with problems leaves nothing behind."""
    from detente.monitor.interop import write_acled, write_plover

    write = write_acled if shape == "acled" else write_plover
    folder = output.parent if output is not None else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".detente-export-", dir=folder)
    except OSError as exc:
        raise UnreadableError(str(output), exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            n = write(agreement, iter_events(events_path, agreement), f)
        if output is None:
            with open(tmp, encoding="utf-8") as f:
                shutil.copyfileobj(f, sys.stdout)
        else:
            os.replace(tmp, output)
            err.print(f"wrote {n} {shape} records to {output}", markup=False)
    except OSError as exc:
        raise UnreadableError(str(output or "stdout"), exc.strerror or str(exc)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_docx(report: MonitorReport, agreement: Agreement, path: Path) -> None:
    from detente.reports.monitor_docx import render_monitor_docx

    data = render_monitor_docx(report, agreement)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UnreadableError(str(path), exc.strerror or str(exc)) from None


def _write_html(
    report: MonitorReport,
    agreement: Agreement,
    events_path: Path,
    out: Path,
    *,
    self_contained: bool = False,
) -> None:
    from detente.reports.monitor_html import (
        PLOTLY_BUNDLE,
        render_monitor_html,
        write_plotly_bundle,
    )

    # The charts need the releases only; a second streaming pass keeps memory flat.
    releases = [e for e in iter_events(events_path, agreement) if e.action == "release"]
    src = None if self_contained else PLOTLY_BUNDLE
    page = render_monitor_html(report, agreement, releases, plotly_src=src)
    try:
        if src is not None:
            write_plotly_bundle(out.parent)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UnreadableError(str(out), exc.strerror or str(exc)) from None
