"""The agreement as a Word document (``detente render --to docx``), for drafting teams.

Built with python-docx: real headings (so Word's navigation pane lists the
clauses), real tables, and each clause as a heading that carries its number.
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from detente.reports.view import DocumentView, ScheduleView

_MUTED = RGBColor(0x5B, 0x64, 0x75)


def add_table(
    document: Any, header: list[str], rows: list[list[str]], numeric_from: int = 99
) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if i >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def add_muted(paragraph: Any, text: str, *, italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.color.rgb = _MUTED
    run.font.size = Pt(9)
    run.italic = italic


def _schedule(document: Any, s: ScheduleView) -> None:
    document.add_heading(
        f"Clause {s.clause}: {s.releasing} releases, {s.counterpart} releases in return", level=2
    )
    if s.ratios:
        document.add_paragraph(f"Phase {s.phase}; ratios: {'; '.join(s.ratios)}.")
    header = [
        "Round",
        "Phase day",
        "Agreement day",
        "Date",
        *(f"{s.releasing}: {c.replace('_', ' ')}" for c in s.categories),
        *(f"{s.counterpart}: {c.replace('_', ' ')}" for c in s.counter_categories),
    ]
    rows: list[list[str]] = []
    for r in s.rounds:
        counter = [
            "?"
            if r.counter_release is None
            else f"{r.counter_release.get(c, 0)}{'*' if r.counter_derived else ''}"
            for c in s.counter_categories
        ]
        rows.append(
            [
                r.label,
                str(r.phase_day),
                str(r.agreement_day or ""),
                str(r.date or ""),
                *(str(r.release.get(c, 0)) for c in s.categories),
                *counter,
            ]
        )
    rows.append(
        [
            "Total",
            "",
            "",
            "",
            *(str(s.total_release.get(c, 0)) for c in s.categories),
            *(str(s.total_counter.get(c, 0)) for c in s.counter_categories),
        ]
    )
    if s.stated_totals or s.stated_counter_totals:
        rows.append(
            [
                "Stated totals",
                "",
                "",
                "",
                *(str(s.stated_totals.get(c, "")) for c in s.categories),
                *(str(s.stated_counter_totals.get(c, "")) for c in s.counter_categories),
            ]
        )
    table = add_table(document, header, rows, numeric_from=4)
    for cell in table.rows[len(s.rounds) + 1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    if any(r.counter_derived and r.counter_release for r in s.rounds):
        add_muted(
            document.add_paragraph(),
            "* derived from the ratios, not stated round by round in the text.",
            italic=True,
        )


def render_docx(view: DocumentView) -> bytes:
    document = docx.Document()
    document.core_properties.title = view.title
    document.core_properties.subject = f"Détente agreement {view.id}"
    document.add_heading(view.title, level=0)
    add_muted(document.add_paragraph(), f"{view.id} · status: {view.status}")
    if view.description:
        document.add_paragraph(view.description)
    if view.dates:
        add_table(document, ["Date", "When"], [[n, w] for n, w in view.dates])

    document.add_heading("Parties", level=1)
    add_table(document, ["id", "Name", "Role"], [[p.id, p.name, p.role] for p in view.parties])

    document.add_heading("Phase timeline", level=1)
    document.add_paragraph("Days are counted from entry into force (day 1).")
    rows = []
    for p in view.phases:
        if p.start_day:
            days = f"{'from ' if p.conditional else ''}{p.start_day}–{p.end_day or 'open'}"
            if p.start_date:
                days += f" ({p.start_date}{f' to {p.end_date}' if p.end_date else ''})"
        else:
            days = "conditional"
        rows.append([f"{p.name} ({p.id})", p.starts, days, p.duration, p.at_expiry])
    add_table(document, ["Phase", "Starts", "Days", "Length", "At expiry"], rows)

    if view.schedules:
        document.add_heading("Exchange schedule", level=1)
        for s in view.schedules:
            _schedule(document, s)

    document.add_heading("Clauses", level=1)
    for c in view.clauses:
        document.add_heading(f"Clause {c.number}{f': {c.title}' if c.title else ''}", level=2)
        tags = [
            "Quoted from the text" if c.words == "quote" else "Summary of the text",
            c.kind,
        ]
        if c.phase:
            tags.insert(1, f"phase {c.phase}")
        if c.pax_codes:
            tags.append("PA-X " + ", ".join(c.pax_codes))
        add_muted(document.add_paragraph(), " · ".join(tags), italic=True)
        if c.words == "quote":
            document.add_paragraph(c.text, style="Quote")
        else:
            document.add_paragraph(c.text)
        norm = document.add_paragraph()
        norm.add_run("Norm: ").bold = True
        norm.add_run(c.sentence)
        if c.note:
            add_muted(document.add_paragraph(), f"Note: {c.note}")
        add_muted(
            document.add_paragraph(),
            "Sources: "
            + "; ".join(f"{s.label} <{s.url}>" if s.url else s.label for s in c.sources),
        )

    if view.expectations:
        document.add_heading("Expectations", level=1)
        add_muted(
            document.add_paragraph(),
            "What each party (or every party) needs of the text in every future; "
            "detente check gives each one's verdict.",
        )
        for e in view.expectations:
            document.add_heading(e.name, level=2)
            claim = document.add_paragraph(e.claim)
            if e.protects:
                claim.add_run(" It protects ")
                claim.add_run(e.protects).bold = True
                claim.add_run(".")
            if e.description:
                document.add_paragraph(e.description)
            if e.position:
                position = document.add_paragraph()
                position.add_run("Position: ").bold = True
                position.add_run(e.position)
                add_muted(
                    document.add_paragraph(),
                    "Sources: "
                    + "; ".join(f"{s.label} <{s.url}>" if s.url else s.label for s in e.sources),
                )

    if view.sources:
        document.add_heading("Sources", level=1)
        for src in view.sources:
            document.add_paragraph(
                f"{src.label}: {src.url}" if src.url else src.label, style="List Bullet"
            )

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
