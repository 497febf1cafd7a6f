"""A bridging search's result as Markdown, self-contained HTML and DOCX (``detente bridge
--to md|html|docx``): the verdicts before, each proposal with its drafts × expectations
matrix and its redline (words struck out, new words marked as a proposal to draft)."""

from __future__ import annotations

import html
import io
from importlib import resources
from typing import Any

import docx
from docx.shared import RGBColor

from detente.bridging.result import BridgeResult, Proposal
from detente.reports.docx import add_muted, add_table
from detente.reports.markdown import md_cell, md_text

WORD = {"holds": "holds", "violated": "VIOLATED", "unknown": "unknown"}


def headline(r: BridgeResult) -> str:
    """The answer in one sentence."""
    if r.proposals:
        fewest = len(r.proposals[0].edits)
        return (
            f"{len(r.proposals)} proposal{'s' if len(r.proposals) != 1 else ''} under which "
            f"every expectation holds (the fewest edits: {fewest})."
        )
    if r.already_satisfied and len(r.already_satisfied) == len(r.drafts):
        return "Every draft already satisfies every expectation: nothing to bridge."
    if r.already_satisfied:
        return (
            f"{', '.join(r.already_satisfied)} already satisfies every expectation; no proposal "
            f"for the other drafts within {r.max_edits} edits."
        )
    limit = "" if r.complete else " among the candidates tried (the budget stopped the search)"
    return f"No proposal within {r.max_edits} edits{limit}; the closest candidates are listed."


def search_line(r: BridgeResult) -> str:
    return (
        f"{r.candidates_judged:,} candidates judged by the checker in {r.seconds:.1f} s "
        f"({r.rate:.1f} a second, {r.workers} worker{'s' if r.workers != 1 else ''}); "
        f"{r.duplicates:,} reached in another order judged once; {r.pruned:,} supersets of a "
        f"proposal skipped; {r.invalid:,} not valid specs."
    )


def matrix(r: BridgeResult, p: Proposal) -> tuple[list[str], list[list[str]]]:
    """The drafts × expectations matrix, with the proposal's column last."""
    header = ["expectation", "protects", *r.drafts, f"proposal {p.rank}"]
    rows = [
        [
            name,
            protects or "",
            *(WORD.get(b.get(name, "—"), "—") for b in r.baseline),
            WORD.get(p.verdicts.get(name, "—"), "—"),
        ]
        for name, protects in r.expectations
    ]
    return header, rows


def _listed(r: BridgeResult) -> tuple[str, list[Proposal]]:
    if r.proposals:
        return "Proposals", r.proposals
    return "Closest candidates (expectations still not holding)", r.closest


# --------------------------------------------------------------------------- Markdown


def render_markdown(r: BridgeResult) -> str:
    lines = ["# Bridging proposals", "", md_text(headline(r)), "", md_text(search_line(r)), ""]
    for note in r.not_tried:
        lines.append(f"- Not tried: {md_text(note)}")
    if r.not_tried:
        lines.append("")
    title, listed = _listed(r)
    lines += [f"## {title}", ""]
    for p in listed:
        lines += [
            f"### {p.rank}. {md_text(p.draft)}: {len(p.edits)} edit(s), distance {p.distance}",
            "",
        ]
        for e in p.edits:
            lines.append(f"- {md_text(e.summary)}")
        lines.append("")
        header, rows = matrix(r, p)
        lines.append("| " + " | ".join(md_cell(h) for h in header) + " |")
        lines.append("|" + "---|" * len(header))
        for row in rows:
            lines.append("| " + " | ".join(md_cell(c) for c in row) + " |")
        lines += ["", "Redline:", ""]
        for red in p.redlines:
            before = f"~~{md_cell(red.before)}~~" if red.before else "(new)"
            after = md_cell(red.after) if red.after else "(struck out)"
            lines.append(f"- **{md_cell(red.target)}**: {before} → {after}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- HTML


def _css() -> str:
    return resources.files("detente.reports").joinpath("templates/base.css").read_text("utf-8")


def render_html(r: BridgeResult) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Bridging proposals</title>",
        f"<style>{_css()} del{{color:#a11;}} ins{{color:#164;text-decoration:underline;}}</style>",
        "</head><body><main>",
        "<h1>Bridging proposals</h1>",
        f"<p>{e(headline(r))}</p><p class='muted'>{e(search_line(r))}</p>",
    ]
    if r.not_tried:
        parts.append("<ul>" + "".join(f"<li>Not tried: {e(n)}</li>" for n in r.not_tried) + "</ul>")
    title, listed = _listed(r)
    parts.append(f"<h2>{e(title)}</h2>")
    for p in listed:
        parts.append(
            f"<section><h3>{p.rank}. {e(p.draft)}: {len(p.edits)} edit(s), "
            f"distance {p.distance}</h3><ul>"
            + "".join(f"<li>{e(x.summary)}</li>" for x in p.edits)
            + "</ul>"
        )
        header, rows = matrix(r, p)
        parts.append(
            "<table><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in header)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table><h4>Redline</h4><dl>"
        )
        for red in p.redlines:
            before = f"<del>{e(red.before)}</del>" if red.before else "<em>(new)</em>"
            after = f"<ins>{e(red.after)}</ins>" if red.after else "<em>(struck out)</em>"
            parts.append(f"<dt>{e(red.target)}</dt><dd>{before}</dd><dd>{after}</dd>")
        parts.append("</dl></section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- DOCX


def render_docx(r: BridgeResult) -> bytes:
    document: Any = docx.Document()
    document.add_heading("Bridging proposals", level=0)
    document.add_paragraph(headline(r))
    add_muted(document.add_paragraph(), search_line(r))
    for note in r.not_tried:
        document.add_paragraph(f"Not tried: {note}", style="List Bullet")
    title, listed = _listed(r)
    document.add_heading(title, level=1)
    for p in listed:
        document.add_heading(
            f"{p.rank}. {p.draft}: {len(p.edits)} edit(s), distance {p.distance}", level=2
        )
        for x in p.edits:
            document.add_paragraph(x.summary, style="List Bullet")
        header, rows = matrix(r, p)
        add_table(document, header, rows)
        document.add_heading("Redline", level=3)
        for red in p.redlines:
            para = document.add_paragraph()
            para.add_run(f"{red.target}: ").bold = True
            if red.before:
                old = para.add_run(red.before)
                old.font.strike = True
                old.font.color.rgb = RGBColor(0xAA, 0x11, 0x11)
                para.add_run(" → ")
            new = para.add_run(red.after if red.after else "(struck out)")
            new.underline = True
            new.font.color.rgb = RGBColor(0x11, 0x66, 0x44)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
