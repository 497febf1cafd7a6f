"""The monitoring report as a Word document (``detente monitor ... --docx OUT``).

For a monitoring cell that circulates its findings as a document: the reading of absence
first, then the agreement's state as of the report's date, the obligations (each status
in words, *not recorded* apart from *violated*) with the legend of the statuses present,
the exchange ledger, totals, violations with their sources, powers exercised, the next
deadlines and the disputed events both ways. Built with python-docx, in the style of
``detente render --to docx``.
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.shared import RGBColor

from detente.language.model import Agreement
from detente.monitor.report import MonitorReport, ObligationStatus
from detente.reports import statuses
from detente.reports.cells import cell_text, sourced
from detente.reports.docx import add_muted, add_table

#: How each status's words look in its table cell; the words say it, the colour helps.
STATUS_LOOK: dict[str, tuple[RGBColor, bool, bool]] = {  # colour, bold, italic
    "fulfilled": (RGBColor(0x2E, 0x7D, 0x4F), False, False),
    "late": (RGBColor(0x9A, 0x5B, 0x00), True, False),
    "violated": (RGBColor(0xB3, 0x26, 0x1E), True, False),
    "not_recorded": (RGBColor(0x2F, 0x5D, 0x8A), False, True),
    "under_way": (RGBColor(0x9A, 0x5B, 0x00), False, True),
    "open": (RGBColor(0x00, 0x72, 0xB2), False, True),
    "due": (RGBColor(0x00, 0x72, 0xB2), False, False),
    "pending": (RGBColor(0x5B, 0x64, 0x75), False, True),
    "discharged": (RGBColor(0x5B, 0x64, 0x75), False, False),
}


def _look(cell: Any, status: str) -> None:
    """Colour (and embolden or italicise) the words of a status cell."""
    colour, bold, italic = STATUS_LOOK.get(status, (None, False, False))
    for run in cell.paragraphs[0].runs:
        if colour is not None:
            run.font.color.rgb = colour
        run.bold = bold or None
        run.italic = italic or None


def _delivered(o: ObligationStatus) -> str:
    if o.quantity is None:
        return ""
    rest = f", {o.outstanding} outstanding" if o.outstanding else ""
    return f"{o.delivered} of {o.quantity}{rest}"


def render_monitor_docx(report: MonitorReport, agreement: Agreement) -> bytes:
    """The report as a .docx file's bytes."""
    names = {p.id: p.name for p in agreement.parties}

    def who(party: Any) -> str:
        return names.get(str(party), cell_text(party)) if party else ""

    document = docx.Document()
    document.core_properties.title = f"Monitoring: {report.title}"
    document.core_properties.subject = (
        f"Détente monitoring report, {report.agreement_id}, as of {report.as_of.isoformat()}"
    )
    document.add_heading(f"Monitoring: {report.title}", level=0)
    add_muted(
        document.add_paragraph(),
        f"{report.agreement_id} · as of {report.as_of.isoformat()} (agreement day {report.day})"
        f" · {report.events_read} events read",
    )
    reading = document.add_paragraph()
    reading.add_run("Reading: ").bold = True
    reading.add_run(report.reading)
    code = statuses.ABSENCE_IS_VIOLATION if report.absence_is_violation else statuses.RECORDED_ONLY
    add_muted(document.add_paragraph(), statuses.OTHER_READING[code], italic=True)

    phase = report.phase
    where = (
        f"{phase['name']} ({phase['status']}, day {phase['day_in_phase']})"
        if phase
        else "no phase in effect"
    )
    tally = {"violated": 0} | statuses.counts(o.status for o in report.obligations)
    add_table(
        document,
        ["As of", report.as_of.isoformat()],
        [
            ["Entry into force", report.entry_into_force.isoformat()],
            ["Agreement", report.agreement_status.replace("_", " ")],
            ["Current phase", where],
            [
                "Obligations",
                ", ".join(f"{n} {statuses.label(s)}" for s, n in tally.items()),
            ],
            ["Prohibited acts recorded", str(len(report.violations))],
        ],
    )

    document.add_heading("Next deadlines", level=1)
    if report.next_deadlines:
        add_table(
            document,
            ["Due", "In", "What", "Debtor", "Delivered"],
            [
                [
                    cell_text(d["due"]),
                    f"{d['due_in_days']} d",
                    cell_text(d.get("what") or d["id"]),
                    who(d.get("debtor")),
                    ""
                    if d.get("quantity") is None
                    else f"{d.get('delivered', 0)} of {d['quantity']}",
                ]
                for d in report.next_deadlines
            ],
        )
    else:
        document.add_paragraph("No deadline ahead.")

    document.add_heading("Obligations", level=1)
    add_muted(
        document.add_paragraph(),
        "One row per instance; consecutive instances of a recurring duty in the same status "
        "are one row, with the first and last.",
    )
    rows: list[list[str]] = []
    looks: list[str] = []
    for first, last in statuses.runs(report.obligations):
        one = last is first
        rows.append(
            [
                first.id if one else f"{first.id} … {last.id.rsplit('#', 1)[-1]}",
                first.clause,
                who(first.debtor),
                cell_text(first.due) if one else f"{cell_text(first.due)} … {cell_text(last.due)}",
                first.describe(),
                _delivered(first) if one else "",
                cell_text(first.fulfilled_on) if one else "",
            ]
        )
        looks.append(first.status)
    if rows:
        table = add_table(
            document,
            ["Obligation", "Clause", "Debtor", "Due", "Status", "Delivered", "Done on"],
            rows,
        )
        for row, status in zip(table.rows[1:], looks, strict=True):
            _look(row.cells[4], status)
    else:
        document.add_paragraph("No obligations in this report.")
    entries = statuses.legend(o.status for o in report.obligations)
    if entries:
        document.add_heading("Legend", level=2)
        table = add_table(document, ["Status", "Meaning"], [[e.label, e.meaning] for e in entries])
        for row, e in zip(table.rows[1:], entries, strict=True):
            _look(row.cells[0], e.status)

    document.add_heading("Exchange ledger", level=1)
    if report.ledger:
        table = add_table(
            document,
            ["Round", "Due", "Released", "In return", "Ratio", "Status", "Delivered on"],
            [
                [
                    f"{r['clause']} r{r['round']}" + (f" ({r['label']})" if r.get("label") else ""),
                    cell_text(r["due"]),
                    f"{who(r['releasing'])}: "
                    + ", ".join(
                        f"{r['release_delivered'].get(c, 0)} of {n} {c.replace('_', ' ')}"
                        for c, n in r["release_due"].items()
                    ),
                    f"{who(r['counterpart'])}: "
                    + ", ".join(
                        f"{r['counter_delivered'].get(c, 0)} of {n} {c.replace('_', ' ')}"
                        for c, n in r["counter_due"].items()
                    ),
                    f"{cell_text(r['ratio_achieved']) or '-'} (agreed {cell_text(r['ratio_agreed'])})",
                    statuses.label(r["status"])
                    + (f" by {r['late_days']} d" if r["status"] == "late" else ""),
                    cell_text(r["delivered_on"]),
                ]
                for r in report.ledger
            ],
        )
        for row, r in zip(table.rows[1:], report.ledger, strict=True):
            _look(row.cells[5], str(r["status"]))
    else:
        document.add_paragraph("No exchange rounds in this agreement.")

    if report.totals or report.surplus:
        document.add_heading("Released in total", level=1)
        add_table(
            document,
            ["Party", "Category", "Released", "Beyond the schedule"],
            [
                [
                    who(party),
                    cat.replace("_", " "),
                    str(n),
                    str(report.surplus.get(party, {}).get(cat, "")),
                ]
                for party, cats in report.totals.items()
                for cat, n in cats.items()
            ],
            numeric_from=2,
        )

    if report.outside_agreement:
        document.add_heading("Released outside the agreement", level=1)
        document.add_paragraph(
            "Releases the log marks as outside the agreement (another channel or another "
            "deal): not in the totals above and matched to no round."
        )
        add_table(
            document,
            ["Party", "Category", "Released"],
            [
                [who(party), cat.replace("_", " "), str(n)]
                for party, cats in report.outside_agreement.items()
                for cat, n in cats.items()
            ],
            numeric_from=2,
        )
        document.add_heading("Reconciled to the public total", level=2)
        add_table(
            document,
            ["Party", "Under the agreement", "Outside it", "In all"],
            [
                [who(party), str(under), str(out), str(total)]
                for party, under, out, total in report.reconciliation()
            ],
            numeric_from=1,
        )
        add_table(
            document,
            ["Date", "Party", "Count", "Category", "Source"],
            [
                [
                    cell_text(e["date"]),
                    who(e["actor"]),
                    cell_text(e.get("quantity")),
                    cell_text(e.get("category")),
                    sourced(e),
                ]
                for e in report.outside_agreement_events
            ],
            numeric_from=2,
        )

    document.add_heading("Violations (prohibited acts)", level=1)
    if report.violations:
        add_table(
            document,
            ["Date", "Actor", "Action", "Prohibited by", "Verification", "Reported by", "Source"],
            [
                [
                    cell_text(v["date"]),
                    who(v["actor"]),
                    cell_text(v["action"]),
                    cell_text(v.get("prohibited_by")),
                    cell_text(v["verification"]),
                    who(v.get("reported_by")),
                    sourced(v),
                ]
                for v in report.violations
            ],
        )
    else:
        document.add_paragraph("No prohibited act recorded.")

    if report.powers:
        document.add_heading("Powers exercised", level=1)
        add_table(
            document,
            ["Date", "Holder", "Clause", "Power", "In effect", "Verification", "Source"],
            [
                [
                    cell_text(p["date"]),
                    who(p["actor"]),
                    cell_text(p["clause"]),
                    cell_text(p.get("power")).replace("_", " "),
                    "yes" if p.get("lawful") else f"no: {cell_text(p.get('reason'))}",
                    cell_text(p["verification"]),
                    sourced(p),
                ]
                for p in report.powers
            ],
        )

    if report.disputed:
        document.add_heading("Disputed events, both ways", level=1)
        add_table(
            document,
            ["What", "With the disputed events", "Without them"],
            [[cell_text(d.get("what") or d["id"]), cell_text(d["with"]), cell_text(d["without"])]
             for d in report.disputed],
        )  # fmt: skip

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
